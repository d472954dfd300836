using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>Layouts on hand-made trees of empty files (the scanner reads names only).</summary>
    public class ScannerTests
    {
        private static void Touch(string root, params string[] relative)
        {
            foreach (var r in relative)
            {
                string p = Path.Combine(root, r.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(p));
                File.WriteAllBytes(p, new byte[0]);
            }
        }

        [Fact]
        public void NativeBothFolderFormsRanksAndPreferences()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "c0011/c0011s0004t01/c0011s0004t01.nii.gz",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionRaw.voi",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionRaw_1.voi",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionRaw_2.voi",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionRaw_10.voi",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionSmooth.voi",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionSmooth.nii.gz",
                    "c0011/c0011s0004t01/c0011s0004t01_LesionSmooth_1.voi",          // no .nii.gz of rank 1: the .voi is used
                    "c0011/c0011s0004t01/c0011s0004t01_LesionSmooth_2.nii.gz",
                    // the second folder form: cXXXX/cXXXXsXXXX/tXX/
                    "c0002/c0002s0007/t02/c0002s0007t02.nii.gz",
                    "c0002/c0002s0007/t02/c0002s0007t02_LesionRaw.voi",              // raw only: LesionMaskPaths falls back to raw
                    "c0002/c0002s0007/t02/notes.txt",                                // a document: ignored
                    "c0002/c0002s0007/t02/c0002s0007t02_brainmask.nii.gz",           // matches nothing: reported
                    "c0003/c0003s0001t01/c0004s0001t01.nii.gz",                      // in the wrong cohort folder: reported
                    "participants.csv");
                var r = DatasetScanner.Scan(t.Path);
                Assert.Equal(AtlasLayout.Native, r.Layout);
                Assert.Equal(2, r.Subjects.Count);

                var a = r.Subjects.Single(s => s.SubjectId == "c0011s0004t01");
                Assert.Equal("c0011", a.Cohort);
                Assert.Equal("c0011", a.Site);
                Assert.Equal("s0004", a.Subject);
                Assert.Equal(1, a.Session);
                Assert.Equal(AtlasSpace.Native, a.Space);
                Assert.EndsWith("c0011s0004t01.nii.gz", a.T1Path);
                Assert.Equal(new[] { "_LesionSmooth.nii.gz", "_LesionSmooth_1.voi", "_LesionSmooth_2.nii.gz" }, a.LesionMaskPaths.Select(Suffix));
                Assert.Equal(a.LesionMaskPaths, a.SmoothLesionMaskPaths);
                Assert.Equal(new[] { "_LesionRaw.voi", "_LesionRaw_1.voi", "_LesionRaw_2.voi", "_LesionRaw_10.voi" }, a.RawLesionMaskPaths.Select(Suffix));
                Assert.Equal(3, a.LesionFileCount);
                Assert.Equal(a.RawLesionMaskPaths[3], a.GetMaskPath("LesionRaw", 3));
                Assert.Null(a.GetMaskPath("LesionRaw", 4));

                var b = r.Subjects.Single(s => s.SubjectId == "c0002s0007t02");
                Assert.Equal(2, b.Session);
                Assert.Equal(new[] { "_LesionRaw.voi" }, b.LesionMaskPaths.Select(Suffix));
                Assert.Empty(b.SmoothLesionMaskPaths);

                Assert.Equal(2, r.UnmatchedFiles.Count);
                Assert.Contains(r.UnmatchedFiles, f => f.EndsWith("c0002s0007t02_brainmask.nii.gz"));
                Assert.Contains(r.UnmatchedFiles, f => f.EndsWith("c0004s0001t01.nii.gz"));
                Assert.Equal(2, r.Warnings.Count(w => w.Contains("matches no Native layout name")));
            }
        }

        private static string Suffix(string p)
        {
            string n = Path.GetFileName(p);
            return n.Substring(n.IndexOf('_'));
        }

        [Fact]
        public void IndiStandardizedWithNumericIds()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "Site1/031768/t01/031768_t1w_deface_stx.nii.gz",
                    "Site1/031768/t01/031768_LesionSmooth_stx.nii.gz",
                    "Site1/031768/t01/031768_LesionSmooth_1_stx.nii.gz",
                    "Site2/031859/t01/031859_t1w_deface_stx.nii.gz",
                    "Site2/031859/t01/031859_LesionSmooth_stx.nii.gz",
                    "Site2/031859/t02/031859_t1w_deface_stx.nii.gz");
                var r = DatasetScanner.Scan(t.Path);
                Assert.Equal(AtlasLayout.Standardized, r.Layout);
                Assert.Equal(new[] { "031768_t01", "031859_t01", "031859_t02" }, r.Subjects.Select(s => s.ScanId));
                var a = r.Subjects[0];
                Assert.Equal("031768", a.SubjectId);
                Assert.Equal("Site1", a.Site);
                Assert.Equal(AtlasSpace.MNI152, a.Space);
                Assert.Equal(2, a.LesionFileCount);
                Assert.EndsWith("031768_LesionSmooth_1_stx.nii.gz", a.LesionMaskPaths[1]);
                Assert.Equal(2, r.Subjects[2].Session);
                Assert.Equal(0, r.Subjects[2].LesionFileCount);
                Assert.Empty(r.UnmatchedFiles);
            }
        }

        [Fact]
        public void R12StxVariant()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "c0001/c0001s0001t01/c0001s0001t01_t1w_stx.nii.gz",
                    "c0001/c0001s0001t01/c0001s0001t01_LesionSmooth_stx.nii.gz",
                    "c0001/c0001s0001t01/c0001s0001t01_LesionSmooth_1_stx.nii.gz");
                var r = DatasetScanner.Scan(t.Path);
                Assert.Equal(AtlasLayout.Standardized, r.Layout);
                var s = Assert.Single(r.Subjects);
                Assert.Equal("c0001s0001t01", s.SubjectId);
                Assert.Equal(AtlasSpace.MNI152, s.Space);
                Assert.Equal(2, s.LesionFileCount);
                // Forced to Native, the _stx names match nothing and are reported.
                var n = DatasetScanner.Scan(t.Path, new DatasetScanOptions { Layout = AtlasLayout.Native });
                Assert.Empty(n.Subjects);
                Assert.Equal(3, n.UnmatchedFiles.Count);
            }
        }

        [Fact]
        public void R20BidsNestedCohortsAndTestingWithoutMasks()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                    "Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.json",
                    "Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz",
                    "Training/R052/sub-r052s014/ses-1/anat/sub-r052s014_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                    "Training/R052/sub-r052s014/ses-1/anat/sub-r052s014_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz",
                    "Testing/R009/sub-r009s003/ses-1/anat/sub-r009s003_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                    "dataset_description.json",
                    "Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_desc-brain_mask.nii.gz");
                var r = DatasetScanner.Scan(t.Path);
                Assert.Equal(AtlasLayout.Bids, r.Layout);
                Assert.Equal(new[] { "sub-r001s001", "sub-r009s003", "sub-r052s014" }, r.Subjects.Select(s => s.SubjectId));
                var a = r.Subjects[0];
                Assert.Equal("R001", a.Cohort);
                Assert.Equal("r001s001", a.Subject);
                Assert.Equal("sub-r001s001_ses-1", a.ScanId);
                Assert.Equal(1, a.Session);
                Assert.Equal(AtlasSpace.MNI152, a.Space);
                Assert.Single(a.LesionMaskPaths);
                Assert.Equal(0, r.Subjects[1].LesionFileCount);
                Assert.Equal("R009", r.Subjects[1].Cohort);
                // The brain mask is not a lesion mask: reported, not taken as one.
                Assert.Single(r.UnmatchedFiles);
                Assert.EndsWith("desc-brain_mask.nii.gz", r.UnmatchedFiles[0]);
            }
        }

        [Fact]
        public void PlainBidsWithDerivativeMasks()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_T1w.nii.gz",
                    "sub-c0001s0001/ses-2/anat/sub-c0001s0001_ses-2_T1w.nii.gz",
                    "derivatives/lesions/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_label-L_desc-lesion_mask.nii.gz",
                    "derivatives/lesions/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_label-L_desc-lesion2_mask.nii.gz",
                    "derivatives/lesions/sub-c0001s0001/ses-1/anat/sub-c0001s0001_ses-1_label-L_desc-lesion1_mask.nii.gz",
                    "sub-c0002s0003/anat/sub-c0002s0003_T1w.nii.gz",
                    "sub-c0002s0003/anat/sub-c0002s0003_label-L_desc-lesion_mask.nii.gz",
                    "participants.tsv");
                var r = DatasetScanner.Scan(t.Path);
                Assert.Equal(AtlasLayout.Bids, r.Layout);
                Assert.Equal(new[] { "sub-c0001s0001_ses-1", "sub-c0001s0001_ses-2", "sub-c0002s0003" }, r.Subjects.Select(s => s.ScanId));
                var a = r.Subjects[0];
                Assert.Null(a.Cohort);
                Assert.Equal(AtlasSpace.Native, a.Space);
                Assert.Contains(Path.Combine("sub-c0001s0001", "ses-1", "anat"), a.Directory);
                Assert.DoesNotContain("derivatives", a.Directory);
                Assert.Equal(new[] { "desc-lesion_mask", "desc-lesion1_mask", "desc-lesion2_mask" },
                    a.LesionMaskPaths.Select(p => Path.GetFileName(p).Substring(Path.GetFileName(p).IndexOf("desc-")).Replace(".nii.gz", "")));
                Assert.Equal(0, r.Subjects[1].LesionFileCount);
                Assert.Equal(1, r.Subjects[2].LesionFileCount);
                Assert.Empty(r.UnmatchedFiles);
            }
        }

        [Fact]
        public void MissingRootAndBadShardArguments()
        {
            Assert.Throws<DirectoryNotFoundException>(() => DatasetScanner.Scan("/nonexistent/atlas-root"));
            using (var t = new TempDir())
            {
                var file = System.IO.Path.Combine(t.Path, "c0001s0001t01.nii.gz");
                File.WriteAllText(file, "x");
                var e = Assert.Throws<Atlas.Core.Nifti.NiftiFormatException>(() => DatasetScanner.Scan(file));
                Assert.Equal(Atlas.Core.Nifti.NiftiErrorKind.InvalidArgument, e.Kind);
                Assert.Equal(file, e.FilePath);
                Assert.Contains("not a dataset folder", e.Message);
                Assert.Throws<ArgumentException>(() => DatasetScanner.Scan(t.Path, new DatasetScanOptions { ShardCount = 0 }));
                Assert.Throws<ArgumentException>(() => DatasetScanner.Scan(t.Path, new DatasetScanOptions { ShardCount = 3, ShardIndex = 3 }));
            }
        }

        [Fact]
        public void ShardsPartitionExactlyAndHashIsStable()
        {
            // FNV-1a 32-bit reference vectors (Fowler/Noll/Vo): "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
            Assert.Equal(0x811c9dc5u, SubjectShard.Hash(""));
            Assert.Equal(0xe40c292cu, SubjectShard.Hash("a"));
            Assert.Equal(0xbf9cf968u, SubjectShard.Hash("foobar"));
            using (var t = new TempDir())
            {
                var names = new List<string>();
                for (int n = 1; n <= 60; n++)
                {
                    string scan = "c0001s" + n.ToString("0000") + "t01";
                    Touch(t.Path, "c0001/" + scan + "/" + scan + ".nii.gz");
                    names.Add(scan);
                }
                var all = DatasetScanner.Scan(t.Path).Subjects.Select(s => s.SubjectId).ToList();
                Assert.Equal(60, all.Count);
                foreach (int count in new[] { 1, 2, 3, 7 })
                {
                    var seen = new List<string>();
                    for (int i = 0; i < count; i++)
                    {
                        var part = DatasetScanner.Scan(t.Path, new DatasetScanOptions { ShardIndex = i, ShardCount = count }).Subjects;
                        foreach (var s in part) Assert.Equal(i, (int)(SubjectShard.Hash(s.SubjectId) % (uint)count));
                        seen.AddRange(part.Select(s => s.SubjectId));
                    }
                    seen.Sort(StringComparer.Ordinal);
                    Assert.Equal(all, seen);      // every subject exactly once
                }
            }
        }

        [Fact]
        public void FilterKeepsMatchingSubjects()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "c0001/c0001s0001t01/c0001s0001t01.nii.gz", "c0002/c0002s0001t01/c0002s0001t01.nii.gz");
                var r = DatasetScanner.Scan(t.Path, new DatasetScanOptions { Filter = s => s.Cohort == "c0002" });
                Assert.Equal("c0002s0001t01", Assert.Single(r.Subjects).SubjectId);
                Assert.Equal(2, r.TotalSubjects);
            }
        }

        [Fact]
        public void MissingMetadataRowsAreReportedOnlyForKeptSubjects()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "c0001/c0001s0001t01/c0001s0001t01.nii.gz", "c0002/c0002s0001t01/c0002s0001t01.nii.gz",
                    "c0003/c0003s0001t01/c0003s0001t01.nii.gz");
                var meta = MetadataTable.FromCells("meta.csv", new List<object[]> { new object[] { "Subject ID", "PVH" }, new object[] { "c0001s0001", 1 } });
                var kept = DatasetScanner.Scan(t.Path, new DatasetScanOptions { Metadata = meta, Filter = s => s.Cohort == "c0001" });
                Assert.True(Assert.Single(kept.Subjects).HasMetadata);
                Assert.DoesNotContain(kept.Warnings, w => w.Contains("has no row"));
                var other = DatasetScanner.Scan(t.Path, new DatasetScanOptions { Metadata = meta, Filter = s => s.Cohort == "c0002" });
                Assert.False(Assert.Single(other.Subjects).HasMetadata);
                Assert.Equal("c0002s0001t01", Assert.Single(other.Warnings, w => w.Contains("has no row")).Split(' ')[1]);
                // The row of a subject left out by the filter is still no orphan.
                Assert.DoesNotContain(other.Warnings, w => w.Contains("matches no subject"));
                var all = DatasetScanner.Scan(t.Path, new DatasetScanOptions { Metadata = meta });
                Assert.Equal(2, all.Warnings.Count(w => w.Contains("has no row")));
            }
        }

        [Fact]
        public void MaskRankFromNames()
        {
            Assert.Equal(0, DatasetScanner.MaskRank("/x/c0001s0001t01_LesionSmooth.nii.gz"));
            Assert.Equal(12, DatasetScanner.MaskRank("/x/c0001s0001t01_LesionRaw_12.voi"));
            Assert.Equal(2, DatasetScanner.MaskRank("/x/031768_LesionSmooth_2_stx.nii.gz"));
            Assert.Equal(0, DatasetScanner.MaskRank("/x/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz"));
            Assert.Equal(1, DatasetScanner.MaskRank("/x/sub-a_label-L_desc-lesion1_mask.nii.gz"));
            Assert.Equal(1, DatasetScanner.MaskRank("/x/sub-a_label-L_run-2_mask.nii.gz"));
        }
    }
}
