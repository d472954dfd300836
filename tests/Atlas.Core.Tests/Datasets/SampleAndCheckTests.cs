using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Atlas.Core.Datasets;
using Atlas.Core.Samples;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>One 4-subject sample dataset shared by the tests of this class (generating it is the slow part).</summary>
    public sealed class SampleFixture : IDisposable
    {
        public SampleFixture()
        {
            Dir = new TempDir();
            Root = Path.Combine(Dir.Path, "ds");
            Result = SampleDataset.Generate(Root, 4, 1);
        }

        public TempDir Dir { get; }
        public string Root { get; }
        public SampleDatasetResult Result { get; }
        public void Dispose() => Dir.Dispose();
    }

    public class SampleAndCheckTests : IClassFixture<SampleFixture>
    {
        private readonly SampleFixture _f;
        private readonly ITestOutputHelper _out;

        public SampleAndCheckTests(SampleFixture f, ITestOutputHelper output) { _f = f; _out = output; }

        [Fact]
        public void SampleHasTheDocumentedShape()
        {
            var r = _f.Result;
            // 4 subjects; subject 1 (n % 3 == 1) has a second time point → 5 scans; lesions 2, 1, 3, 1 by the pattern.
            Assert.Equal(4, r.SubjectCount);
            Assert.Equal(5, r.ScanCount);
            Assert.Equal(7, r.LesionCount);
            var scan = DatasetScanner.Scan(_f.Root, new DatasetScanOptions { MetadataPath = r.MetadataPath });
            Assert.Equal(AtlasLayout.Native, scan.Layout);
            Assert.Empty(scan.Warnings);
            Assert.Equal(new[] { "c0001s0001t01", "c0002s0001t01", "c0002s0001t02", "c0003s0001t01", "c0004s0001t01" }, scan.Subjects.Select(s => s.ScanId));
            Assert.Equal(new[] { 2, 1, 1, 3, 1 }, scan.Subjects.Select(s => s.LesionFileCount));
            Assert.All(scan.Subjects, s => Assert.True(s.HasMetadata));
            Assert.All(scan.Subjects, s => Assert.Equal(s.LesionFileCount, s.RawLesionMaskPaths.Length));

            var t1 = NiftiReader.Read(scan.Subjects[0].T1Path, new NiftiReadOptions { HeaderOnly = true });
            Assert.Equal(new[] { 144, 176, 152 }, t1.Dimensions);
            Assert.Equal("RAS", t1.Orientation);
            Assert.Equal(NiftiDataType.Int16, t1.DataType);
            // x = 0 lies halfway between the two middle columns (71 and 72).
            Assert.Equal(-0.5, t1.VoxelToWorld(71, 0, 0)[0], 6);
            Assert.Equal(0.5, t1.VoxelToWorld(72, 0, 0)[0], 6);
            var low = NiftiReader.Read(scan.Subjects[4].T1Path, new NiftiReadOptions { HeaderOnly = true });
            Assert.Equal(new[] { 160, 196, 51 }, low.Dimensions);
            Assert.Equal(0.9, low.VoxelSizeMm[0], 5);
            Assert.Equal(3.0, low.VoxelSizeMm[2], 5);
        }

        [Fact]
        public void MetadataAgreesWithTheMasks()
        {
            // Independently of the generator: hemisphere from the centroid's world x of each smoothed mask,
            // and the primary (no number) is the largest.
            var scan = DatasetScanner.Scan(_f.Root, new DatasetScanOptions { MetadataPath = _f.Result.MetadataPath });
            foreach (var s in scan.Subjects)
            {
                int left = 0, right = 0;
                long previous = long.MaxValue;
                string primaryHemi = null;
                foreach (var p in s.SmoothLesionMaskPaths)
                {
                    var v = NiftiReader.Read(p);
                    var m = v.ToMask();
                    double sumX = 0; long n = 0;
                    for (int k = 0; k < v.Grid.NZ; k++)
                        for (int j = 0; j < v.Grid.NY; j++)
                            for (int i = 0; i < v.Grid.NX; i++)
                                if (m[v.Grid.Index(i, j, k)] != 0) { sumX += v.VoxelToWorld(i, j, k)[0]; n++; }
                    Assert.True(n > 0, p + " is empty");
                    Assert.True(n <= previous, p + " is larger than the mask ranked before it");
                    previous = n;
                    if (sumX < 0) left++; else right++;
                    primaryHemi = primaryHemi ?? (sumX < 0 ? "Left" : "Right");
                }
                int metaLeft = (int)s.GetMetadata("StrokesLhCortical") + (int)s.GetMetadata("StrokesLhSubcortical");
                int metaRight = (int)s.GetMetadata("StrokesRhCortical") + (int)s.GetMetadata("StrokesRhSubcortical");
                Assert.Equal(left, metaLeft);
                Assert.Equal(right, metaRight);
                Assert.Equal(primaryHemi, s.GetMetadata("Hemisphere"));
                Assert.Equal(s.Session == 1 ? "t01" : "t02", s.GetMetadata("SheetSession"));
            }
        }

        [Fact]
        public void RawMasksAreJaggedAndSmoothingRemovesIt()
        {
            // Jagged = many surface voxels: the raw mask's boundary-face count exceeds the smoothed one's.
            var s = DatasetScanner.Scan(_f.Root).Subjects[0];
            var raw = NiftiReader.Read(s.RawLesionMaskPaths[0]);
            var sm = NiftiReader.Read(s.SmoothLesionMaskPaths[0]);
            Assert.Equal("B", raw.Header.IntentName);
            Assert.True(raw.Grid.Matches(sm.Grid));
            long Faces(AtlasVolume v)
            {
                var m = v.ToMask(); var g = v.Grid; long f = 0;
                for (int k = 1; k < g.NZ - 1; k++) for (int j = 1; j < g.NY - 1; j++) for (int i = 1; i < g.NX - 1; i++)
                {
                    if (m[g.Index(i, j, k)] == 0) continue;
                    f += (m[g.Index(i + 1, j, k)] == 0 ? 1 : 0) + (m[g.Index(i - 1, j, k)] == 0 ? 1 : 0) + (m[g.Index(i, j + 1, k)] == 0 ? 1 : 0)
                       + (m[g.Index(i, j - 1, k)] == 0 ? 1 : 0) + (m[g.Index(i, j, k + 1)] == 0 ? 1 : 0) + (m[g.Index(i, j, k - 1)] == 0 ? 1 : 0);
                }
                return f;
            }
            long fr = Faces(raw), fs = Faces(sm);
            _out.WriteLine("faces raw " + fr + ", smoothed " + fs);
            Assert.True(fr > 1.2 * fs, "raw " + fr + " vs smoothed " + fs);
            // Lesions are dark on the T1: mean inside the primary below the mean of the brain around it.
            var t1 = NiftiReader.Read(s.T1Path).ToFloat32();
            var pm = sm.ToMask();
            double inside = 0; long ni = 0;
            for (long i = 0; i < pm.LongLength; i++) if (pm[i] != 0) { inside += t1[i]; ni++; }
            Assert.InRange(inside / ni, 200, 400);
        }

        [Fact]
        public void SameSeedSameBytes()
        {
            using (var t = new TempDir())
            {
                var sw = Stopwatch.StartNew();
                var r = SampleDataset.Generate(t.Path, 1, 1);
                _out.WriteLine("1 subject: " + sw.ElapsedMilliseconds + " ms");
                string a = Path.Combine(t.Path, "c0001", "c0001s0001t01", "c0001s0001t01.nii.gz");
                string b = Path.Combine(_f.Root, "c0001", "c0001s0001t01", "c0001s0001t01.nii.gz");
                Assert.Equal(File.ReadAllBytes(b), File.ReadAllBytes(a));
                Assert.Equal(File.ReadAllBytes(Path.Combine(_f.Root, "c0001", "c0001s0001t01", "c0001s0001t01_LesionRaw_1.voi")),
                             File.ReadAllBytes(Path.Combine(t.Path, "c0001", "c0001s0001t01", "c0001s0001t01_LesionRaw_1.voi")));
                Assert.Throws<NotSupportedException>(() => SampleDataset.Generate(t.Path, 1, 1, AtlasLayout.Bids));
                Assert.Throws<ArgumentOutOfRangeException>(() => SampleDataset.Generate(t.Path, 0, 1));
            }
        }

        [SkippableFact]
        public void NibabelReadsTheSampleAsRas()
        {
            string python = Peers.RequirePython("nibabel");
            string t1 = Path.Combine(_f.Root, "c0004", "c0004s0001t01", "c0004s0001t01.nii.gz");
            string o = Peers.Run(python, new[] { "-c", "import nibabel as nib,sys; i=nib.load(sys.argv[1]); print(''.join(nib.aff2axcodes(i.affine)), i.shape, [round(float(z),3) for z in i.header.get_zooms()], round(float((i.affine @ [79.5,0,0,1])[0]),4)+0.0)", t1 }).Trim();
            Assert.Equal("RAS (160, 196, 51) [0.9, 0.9, 3.0] 0.0", o);
        }

        [Fact]
        public void CleanSampleHasNoFindings()
        {
            var scan = DatasetScanner.Scan(_f.Root, new DatasetScanOptions { MetadataPath = _f.Result.MetadataPath });
            foreach (var s in scan.Subjects)
            {
                Assert.Empty(DatasetChecker.Check(s));
                Assert.Empty(DatasetChecker.Check(s, new DatasetCheckOptions { Deep = true }));
            }
        }

        // ------------------------------------------------------------------ broken copies

        private string CopySubject(TempDir t, string scanId)
        {
            string cohort = scanId.Substring(0, 5);
            string src = Path.Combine(_f.Root, cohort, scanId);
            string dst = Path.Combine(t.Path, cohort, scanId);
            Directory.CreateDirectory(dst);
            foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(dst, Path.GetFileName(f)));
            return dst;
        }

        private static List<DatasetFinding> CheckOne(string root, string metadata = null, bool deep = true)
        {
            var s = Assert.Single(DatasetScanner.Scan(root, new DatasetScanOptions { MetadataPath = metadata }).Subjects);
            return DatasetChecker.Check(s, new DatasetCheckOptions { Deep = deep });
        }

        [Fact]
        public void ShiftedMaskIsOffGrid()
        {
            using (var t = new TempDir())
            {
                string d = CopySubject(t, "c0002s0001t01");
                string mask = Path.Combine(d, "c0002s0001t01_LesionSmooth.nii.gz");
                var v = NiftiReader.Read(mask);
                var a = v.Grid.Affine;
                a[0, 3] += 0.5;   // half a voxel: the misalignment of the first R1.1 cohorts
                var moved = AtlasVolume.FromMask(new Grid(v.Grid.NX, v.Grid.NY, v.Grid.NZ, v.VoxelSizeMm, a), v.ToMask());
                NiftiWriter.Write(moved, mask);
                var f = CheckOne(t.Path, deep: false);
                var g = Assert.Single(f);
                Assert.Equal(DatasetChecker.MaskGrid, g.Check);
                Assert.Equal(FindingSeverity.Error, g.Severity);
                Assert.Equal(mask, g.Path);
                Assert.Contains("0.5 mm", g.Message);
            }
        }

        [Fact]
        public void TinyAffineDifferenceIsTolerated()
        {
            using (var t = new TempDir())
            {
                string d = CopySubject(t, "c0002s0001t01");
                string mask = Path.Combine(d, "c0002s0001t01_LesionSmooth.nii.gz");
                var v = NiftiReader.Read(mask);
                var a = v.Grid.Affine;
                a[1, 3] += 0.0004;
                NiftiWriter.Write(AtlasVolume.FromMask(new Grid(v.Grid.NX, v.Grid.NY, v.Grid.NZ, v.VoxelSizeMm, a), v.ToMask()), mask);
                Assert.Empty(CheckOne(t.Path));
            }
        }

        [Fact]
        public void Mask255AndNonBinaryAndEmpty()
        {
            using (var t = new TempDir())
            {
                string d = CopySubject(t, "c0003s0001t01");
                string s0 = Path.Combine(d, "c0003s0001t01_LesionSmooth.nii.gz");
                string s1 = Path.Combine(d, "c0003s0001t01_LesionSmooth_1.nii.gz");
                string s2 = Path.Combine(d, "c0003s0001t01_LesionSmooth_2.nii.gz");
                var v0 = NiftiReader.Read(s0);
                var m255 = v0.ToMask();
                for (int i = 0; i < m255.Length; i++) m255[i] = (byte)(m255[i] * 255);
                NiftiWriter.Write(AtlasVolume.FromArray(v0.Grid, m255, NiftiDataType.UInt8), s0);
                var v1 = NiftiReader.Read(s1);
                var f1 = v1.ToFloat32();
                int first = Array.FindIndex(f1, x => x != 0);
                f1[first] = 0.5f;
                NiftiWriter.Write(AtlasVolume.FromFloat32(v1.Grid, f1), s1);
                var v2 = NiftiReader.Read(s2);
                NiftiWriter.Write(AtlasVolume.FromMask(v2.Grid, new byte[v2.Grid.VoxelCount]), s2);

                Assert.Empty(CheckOne(t.Path, deep: false));   // headers alone cannot tell
                var f = CheckOne(t.Path);
                Assert.Equal(3, f.Count);
                Assert.Contains(f, x => x.Check == DatasetChecker.Mask255 && x.Path == s0 && x.Severity == FindingSeverity.Warning);
                Assert.Contains(f, x => x.Check == DatasetChecker.MaskNotBinary && x.Path == s1 && x.Message.Contains("0.5") && x.Message.Contains(" 1 voxels"));
                Assert.Contains(f, x => x.Check == DatasetChecker.MaskEmpty && x.Path == s2);
            }
        }

        [Fact]
        public void OverlapNumberingCountMissingAndUnreadable()
        {
            using (var t = new TempDir())
            {
                string d = CopySubject(t, "c0003s0001t01");
                // Overlap: the secondary _1 (smooth, both formats) becomes a copy of the primary.
                string p0 = Path.Combine(d, "c0003s0001t01_LesionSmooth.nii.gz");
                File.Copy(p0, Path.Combine(d, "c0003s0001t01_LesionSmooth_1.nii.gz"), true);
                // Numbering gap: raw _2 renamed _3.
                File.Move(Path.Combine(d, "c0003s0001t01_LesionRaw_2.voi"), Path.Combine(d, "c0003s0001t01_LesionRaw_3.voi"));
                // Unreadable: the smoothed _2 truncated.
                string p2 = Path.Combine(d, "c0003s0001t01_LesionSmooth_2.nii.gz");
                var bytes = File.ReadAllBytes(p2);
                File.WriteAllBytes(p2, bytes.Take(bytes.Length / 2).ToArray());
                // Metadata: the row says 2 lesions instead of 3; the T1 goes missing.
                string csv = Path.Combine(t.Path, "meta.csv");
                File.WriteAllText(csv, "Subject ID,Session,# Strokes LH Cortical,# Strokes RH Cortical\nc0003s0001,t01,1,1\n");
                File.Delete(Path.Combine(d, "c0003s0001t01.nii.gz"));

                var f = CheckOne(t.Path, csv);
                foreach (var x in f) _out.WriteLine(x.ToString());
                Assert.Contains(f, x => x.Check == DatasetChecker.T1Missing);
                Assert.Contains(f, x => x.Check == DatasetChecker.MaskOverlap && x.Path.EndsWith("_LesionSmooth_1.nii.gz"));
                Assert.Contains(f, x => x.Check == DatasetChecker.MaskNumbering && x.Path.EndsWith("_LesionRaw_3.voi") && x.Message.Contains("_2"));
                Assert.Contains(f, x => x.Check == DatasetChecker.MaskUnreadable && x.Path == p2);
                Assert.Contains(f, x => x.Check == DatasetChecker.LesionCount && x.Message.Contains("counts 2 lesions but there are 3"));
                Assert.DoesNotContain(f, x => x.Check == DatasetChecker.MaskGrid);   // no T1 to compare with
            }
        }

        [Fact]
        public void MissingMetadataRowAndMissingMasks()
        {
            using (var t = new TempDir())
            {
                string d = CopySubject(t, "c0002s0001t02");
                foreach (var f in Directory.GetFiles(d, "*Lesion*")) File.Delete(f);
                string csv = Path.Combine(t.Path, "meta.csv");
                File.WriteAllText(csv, "Subject ID,Session,Notes\nc0002s0001,t01,only the first time point\n");
                var found = CheckOne(t.Path, csv);
                Assert.Equal(2, found.Count);
                Assert.Contains(found, x => x.Check == DatasetChecker.MetadataMissing && x.Severity == FindingSeverity.Warning);
                Assert.Contains(found, x => x.Check == DatasetChecker.MaskMissing && x.Severity == FindingSeverity.Warning);
                var summary = DatasetChecker.Summarize(found, 1);
                Assert.Equal(DatasetChecker.Checks.Length, summary.Count);
                Assert.Equal(1, summary.Single(r => r.Check == DatasetChecker.MetadataMissing).Warnings);
                Assert.Equal(0, summary.Single(r => r.Check == DatasetChecker.MaskGrid).Errors);
            }
        }
    }
}
