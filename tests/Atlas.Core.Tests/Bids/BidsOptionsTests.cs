using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Atlas.Core.Bids;
using Atlas.Core.Nifti;
using Xunit;

namespace Atlas.Core.Tests.Bids
{
    public class BidsOptionsTests
    {
        private static string Rel(string dest, string rel) => Path.Combine(dest, rel.Replace('/', Path.DirectorySeparatorChar));
        private static string Sha(string path) { using (var s = SHA256.Create()) return Convert.ToHexString(s.ComputeHash(File.ReadAllBytes(path))).ToLowerInvariant(); }

        [Fact]
        public void Separate_lesions_and_raw_masks_keep_rank_order_and_a_distinct_desc()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                new BidsConverter(new BidsConvertOptions { Destination = dest, KeepSeparateLesions = true, IncludeRawMasks = true }).Convert(subjects);
                string a = "derivatives/lesions/sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_";
                Assert.Equal(Sha(subjects[0].LesionMaskPaths[0]), Sha(Rel(dest, a + "label-L1_desc-T1lesion_mask.nii.gz")));
                Assert.Equal(Sha(subjects[0].LesionMaskPaths[1]), Sha(Rel(dest, a + "label-L2_desc-T1lesion_mask.nii.gz")));
                Assert.False(File.Exists(Rel(dest, a + "label-L_desc-T1lesion_mask.nii.gz")));
                // The raw .voi (4 voxels) becomes .nii.gz under desc-T1lesionRaw.
                var raw = NiftiReader.Read(Rel(dest, a + "label-L1_desc-T1lesionRaw_mask.nii.gz"));
                Assert.Equal(4, raw.ToMask().Sum(b => b));
                Assert.Contains("\"Type\": \"Lesion\"", File.ReadAllText(Rel(dest, a + "label-L2_desc-T1lesion_mask.json")));
                Assert.Contains("bids:raw:sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz", File.ReadAllText(Rel(dest, a + "label-L2_desc-T1lesion_mask.json")));
                // A single mask is L1 too.
                Assert.True(File.Exists(Rel(dest, "derivatives/lesions/sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_label-L1_desc-T1lesion_mask.nii.gz")));
            }
        }

        [Fact]
        public void Anat_placement_puts_masks_beside_the_T1w_and_keeps_user_bidsignore_lines()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                Directory.CreateDirectory(dest);
                File.WriteAllText(Path.Combine(dest, ".bidsignore"), "extra/\n");
                new BidsConverter(new BidsConvertOptions { Destination = dest, MaskPlacement = BidsMaskPlacement.Anat }).Convert(subjects);
                Assert.True(File.Exists(Rel(dest, "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.nii.gz")));
                Assert.False(Directory.Exists(Rel(dest, "derivatives")));
                Assert.False(File.Exists(Rel(dest, "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_label-L_desc-T1lesion_mask.json")));
                Assert.Equal("extra/\n# Lesion masks next to the T1w as in ATLAS R2.0 (BIDS has no raw lesion-mask suffix); written by Convert-AtlasToBids\n*_desc-T1lesion*_mask.nii.gz\n*_desc-T1lesion*_mask.json\n",
                    File.ReadAllText(Path.Combine(dest, ".bidsignore")));
            }
        }

        [Fact]
        public void Standard_space_T1w_names_leave_the_space_entity_to_derivatives_unless_kept()
        {
            using (var tmp = new TempDir())
            {
                // BIDS allows space- only in derivatives: by default the raw T1w name goes without it (a valid
                // dataset) and the masks in derivatives/ keep it; -KeepSpaceEntity gives R2.0's names.
                var subjects = BidsTestData.StandardTree(tmp.File("src"));
                var plan = new BidsConverter(new BidsConvertOptions { Destination = tmp.File("a") }).Plan(subjects);
                Assert.Equal(new[] { "sub-031768", "sub-r001s001" }, plan.Scans.Select(s => s.BidsSubject).ToArray());
                Assert.Equal("sub-031768/ses-1/anat/sub-031768_ses-1_T1w.nii.gz", plan.Scans[0].T1wRelativePath);
                Assert.Contains(plan.Scans[0].Files, f => f.RelativePath == "derivatives/lesions/sub-031768/ses-1/anat/sub-031768_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz" && f.Operation == BidsFileOperation.Merge);
                Assert.DoesNotContain(plan.Scans.SelectMany(s => s.Files), f => !f.RelativePath.StartsWith("derivatives/") && f.RelativePath.Contains("_space-"));
                var plan2 = new BidsConverter(new BidsConvertOptions { Destination = tmp.File("b"), KeepSpaceEntity = true }).Plan(subjects);
                Assert.Equal("sub-031768/ses-1/anat/sub-031768_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz", plan2.Scans[0].T1wRelativePath);
            }
        }

        [Fact]
        public void Nothing_is_written_when_no_file_is_approved()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                var c = new BidsConverter(new BidsConvertOptions { Destination = dest });
                var plan = c.Plan(subjects);
                var asked = new List<string>();
                Func<BidsPlannedFile, bool> no = f => { asked.Add(f.RelativePath); return false; };
                c.WriteFiles(plan.HeadFiles, no, null);
                foreach (var s in plan.Scans) c.ConvertScan(s, no, null);
                c.WriteFiles(plan.TailFiles, no, null);
                Assert.False(Directory.Exists(dest));
                Assert.Equal(plan.AllFiles.Select(f => f.RelativePath).ToArray(), asked.ToArray());
                Assert.Equal(21, asked.Count);
            }
        }

        [Fact]
        public void A_differing_image_is_rebuilt_with_the_reason_and_text_files_follow_the_sources()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string dest = tmp.File("bids");
                new BidsConverter(new BidsConvertOptions { Destination = dest }).Convert(subjects);
                string t1 = Rel(dest, "sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.nii.gz");
                string mask = Rel(dest, "derivatives/lesions/sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_label-L_desc-T1lesion_mask.nii.gz");
                File.WriteAllBytes(t1, new byte[] { 1, 2, 3 });
                File.WriteAllBytes(mask, new byte[] { 4, 5 });
                File.AppendAllText(Rel(dest, "README"), "my notes\n");
                subjects[2].Metadata["StrokeType"] = "ischemic";

                // The one regeneration rule: a file that differs from what the conversion writes is stale and
                // rebuilt without Force, the reason reported; README is written only when absent, so edits stay.
                var errors = new List<Exception>();
                var rebuilt = new Dictionary<string, string>();
                var c = new BidsConverter(new BidsConvertOptions { Destination = dest }) { Rebuilding = (f, why) => rebuilt[f.FullPath] = why };
                var plan = c.Plan(subjects);
                c.WriteFiles(plan.HeadFiles, f => true, (f, e) => errors.Add(e));
                foreach (var s in plan.Scans) c.ConvertScan(s, f => true, (f, e) => errors.Add(e));
                c.WriteFiles(plan.TailFiles, f => true, (f, e) => errors.Add(e));
                Assert.Empty(errors);
                Assert.StartsWith("it differs from its source", rebuilt[t1]);
                Assert.Equal("it differs from what the conversion writes now", rebuilt[mask]);
                Assert.Equal(Sha(subjects[2].T1Path), Sha(t1));
                Assert.Equal(4, NiftiReader.Read(mask).ToMask().Sum(b => b));
                Assert.EndsWith("my notes\n", File.ReadAllText(Rel(dest, "README")));
                Assert.Contains("sub-c0002s0001\tc0002\t1.5\tGE\tischemic", File.ReadAllText(Rel(dest, "participants.tsv")));

                new BidsConverter(new BidsConvertOptions { Destination = dest, Force = true }).Convert(subjects);
                Assert.DoesNotContain("my notes", File.ReadAllText(Rel(dest, "README")));
            }
        }

        [Fact]
        public void Link_modes_link_nii_gz_sources_and_still_convert_the_others()
        {
            if (OperatingSystem.IsWindows()) return; // link counts checked with stat(1) below
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string hard = tmp.File("hard"), soft = tmp.File("soft");
                new BidsConverter(new BidsConvertOptions { Destination = hard, LinkMode = BidsLinkMode.HardLink }).Convert(subjects);
                new BidsConverter(new BidsConvertOptions { Destination = soft, LinkMode = BidsLinkMode.SymbolicLink }).Convert(subjects);
                string t1 = "sub-c0001s0002/ses-1/anat/sub-c0001s0002_ses-1_T1w.nii.gz";
                string t1nii = "sub-c0001s0002/ses-2/anat/sub-c0001s0002_ses-2_T1w.nii.gz";

                // Hard link: same inode as the source (stat %i), link count 2.
                Assert.Equal(Stat("%i", subjects[0].T1Path), Stat("%i", Rel(hard, t1)));
                Assert.Equal("2", Stat("%h", subjects[0].T1Path));
                // The .nii source cannot be linked: it is compressed into a file of its own.
                Assert.Equal("1", Stat("%h", Rel(hard, t1nii)));

                var fi = new FileInfo(Rel(soft, t1));
                Assert.Equal(subjects[0].T1Path, fi.LinkTarget);
                Assert.Null(new FileInfo(Rel(soft, t1nii)).LinkTarget);

                // Reruns skip the links (mapping says same operation, same source checksum).
                var outcomes = new List<BidsFileOutcome>();
                new BidsConverter(new BidsConvertOptions { Destination = soft, LinkMode = BidsLinkMode.SymbolicLink }) { FileCompleted = (f, o) => outcomes.Add(o) }.Convert(subjects);
                Assert.All(outcomes, o => Assert.Equal(BidsFileOutcome.Skipped, o));
                Assert.Contains("\tsymboliclink\t", File.ReadAllText(Rel(soft, BidsConverter.MappingPath)));

                // Sources are never modified.
                Assert.True(File.Exists(subjects[0].T1Path));
            }
        }

        [Fact]
        public void Old_scaled_voi_and_analyze_pair_sources_are_handled()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                var s = subjects[2];
                var g = Atlas.Core.Volumes.Grid.Create(6, 6, 4, 0.9, 0.9, 3);
                // The T1 as an .hdr/.img pair.
                var t1 = NiftiReader.Read(s.T1Path);
                string pair = Path.Combine(s.Directory, "c0002s0001t01.hdr");
                NiftiWriter.Write(t1, pair);
                s.T1Path = pair;
                // A very old VOI: 100 with scl_slope 0.01 (value 1 after scaling), as a secondary mask of 2 voxels.
                var raw = new byte[g.VoxelCount];
                raw[g.Index(5, 5, 3)] = 100; raw[g.Index(0, 0, 0)] = 100;
                var h = Atlas.Core.Volumes.AtlasVolume.MakeHeader(g, NiftiDataType.UInt8);
                h.SclSlope = 0.01;
                string voi = Path.Combine(s.Directory, "c0002s0001t01_LesionSmooth_1.voi");
                NiftiWriter.Write(new Atlas.Core.Volumes.AtlasVolume(h, raw), voi);
                s.LesionMaskPaths = new[] { s.LesionMaskPaths[0], voi };

                string dest = tmp.File("bids");
                new BidsConverter(new BidsConvertOptions { Destination = dest }).Convert(new[] { s });
                var outT1 = NiftiReader.Read(Rel(dest, "sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_T1w.nii.gz"));
                Assert.Equal((float[])t1.Data, (float[])outT1.Data);
                Assert.True(t1.Grid.Matches(outT1.Grid, 0));
                var merged = NiftiReader.Read(Rel(dest, "derivatives/lesions/sub-c0002s0001/ses-1/anat/sub-c0002s0001_ses-1_label-L_desc-T1lesion_mask.nii.gz"));
                var m = (byte[])merged.Data;
                Assert.Equal(27 + 2, m.Count(b => b == 1)); // the 3x3x3 box plus the two VOI voxels, all stored as 1
                Assert.Equal(m.Length, m.Count(b => b <= 1));
                Assert.Equal(1.0, merged.Header.EffectiveSlope);
            }
        }

        [Fact]
        public void Shards_converted_one_after_the_other_build_one_dataset()
        {
            using (var tmp = new TempDir())
            {
                var subjects = BidsTestData.NativeTree(tmp.File("src"));
                string whole = tmp.File("whole"), sharded = tmp.File("sharded");
                new BidsConverter(new BidsConvertOptions { Destination = whole }).Convert(subjects);
                new BidsConverter(new BidsConvertOptions { Destination = sharded }).Convert(new[] { subjects[2] });
                new BidsConverter(new BidsConvertOptions { Destination = sharded }).Convert(new[] { subjects[0], subjects[1] });
                // Rows of the other shard's participant are kept, and so are its mapping rows: the same tree.
                Assert.Equal(BidsTestData.Snapshot(whole), BidsTestData.Snapshot(sharded));
            }
        }

        private static string Stat(string format, string path)
        {
            var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(format); psi.ArgumentList.Add(path);
            using (var p = Process.Start(psi)) { string s = p.StandardOutput.ReadToEnd().Trim(); p.WaitForExit(); return s; }
        }
    }
}
