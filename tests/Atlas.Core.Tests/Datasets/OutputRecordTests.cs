using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>The record beside an output (issue 11, item 3) and the provenance it carries (item 1).</summary>
    public class OutputRecordTests
    {
        private static OutputRecord Run(params string[] inputs) => new OutputRecord
        {
            Cmdlet = "Invoke-LesionSmooth", ModuleVersion = "0.1.0",
            Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["Fwhm"] = "2", ["Threshold"] = "0.5" },
            Inputs = new List<string>(inputs),
        };

        private static void Write(string path, DateTime utc)
        {
            File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
            File.SetLastWriteTimeUtc(path, utc);
        }

        [Fact]
        public void StandardizationRecordReadsTheVerdictAndTemplateOfAStandardizedT1Only()
        {
            using (var t = new TempDir())
            {
                string t1 = t.File("c0001s0001t01.nii.gz");
                Write(t1, DateTime.UtcNow);
                Assert.Null(StandardizationRecord.Of(t1)); // no record
                var r = new OutputRecord
                {
                    Cmdlet = "ConvertTo-AtlasStandardSpace", ModuleVersion = "0.1.0", Inputs = new List<string>(),
                    Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["Template"] = "/t/ch2.nii.gz", ["TemplateMask"] = "/t/ch2bet.nii.gz" },
                    Result = new SortedDictionary<string, string>(StringComparer.Ordinal)
                        { ["Verdict"] = "Failed", ["VerdictReason"] = "brain overlap 0.41 < 0.75", ["BrainOverlap"] = "0.41", ["Determinant"] = "1.02", ["FinalCost"] = "0.3" },
                };
                r.Write(t1);
                var s = StandardizationRecord.Of(t1);
                Assert.True(s.IsFailed);
                Assert.False(s.IsSuspect);
                Assert.Equal("brain overlap 0.41 < 0.75", s.VerdictReason);
                Assert.Equal(0.41, s.BrainOverlap);
                Assert.Equal(1.02, s.Determinant);
                Assert.Equal("/t/ch2bet.nii.gz", s.TemplateMaskPath);
                Assert.Equal("/t/ch2.nii.gz", s.TemplatePath);

                // The same record from another cmdlet (a smoothed mask, say) is no standardization.
                r.Cmdlet = "Invoke-LesionSmooth";
                r.Write(t1);
                Assert.Null(StandardizationRecord.Of(t1));
            }
        }

        [Fact]
        public void RecordIsAHiddenFileBesideTheOutput()
        {
            string p = Path.Combine("data", "out", "a_LesionSmooth.nii.gz");
            Assert.Equal(Path.Combine("data", "out", ".a_LesionSmooth.nii.gz.atlas.json"), OutputRecord.PathFor(p));
        }

        [Fact]
        public void RoundTripsEveryField()
        {
            using (var t = new TempDir())
            {
                string output = t.File("o.nii.gz");
                Write(output, DateTime.UtcNow);
                var r = Run(t.File("in \"quoted\"\\ä.voi"));
                r.Source = new FileProvenance { SubjectId = "c0001s0001t01", ScanId = "c0001s0001t01", Session = 1, Cohort = "c0001", MaskKind = "LesionSmooth", Rank = 2, DatasetRoot = t.Path };
                r.Result = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["RemovedVoxels"] = "2", ["Line"] = "a\nb\tc" };
                r.WrittenUtc = new DateTime(2026, 12, 1, 20, 0, 0, DateTimeKind.Utc);
                r.Write(output);
                var back = OutputRecord.TryRead(output);
                Assert.NotNull(back);
                Assert.Equal("Invoke-LesionSmooth", back.Cmdlet);
                Assert.Equal("0.1.0", back.ModuleVersion);
                Assert.Equal(r.Parameters, back.Parameters);
                Assert.Equal(r.Inputs, back.Inputs);
                Assert.Equal(2, back.Source.Rank);
                Assert.Equal(1, back.Source.Session);
                Assert.Equal("LesionSmooth", back.Source.MaskKind);
                Assert.Equal(t.Path, back.Source.DatasetRoot);
                Assert.Equal("a\nb\tc", back.Result["Line"]);
                Assert.Equal(r.WrittenUtc, back.WrittenUtc);
                Assert.Null(OutputRecord.WhyStale(output, back, Run(t.File("in \"quoted\"\\ä.voi")), StringComparer.Ordinal));
            }
        }

        [Fact]
        public void StaleForEachReasonMakeAndParametersGive()
        {
            using (var t = new TempDir())
            {
                string input = t.File("raw.voi"), output = t.File("smooth.nii.gz");
                var now = DateTime.UtcNow;
                Write(input, now.AddHours(-2));
                Write(output, now.AddHours(-1));
                var made = Run(input);
                var cmp = StringComparer.Ordinal;
                Assert.Null(OutputRecord.WhyStale(output, made, Run(input), cmp));
                Assert.Equal("it has no record of how it was made", OutputRecord.WhyStale(output, null, Run(input), cmp));

                var fwhm = Run(input); fwhm.Parameters["Fwhm"] = "6";
                Assert.Equal("it was made with -Fwhm '2', not '6'", OutputRecord.WhyStale(output, made, fwhm, cmp));
                var added = Run(input); added.Parameters["MaskKind"] = "LesionRaw";
                Assert.Equal("it was made with -MaskKind (not given), not 'LesionRaw'", OutputRecord.WhyStale(output, made, added, cmp));

                var version = Run(input); version.ModuleVersion = "0.2.0";
                Assert.Equal("it was made by Atlas.Psm 0.1.0, not 0.2.0", OutputRecord.WhyStale(output, made, version, cmp));
                var other = Run(input); other.Cmdlet = "Merge-AtlasLesion";
                Assert.Equal("it was made by Invoke-LesionSmooth, not Merge-AtlasLesion", OutputRecord.WhyStale(output, made, other, cmp));

                // A new input (a mask added to an overlap map) makes it stale although the output is newer than all.
                string second = t.File("raw_1.voi");
                Write(second, now.AddHours(-3));
                Assert.Equal("it was not made from " + second, OutputRecord.WhyStale(output, made, Run(input, second), cmp));
                Assert.Equal("it was made from " + second + ", which is not an input now", OutputRecord.WhyStale(output, Run(input, second), made, cmp));

                var memory = Run(input); memory.Inputs = null;
                Assert.Equal("its inputs are volumes in memory, whose age is unknown", OutputRecord.WhyStale(output, made, memory, cmp));

                // make's rule: an input newer than the output.
                File.SetLastWriteTimeUtc(input, now);
                Assert.Equal("it is older than its input " + input, OutputRecord.WhyStale(output, made, Run(input), cmp));
            }
        }

        [Fact]
        public void UnreadableRecordIsNoRecord()
        {
            using (var t = new TempDir())
            {
                string output = t.File("o.nii.gz");
                Write(output, DateTime.UtcNow);
                File.WriteAllText(OutputRecord.PathFor(output), "{ not json");
                Assert.Null(OutputRecord.TryRead(output));
                File.WriteAllText(OutputRecord.PathFor(output), "{\"Something\": 1}");
                Assert.Null(OutputRecord.TryRead(output));
            }
        }

        [Theory]
        [InlineData("c0001s0002t01_LesionSmooth.nii.gz", "c0001s0002t01", 1, "LesionSmooth", 1)]
        [InlineData("c0001s0002t02_LesionRaw_1.voi", "c0001s0002t02", 2, "LesionRaw", 2)]
        [InlineData("c0003s0001t01_LesionSmooth_10.nii.gz", "c0003s0001t01", 1, "LesionSmooth", 11)]
        [InlineData("c0001s0002t01_LesionSmooth_2_stx.nii.gz", "c0001s0002t01", 1, "LesionSmooth", 3)]
        [InlineData("sub-r001s001_ses-2_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz", "sub-r001s001", 2, "Lesion", 1)]
        public void FileNamesIdentifyScanKindAndRank(string name, string subject, int session, string kind, int rank)
        {
            var p = DatasetScanner.IdentifyFile(Path.Combine("any", name));
            Assert.Equal(subject, p.SubjectId);
            Assert.Equal(session, p.Session);
            Assert.Equal(kind, p.MaskKind);
            Assert.Equal(rank, p.Rank);
        }

        [Theory]
        // Each layout's folders (as DatasetScanner reads them) name the dataset root; a loose file names none.
        [InlineData("data/atlas/c0001/c0001s0002t01/c0001s0002t01_LesionRaw.voi", "data/atlas", "c0001s0002t01", 1)]
        [InlineData("data/atlas/c0001/c0001s0002t01/c0001s0002t01_t1w_stx.nii.gz", "data/atlas", "c0001s0002t01", null)]
        [InlineData("data/atlas/c0001/c0001s0002/t01/c0001s0002t01_LesionRaw_1.voi", "data/atlas", "c0001s0002t01", 2)]
        [InlineData("data/indi/Site3/031768/t02/031768_LesionSmooth_1_stx.nii.gz", "data/indi", "031768", 2)]
        [InlineData("data/r2/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz", "data/r2", "sub-r001s001", 1)]
        [InlineData("data/bids/sub-01/anat/sub-01_T1w.nii.gz", "data/bids", "sub-01", null)]
        [InlineData("work/c0001s0002t01_LesionRaw.voi", null, "c0001s0002t01", 1)]
        [InlineData("data/atlas/c0002/c0001s0002t01/c0001s0002t01_LesionRaw.voi", null, "c0001s0002t01", 1)]
        [InlineData("data/bids/sub-01/ses-2/anat/sub-01_ses-1_T1w.nii.gz", null, "sub-01", null)]
        public void FilesInTheirLayoutsFoldersNameTheirDatasetRoot(string relative, string root, string subject, int? rank)
        {
            string top = Path.Combine(Path.GetTempPath(), "atlas-ident");
            var p = DatasetScanner.IdentifyFile(Path.Combine(top, relative.Replace('/', Path.DirectorySeparatorChar)));
            Assert.Equal(subject, p.SubjectId);
            Assert.Equal(rank, p.Rank);
            Assert.Equal(root == null ? null : Path.Combine(top, root.Replace('/', Path.DirectorySeparatorChar)), p.DatasetRoot);
        }

        [Fact]
        public void OtherNamesIdentifyNothing()
        {
            Assert.Null(DatasetScanner.IdentifyFile("c0001s0002t01_LesionMerged.nii.gz"));
            Assert.Null(DatasetScanner.IdentifyFile("mask.nii.gz"));
            var t1 = DatasetScanner.IdentifyFile("c0001s0002t01.nii.gz");
            Assert.Equal("c0001s0002t01", t1.SubjectId);
            Assert.Null(t1.MaskKind);
            Assert.Null(t1.Rank);
        }

        [Fact]
        public void CommonProvenanceOfAScansMasksHasRankZero()
        {
            var a = new FileProvenance { SubjectId = "s", ScanId = "s", MaskKind = "LesionSmooth", Rank = 1 };
            var b = new FileProvenance { SubjectId = "s", ScanId = "s", MaskKind = "LesionSmooth", Rank = 2 };
            Assert.Equal(0, FileProvenance.Common(new[] { a, b }).Rank);
            Assert.Equal(1, FileProvenance.Common(new[] { a }).Rank);
            Assert.Null(FileProvenance.Common(new[] { a, new FileProvenance { SubjectId = "t", ScanId = "t", Rank = 1 } }));
            Assert.Null(FileProvenance.Common(new[] { a, null }));
        }
    }
}
