using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Core.Bids;
using Atlas.Core.Samples;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Bids
{
    /// <summary>The sample dataset (SampleDataset.Generate → DatasetScanner.Scan) through the converter, and back through the scanner.</summary>
    public class BidsSampleTests : IClassFixture<BidsSampleTests.Sample>
    {
        public sealed class Sample : IDisposable
        {
            public Sample()
            {
                Dir = new TempDir();
                Result = SampleDataset.Generate(Dir.File("sample"), 4, 1);
                Subjects = DatasetScanner.Scan(Result.Root, new DatasetScanOptions { MetadataPath = Result.MetadataPath }).Subjects;
            }
            public TempDir Dir { get; }
            public SampleDatasetResult Result { get; }
            public List<AtlasSubject> Subjects { get; }
            public void Dispose() => Dir.Dispose();
        }

        private readonly Sample _s;
        private readonly ITestOutputHelper _out;
        public BidsSampleTests(Sample s, ITestOutputHelper output) { _s = s; _out = output; }

        [Fact]
        public void Every_sample_scan_converts_and_the_scanner_reads_the_result_back()
        {
            string dest = _s.Dir.File("bids-" + Guid.NewGuid().ToString("N").Substring(0, 6));
            var results = new List<BidsSubjectResult>();
            new BidsConverter(new BidsConvertOptions { Destination = dest }).Convert(_s.Subjects, results);
            Assert.Equal(_s.Subjects.Count, results.Count);
            Assert.Equal(_s.Result.ScanCount, results.Count);
            Assert.All(results, r => Assert.Equal(0, r.FilesFailed));

            // participants.tsv: one row per source subject (cohort + subject), metadata columns from the R1.1 sheet.
            var participants = BidsTable.Read(Path.Combine(dest, "participants.tsv"));
            int distinct = _s.Subjects.Select(x => x.Cohort + x.Subject).Distinct().Count();
            Assert.Equal(distinct, participants.Rows.Count);
            Assert.Contains("primary_stroke_location_hemisphere", participants.Columns);
            Assert.Contains("strokes_lh_cortical", participants.Columns);
            Assert.DoesNotContain("session", participants.Columns);

            // Back through the layout scanner (plain BIDS root): same scans, same T1 voxels.
            var back = DatasetScanner.Scan(dest).Subjects;
            _out.WriteLine(string.Join(", ", back.Select(b => b.ScanId + ":" + b.LesionFileCount)));
            Assert.Equal(results.Count, back.Count);
            foreach (var r in results)
            {
                var src = _s.Subjects.Single(x => x.ScanId == r.ScanId);
                var a = NiftiReader.Read(src.T1Path);
                var b = NiftiReader.Read(r.T1wPath);
                Assert.True(a.Grid.Matches(b.Grid, 0));
                Assert.Equal(a.ToFloat64(), b.ToFloat64());
            }
        }

        [SkippableTheory]
        [InlineData(BidsMaskPlacement.Derivatives)]
        [InlineData(BidsMaskPlacement.Anat)]
        public void The_converted_sample_dataset_has_no_validator_errors(BidsMaskPlacement placement)
        {
            Peers.RequireTool("bids-validator", "npm install -g bids-validator@1.15.0");
            string dest = _s.Dir.File("valid-" + placement);
            new BidsConverter(new BidsConvertOptions { Destination = dest, MaskPlacement = placement, IncludeRawMasks = true }).Convert(_s.Subjects);
            var r = BidsValidatorPeer.Run(dest);
            foreach (var e in r.Errors) _out.WriteLine("ERROR " + e);
            foreach (var w in r.Warnings) _out.WriteLine("WARN  " + w);
            Assert.Empty(r.Errors);
        }
    }
}
