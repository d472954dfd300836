using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Atlas.Core.Bids;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Bids
{
    public class BidsConverterTests
    {
        private readonly ITestOutputHelper _out;
        public BidsConverterTests(ITestOutputHelper output) { _out = output; }

        private static BidsConvertOptions Options(string dest) => new BidsConvertOptions { Destination = dest, GeneratorVersion = "9.9.9" };

        private static string Rel(string dest, string rel) => Path.Combine(dest, rel.Replace('/', Path.DirectorySeparatorChar));

        private static string Sha(string path)
        {
            using (var s = SHA256.Create()) return Convert.ToHexString(s.ComputeHash(File.ReadAllBytes(path))).ToLowerInvariant();
        }

        [Fact]
        public void Converts_the_native_tree_to_the_expected_files()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                var results = new List<BidsSubjectResult>();
                new BidsConverter(Options(dest)).Convert(subjects, results);

                var expected = new[]
                {
                    "CHANGES", "README", "dataset_description.json",
                    "derivatives/lesions/dataset_description.json",
                    "derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.json",
                    "derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.nii.gz",
                    "derivatives/lesions/sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_label-L_desc-T1lesion_mask.json",
                    "derivatives/lesions/sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_label-L_desc-T1lesion_mask.nii.gz",
                    "derivatives/lesions/sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_label-L_desc-T1lesion_mask.json",
                    "derivatives/lesions/sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_label-L_desc-T1lesion_mask.nii.gz",
                    "participants.json", "participants.tsv",
                    "sourcedata/atlas_to_bids.tsv",
                    "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.json",
                    "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz",
                    "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.json",
                    "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz",
                    "sub-c0001s0002/sub-c0001s0002_sessions.json",
                    "sub-c0001s0002/sub-c0001s0002_sessions.tsv",
                    "sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.json",
                    "sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.nii.gz",
                };
                Assert.Equal(expected, BidsTestData.Snapshot(dest).Keys.ToArray());

                // One record per scan, sorted by participant and session; every file written the first time.
                Assert.Equal(new[] { "sub-c0001s0002/ses-1", "sub-c0001s0002/ses-2", "sub-c0002s0001/ses-1" }, results.Select(r => r.ToString()).ToArray());
                Assert.Equal(new[] { 4, 4, 4 }, results.Select(r => r.FilesWritten).ToArray());
                Assert.All(results, r => Assert.Equal(0, r.FilesSkipped));

                // .nii.gz sources are copied byte for byte.
                Assert.Equal(Sha(subjects[0].T1Path), Sha(Rel(dest, "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz")));
                // .nii and .voi sources become .nii.gz with the same header geometry and voxels.
                var nii = NiftiReader.Read(subjects[1].T1Path);
                var gz = NiftiReader.Read(Rel(dest, "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz"));
                Assert.Equal(NiftiFileKind.NiiGz, NiftiFiles.KindOf(gz.Path));
                Assert.Equal(nii.DataType, gz.DataType);
                Assert.Equal((float[])nii.Data, (float[])gz.Data);
                Assert.True(nii.Grid.Matches(gz.Grid, 0));
                var voiMask = NiftiReader.Read(Rel(dest, "derivatives/lesions/sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_label-L_desc-T1lesion_mask.nii.gz"));
                Assert.Equal(4, voiMask.ToMask().Sum(b => b));

                // Two masks merged: 8 + 4 voxels sharing 1 → 11, and exactly their union.
                var merged = NiftiReader.Read(Rel(dest, "derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.nii.gz"));
                Assert.Equal(NiftiDataType.UInt8, merged.DataType);
                var m = (byte[])merged.Data;
                Assert.Equal(11, m.Count(b => b == 1));
                Assert.Equal(11, m.Count(b => b != 0));
                var g = BidsTestData.Grid8;
                Assert.Equal(1, m[g.Index(1, 1, 1)]); // primary only
                Assert.Equal(1, m[g.Index(3, 2, 3)]); // secondary only
                Assert.Equal(1, m[g.Index(2, 2, 2)]); // both
                Assert.Equal(0, m[g.Index(3, 3, 3)]);
                Assert.True(merged.Grid.Matches(g, 0));

                // participants.tsv: one row per participant from its first session; Session left out; n/a for empty.
                Assert.Equal(
                    "participant_id\tcohort\tscanner_strength\tscanner_brand\tstroke_type\tpvh\tdays_post_stroke\n" +
                    "sub-c0001s0002\tc0001\t3T\tSiemens\tischemic\t1\t200\n" +
                    "sub-c0002s0001\tc0002\t1.5\tGE\themorrhagic\tn/a\t400\n",
                    File.ReadAllText(Rel(dest, "participants.tsv")));
                // Only Days Post Stroke differs between the two sessions of c0001s0002.
                Assert.Equal("session_id\tdays_post_stroke\nses-1\t200\nses-2\t230\n", File.ReadAllText(Rel(dest, "sub-c0001s0002/sub-c0001s0002_sessions.tsv")));

                // Sidecar from the metadata only: "3T" → 3, 1.5 → 1.5.
                Assert.Equal("{\n  \"MagneticFieldStrength\": 3,\n  \"Manufacturer\": \"Siemens\"\n}\n",
                    File.ReadAllText(Rel(dest, "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.json")));
                Assert.Equal("{\n  \"MagneticFieldStrength\": 1.5,\n  \"Manufacturer\": \"GE\"\n}\n",
                    File.ReadAllText(Rel(dest, "sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.json")));

                string pj = File.ReadAllText(Rel(dest, "participants.json"));
                Assert.Contains("\"LongName\": \"Days Post Stroke\"", pj);
                Assert.Contains("\"Units\": \"days\"", pj);
                Assert.Contains("\"hemorrhagic\": \"hemorrhagic\"", pj);
                Assert.Contains("\"3\": \"irregular periventricular signal extending into the deep white matter\"", pj);

                string dd = File.ReadAllText(Rel(dest, "dataset_description.json"));
                Assert.Contains("\"BIDSVersion\": \"1.8.0\"", dd);
                Assert.Contains("\"DatasetType\": \"raw\"", dd);
                Assert.Contains("\"Version\": \"9.9.9\"", dd);
                Assert.Contains("doi:10.1038/sdata.2018.11", dd);
                Assert.Contains("\"DatasetType\": \"derivative\"", File.ReadAllText(Rel(dest, "derivatives/lesions/dataset_description.json")));

                // Mapping: one row per source, SHA-256 of source and BIDS file.
                var map = BidsTable.Read(Rel(dest, BidsConverter.MappingPath));
                Assert.Equal(new[] { "bids_path", "operation", "source_path", "source_sha256", "bids_sha256" }, map.Columns.ToArray());
                Assert.Equal(7, map.Rows.Count); // 3 T1 + 2 merged sources + 1 .voi + 1 mask
                var mergedRows = map.Rows.Where(r => r[0].EndsWith("ses-1_label-L_desc-T1lesion_mask.nii.gz") && r[0].Contains("c0001")).ToList();
                Assert.Equal(2, mergedRows.Count);
                Assert.All(mergedRows, r => Assert.Equal("merge", r[1]));
                Assert.Equal(subjects[0].LesionMaskPaths, mergedRows.Select(r => r[2]).ToArray());
                Assert.Equal(Sha(subjects[0].LesionMaskPaths[1]), mergedRows[1][3]);
                Assert.Equal(Sha(merged.Path), mergedRows[0][4]);
                var t1Row = map.Rows.Single(r => r[0] == "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz");
                Assert.Equal("compress", t1Row[1]);
                Assert.Equal(Sha(subjects[1].T1Path), t1Row[3]);
            }
        }

        [Fact]
        public void A_rerun_writes_nothing_and_keeps_every_file_untouched()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                new BidsConverter(Options(dest)).Convert(subjects);
                var times = Directory.EnumerateFiles(dest, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
                var before = BidsTestData.Snapshot(dest);
                Thread.Sleep(20);

                var results = new List<BidsSubjectResult>();
                var outcomes = new List<BidsFileOutcome>();
                var c = new BidsConverter(Options(dest)) { FileCompleted = (f, o) => outcomes.Add(o) };
                c.Convert(subjects, results);
                Assert.All(outcomes, o => Assert.Equal(BidsFileOutcome.Skipped, o));
                Assert.Equal(before.Count, outcomes.Count);
                Assert.All(results, r => Assert.Equal(0, r.FilesWritten));
                Assert.Equal(new[] { 4, 4, 4 }, results.Select(r => r.FilesSkipped).ToArray());
                Assert.Equal(before, BidsTestData.Snapshot(dest));
                foreach (var kv in times) Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key));
            }
        }

        [Fact]
        public void A_run_stopped_half_way_leaves_no_partial_file_and_the_rerun_completes_the_same_tree()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string clean = tmp.File("clean");
                new BidsConverter(Options(clean)).Convert(subjects);
                var expected = BidsTestData.Snapshot(clean);

                string dest = tmp.File("bids");
                using (var cts = new CancellationTokenSource())
                {
                    int n = 0;
                    var c = new BidsConverter(Options(dest)) { FileCompleted = (f, o) => { if (++n == 7) cts.Cancel(); } };
                    Assert.ThrowsAny<OperationCanceledException>(() => c.Convert(subjects, null, cts.Token));
                }
                var partial = BidsTestData.Snapshot(dest);
                Assert.Equal(7, partial.Count);
                // Every file present is complete: identical to the clean run's.
                foreach (var kv in partial) Assert.Equal(expected[kv.Key], kv.Value);
                Assert.Empty(new BidsConverter(Options(dest)).FindStaleTemporaryFiles());

                // A leftover temporary file (as a killed process leaves) is found and removed.
                string stale = Rel(dest, "sub-c0001s0002/ses-1/anat/.sub-c0001s0002_ses-1_T1w.nii.gz.0123abcd.tmp");
                File.WriteAllBytes(stale, new byte[] { 1, 2, 3 });
                var c2 = new BidsConverter(Options(dest));
                var found = c2.FindStaleTemporaryFiles();
                Assert.Equal(new[] { stale }, found.ToArray());
                c2.RemoveFiles(found);
                var results = new List<BidsSubjectResult>();
                c2.Convert(subjects, results);
                Assert.Equal(expected, BidsTestData.Snapshot(dest));
                Assert.Equal(expected.Count - 7 - 5, results.Sum(r => r.FilesWritten)); // 5 tail files are not per scan
            }
        }

        [Fact]
        public void Colliding_labels_stop_the_conversion_before_anything_is_written()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                var o = Options(dest);
                o.SubjectLabel = s => "x" + s.Session; // c0001s0002t01 and c0002s0001t01 both become sub-x1
                var ex = Assert.Throws<BidsPlanException>(() => new BidsConverter(o).Convert(subjects));
                _out.WriteLine(ex.Message);
                Assert.Contains(ex.Problems, p => p.Contains("both get the participant label sub-x1"));
                Assert.False(Directory.Exists(dest));

                o.SubjectLabel = s => s.Subject + "-" + s.Cohort;
                var ex2 = Assert.Throws<BidsPlanException>(() => new BidsConverter(o).Convert(subjects));
                Assert.Contains(ex2.Problems, p => p.Contains("'s0002-c0001'") && p.Contains("not alphanumeric"));
                Assert.False(Directory.Exists(dest));

                // Two scans of the same subject and session collide on every file.
                var dup = new List<AtlasSubject> { subjects[0], subjects[0] };
                var ex3 = Assert.Throws<BidsPlanException>(() => new BidsConverter(Options(dest)).Convert(dup));
                Assert.Contains(ex3.Problems, p => p.Contains("would both write sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz"));
                Assert.False(Directory.Exists(dest));
            }
        }

        [Fact]
        public void A_mask_off_the_T1_grid_is_a_failure_naming_both_files_unless_allowed()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                // The 0.9 x 0.9 x 3 mm subject gets a mask on a 1 mm grid (the R1.1 first-cohort fault).
                string bad = Path.Combine(subjects[2].Directory, "c0002s0001t01_LesionSmooth.nii.gz");
                BidsTestData.WriteMask(bad, Grid.Create(6, 6, 4, 1, 1, 1), 1, BidsTestData.Box(1, 2, 1, 2, 1, 1));
                string dest = tmp.File("bids");
                var plan = new BidsConverter(Options(dest)).Plan(subjects);
                Assert.Equal(2, plan.Scans.Count);
                var f = Assert.Single(plan.Failures);
                var nfe = Assert.IsType<GeometryException>(f.Error);
                Assert.Equal(GeometryErrorKind.GridMismatch, nfe.Kind);
                Assert.Equal(bad, nfe.FilePath);
                Assert.Contains(subjects[2].T1Path, nfe.Message);
                // Same dimensions; the z voxel size is 3 mm against 1 mm, so the affines differ by 2 mm at most.
                Assert.Contains("affines differ by up to 2 mm", nfe.Message);
                var o = Options(dest);
                o.AllowGridMismatch = true;
                var plan2 = new BidsConverter(o).Plan(subjects);
                Assert.Empty(plan2.Failures);
                Assert.Equal(3, plan2.Scans.Count);
            }
        }

        [Fact]
        public void A_truncated_source_image_fails_its_scan_naming_the_file_and_nothing_of_the_scan_is_written()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                // A .nii.gz T1 cut short (an interrupted download): copied byte for byte, it would pass unseen.
                string t1 = subjects[2].T1Path;
                string mask = subjects[0].LesionMaskPaths[1];
                foreach (var p in new[] { t1, mask })
                    using (var fs = new FileStream(p, FileMode.Open, FileAccess.Write)) fs.SetLength(fs.Length * 2 / 3);
                string dest = tmp.File("bids");
                var results = new List<BidsSubjectResult>();
                var plan = new BidsConverter(Options(dest)).Convert(subjects, results);

                Assert.Equal(2, plan.Failures.Count);
                var damaged = plan.Failures.Select(f => ((NiftiFormatException)f.Error).FilePath).OrderBy(x => x, StringComparer.Ordinal).ToArray();
                Assert.Equal(new[] { t1, mask }.OrderBy(x => x, StringComparer.Ordinal).ToArray(), damaged);
                Assert.All(plan.Failures, f => Assert.Equal(NiftiErrorKind.Truncated, ((NiftiFormatException)f.Error).Kind));
                var failed = plan.Failures.Select(f => f.ToResult(dest)).OrderBy(r => r.ScanId, StringComparer.Ordinal).ToList();
                Assert.Equal(new[] { "sub-c0001s0002/ses-1", "sub-c0002s0001/ses-1" }, failed.Select(r => r.ToString()).ToArray());
                Assert.All(failed, r => { Assert.Equal(1, r.FilesFailed); Assert.Equal(0, r.FilesWritten); });

                // Only the whole scan is converted; no file (not even a sidecar) of the failed ones.
                var r0 = Assert.Single(results);
                Assert.Equal("c0001s0002t02", r0.ScanId);
                Assert.False(Directory.Exists(Rel(dest, "sub-c0002s0001")));
                Assert.False(Directory.Exists(Rel(dest, "sub-c0001s0002/ses-1")));
                Assert.False(Directory.Exists(Rel(dest, "derivatives/lesions/sub-c0001s0002/ses-1")));
                Assert.True(File.Exists(Rel(dest, "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz")));
            }
        }
    }
}
