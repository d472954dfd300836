using System;
using System.IO;
using Atlas.Core.Imaging;
using Atlas.Core.Metrics;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Metrics
{
    public class OverlapMetricsTests
    {
        [Fact]
        public void CubeShiftedByOneVoxel()
        {
            // A = 4x4x4 cube at i,j,k 2..5; B = the same cube at i 3..6. Worked by hand:
            // TP 3*4*4 = 48, Dice 96/128, Jaccard 48/80. Each surface has 4^3 - 2^3 = 56 voxels;
            // A's face i=2 (16 voxels) is 1 mm from B's face i=3; of A's face i=5, the 4 voxels
            // with j,k in 3..4 are inside B, 1 mm from B's surface; the other 36 surface voxels of A
            // are on B's surface (distance 0). Same by symmetry for B: 20 ones, 36 zeros each way.
            var g = Grid.Create(12, 12, 12);
            var a = MetricShapes.Box(g, 2, 5, 2, 5, 2, 5);
            var b = MetricShapes.Box(g, 3, 6, 2, 5, 2, 5);
            var o = OverlapMetrics.Compute(a, b, g);
            Assert.Equal(64, o.ReferenceVoxels);
            Assert.Equal(64, o.CandidateVoxels);
            Assert.Equal(48, o.TruePositiveVoxels);
            Assert.Equal(16, o.FalsePositiveVoxels);
            Assert.Equal(16, o.FalseNegativeVoxels);
            Assert.Equal(0.75, o.Dice, 12);
            Assert.Equal(0.6, o.Jaccard, 12);
            Assert.Equal(0.75, o.Sensitivity, 12);
            Assert.Equal(0.75, o.Precision, 12);
            Assert.Equal(0, o.VolumeDifferenceMm3);
            Assert.Equal(1, o.VolumeSimilarity);
            Assert.Equal(56, o.ReferenceSurfaceVoxels);
            Assert.Equal(56, o.CandidateSurfaceVoxels);
            Assert.Equal(1, o.HausdorffMm, 12);
            Assert.Equal(1, o.Hausdorff95Mm, 12);          // h = 55*0.95 = 52.25 falls among the ones (36..55)
            Assert.Equal(40.0 / 112, o.AverageSurfaceDistanceMm, 12);
            Assert.Equal(1, o.ReferenceLesions);
            Assert.Equal(1, o.LesionTruePositives);
            Assert.Equal(1, o.LesionF1);
            Assert.Equal(EmptyMasks.None, o.EmptyMasks);

            // The median of the directed sets is 0 (h = 27.5 among the 36 zeros).
            var p50 = OverlapMetrics.Compute(a, b, g, new OverlapOptions { Percentile = 50 });
            Assert.Equal(0, p50.Hausdorff95Mm);
            Assert.Equal(50, p50.Percentile);
        }

        [Fact]
        public void AnisotropicSlabsShiftedAcrossSlices()
        {
            // 0.9 x 0.9 x 3 mm. A = i 2..5, j 2..5, k 2..3 (every voxel is surface: 2 slices thick);
            // B = A shifted by (+1, 0, +2) voxels: i 3..6, k 4..5. No overlap.
            // From A: slice k=3 is 1 slice (3 mm) from B's k=4, slice k=2 is 6 mm; the column i=2 adds
            // 0.9 mm in x. Directed A->B: 12 x 3, 4 x sqrt(9.81), 12 x 6, 4 x sqrt(36.81); B->A the mirror.
            var g = Grid.Create(9, 8, 8, 0.9, 0.9, 3);
            var a = MetricShapes.Box(g, 2, 5, 2, 5, 2, 3);
            var b = MetricShapes.Box(g, 3, 6, 2, 5, 4, 5);
            var o = OverlapMetrics.Compute(a, b, g);
            double vv = 0.9 * 0.9 * 3;
            Assert.Equal(32 * vv, o.ReferenceVolumeMm3, 9);
            Assert.Equal(0, o.Dice);
            Assert.Equal(0, o.Sensitivity);
            Assert.Equal(Math.Sqrt(36.81), o.HausdorffMm, 12);
            Assert.Equal(Math.Sqrt(36.81), o.Hausdorff95Mm, 12);   // h = 31*0.95 = 29.45, ranks 28..31 hold sqrt(36.81)
            double asd = (12 * 3 + 4 * Math.Sqrt(9.81) + 12 * 6 + 4 * Math.Sqrt(36.81)) / 32.0;
            Assert.Equal(asd, o.AverageSurfaceDistanceMm, 12);
            // Median: h = 15.5, between rank 15 (sqrt 9.81) and rank 16 (6).
            var m = OverlapMetrics.Compute(a, b, g, new OverlapOptions { Percentile = 50 });
            Assert.Equal(Math.Sqrt(9.81) + 0.5 * (6 - Math.Sqrt(9.81)), m.Hausdorff95Mm, 12);
            Assert.Equal(0, o.LesionTruePositives);
            Assert.Equal(1, o.LesionFalsePositives);
            Assert.Equal(1, o.LesionFalseNegatives);
            Assert.Equal(0, o.LesionF1);
        }

        [Fact]
        public void TwoVoxelsOnAnAnisotropicGrid()
        {
            var g = Grid.Create(6, 6, 6, 0.9, 0.9, 3);
            var o = OverlapMetrics.Compute(MetricShapes.Voxels(g, 2, 2, 2), MetricShapes.Voxels(g, 3, 3, 3), g);
            double d = Math.Sqrt(0.81 + 0.81 + 9);
            Assert.Equal(d, o.HausdorffMm, 12);
            Assert.Equal(d, o.Hausdorff95Mm, 12);
            Assert.Equal(d, o.AverageSurfaceDistanceMm, 12);
        }

        [Fact]
        public void ImageBorderCountsAsOutside()
        {
            // A fills the whole 3x3x3 image: with the border outside, its surface is the 26 voxels
            // around the centre. B = the centre voxel. A->B: 6 at 1, 12 at sqrt 2, 8 at sqrt 3; B->A: 1.
            var g = Grid.Create(3, 3, 3);
            var a = new byte[27];
            for (int i = 0; i < 27; i++) a[i] = 1;
            var b = MetricShapes.Voxels(g, 1, 1, 1);
            var o = OverlapMetrics.Compute(a, b, g);
            Assert.Equal(26, o.ReferenceSurfaceVoxels);
            Assert.Equal(1, o.CandidateSurfaceVoxels);
            Assert.Equal(Math.Sqrt(3), o.HausdorffMm, 12);
            Assert.Equal((6 + 12 * Math.Sqrt(2) + 8 * Math.Sqrt(3) + 1) / 27, o.AverageSurfaceDistanceMm, 12);
            Assert.Equal(2.0 / 28, o.Dice, 12);
            Assert.Equal(1, o.Sensitivity * 27, 12);
            Assert.Equal(1, o.Precision);
        }

        [Fact]
        public void SurfaceRuleOnABorderTouchingMask()
        {
            var s = MaskSurface.Compute(new byte[] { 1, 1, 1, 1, 1, 1, 1, 1 }, 2, 2, 2);
            Assert.All(s, v => Assert.Equal(1, v));   // a 2x2x2 image full: every voxel touches the border
            var m = new byte[5 * 5 * 5];
            for (int k = 1; k <= 3; k++) for (int j = 1; j <= 3; j++) for (int i = 1; i <= 3; i++) m[i + 5 * (j + 5 * k)] = 1;
            var s2 = MaskSurface.Compute(m, 5, 5, 5);
            int n = 0;
            foreach (var v in s2) n += v;
            Assert.Equal(26, n);
            Assert.Equal(0, s2[2 + 5 * (2 + 5 * 2)]);
        }

        [Theory]
        [InlineData(1.0, 1.0, 1.0, 24, 22, 20)]
        [InlineData(0.9, 0.9, 3.0, 24, 22, 10)]
        public void BallsAgreeWithABruteForceSearch(double sx, double sy, double sz, int nx, int ny, int nz)
        {
            // Two overlapping balls (7 and 6 mm radius): the EDT's directed distances equal the
            // minimum over every surface voxel pair, computed here by brute force.
            var g = Grid.Create(nx, ny, nz, sx, sy, sz);
            var a = MetricShapes.Ball(g, 10, 10, 4 * 3 / sz, 7.0);
            var b = MetricShapes.Ball(g, 13.5, 11, 5 * 3 / sz, 6.0);
            var o = OverlapMetrics.Compute(a, b, g);
            var sa = MaskSurface.Compute(a, g.NX, g.NY, g.NZ);
            var sb = MaskSurface.Compute(b, g.NX, g.NY, g.NZ);
            var da = Brute(sa, sb, g); var db = Brute(sb, sa, g);
            Array.Sort(da); Array.Sort(db);
            Assert.Equal(Math.Max(da[da.Length - 1], db[db.Length - 1]), o.HausdorffMm, 12);
            double sum = 0;
            foreach (var v in da) sum += v;
            foreach (var v in db) sum += v;
            Assert.Equal(sum / (da.Length + db.Length), o.AverageSurfaceDistanceMm, 12);
            double hd95 = Math.Max(Percentile.OfSorted(da, da.Length, 95), Percentile.OfSorted(db, db.Length, 95));
            Assert.Equal(hd95, o.Hausdorff95Mm, 12);
            Assert.True(o.HausdorffMm > 0 && o.Dice > 0.3 && o.Dice < 1);
        }

        private static double[] Brute(byte[] from, byte[] to, Grid g)
        {
            var s = g.VoxelSizeMm;
            var list = new System.Collections.Generic.List<double>();
            for (int p = 0; p < from.Length; p++)
            {
                if (from[p] == 0) continue;
                int i = p % g.NX, j = (p / g.NX) % g.NY, k = p / (g.NX * g.NY);
                double best = double.PositiveInfinity;
                for (int q = 0; q < to.Length; q++)
                {
                    if (to[q] == 0) continue;
                    int a = q % g.NX, b = (q / g.NX) % g.NY, c = q / (g.NX * g.NY);
                    double dx = (i - a) * s[0], dy = (j - b) * s[1], dz = (k - c) * s[2];
                    best = Math.Min(best, dx * dx + dy * dy + dz * dz);
                }
                list.Add(Math.Sqrt(best));
            }
            return list.ToArray();
        }

        [Fact]
        public void BallVolumeIsCloseToTheSphere()
        {
            // A ball of radius 10 mm on a 1 mm grid: 4/3 pi r^3 = 4188.8 mm3; on 0.9 x 0.9 x 3 mm the
            // voxelised volume is coarser but still within a few percent.
            var g = Grid.Create(30, 30, 30);
            var o = OverlapMetrics.Compute(MetricShapes.Ball(g, 15, 15, 15, 10), MetricShapes.Ball(g, 15, 15, 15, 10), g);
            Assert.InRange(o.ReferenceVolumeMm3, 4188.8 * 0.98, 4188.8 * 1.02);
            Assert.Equal(1, o.Dice);
            Assert.Equal(0, o.HausdorffMm);
            var ga = Grid.Create(32, 32, 12, 0.9, 0.9, 3);
            var oa = OverlapMetrics.Compute(MetricShapes.Ball(ga, 16, 16, 6, 10), MetricShapes.Ball(ga, 16, 16, 6, 10), ga);
            Assert.InRange(oa.ReferenceVolumeMm3, 4188.8 * 0.95, 4188.8 * 1.05);
        }

        [Fact]
        public void BothEmptyAgreePerfectly()
        {
            var g = Grid.Create(4, 4, 4);
            var o = OverlapMetrics.Compute(new byte[64], new byte[64], g);
            Assert.Equal(EmptyMasks.Both, o.EmptyMasks);
            Assert.Equal(1, o.Dice);
            Assert.Equal(1, o.Jaccard);
            Assert.Equal(0, o.HausdorffMm);
            Assert.Equal(0, o.Hausdorff95Mm);
            Assert.Equal(0, o.AverageSurfaceDistanceMm);
            Assert.Equal(1, o.LesionF1);
            Assert.Equal(0, o.ReferenceLesions);
        }

        [Fact]
        public void OneEmptyGivesDiceZeroAndNaNDistances()
        {
            var g = Grid.Create(6, 6, 6);
            var a = MetricShapes.Box(g, 1, 2, 1, 2, 1, 2);
            var o = OverlapMetrics.Compute(a, new byte[216], g);
            Assert.Equal(EmptyMasks.Candidate, o.EmptyMasks);
            Assert.Equal(0, o.Dice);
            Assert.Equal(0, o.Sensitivity);
            Assert.True(double.IsNaN(o.Precision));
            Assert.True(double.IsNaN(o.HausdorffMm));
            Assert.True(double.IsNaN(o.Hausdorff95Mm));
            Assert.True(double.IsNaN(o.AverageSurfaceDistanceMm));
            Assert.Equal(8, o.VolumeDifferenceMm3);
            Assert.Equal(0, o.VolumeSimilarity);
            Assert.Equal(1, o.LesionFalseNegatives);
            Assert.Equal(0, o.LesionF1);
            Assert.Equal(1, o.LesionCountDifference);

            var r = OverlapMetrics.Compute(new byte[216], a, g);
            Assert.Equal(EmptyMasks.Reference, r.EmptyMasks);
            Assert.True(double.IsNaN(r.Sensitivity));
            Assert.Equal(0, r.Precision);
            Assert.Equal(1, r.LesionFalsePositives);
        }

        [Theory]
        // Reference: an edge-diagonal pair (2,2,2)+(3,3,2) and a corner-diagonal pair (6,6,6)+(7,7,7);
        // candidate: the voxel (2,2,2) and a stray voxel (0,9,9) far from the reference.
        // 6: 4 reference lesions, 18: 3, 26: 2; always TP 1 and FP 1.
        [InlineData(6, 4, 3, 1.0 / (1 + (1 + 3) / 2.0))]
        [InlineData(18, 3, 2, 1.0 / (1 + (1 + 2) / 2.0))]
        [InlineData(26, 2, 1, 1.0 / (1 + (1 + 1) / 2.0))]
        public void LesionCountsDependOnConnectivity(int connectivity, int lesions, int missed, double f1)
        {
            var g = Grid.Create(10, 10, 10);
            var r = MetricShapes.Voxels(g, 2, 2, 2, 3, 3, 2, 6, 6, 6, 7, 7, 7);
            var c = MetricShapes.Voxels(g, 2, 2, 2, 0, 9, 9);
            var o = OverlapMetrics.Compute(r, c, g, new OverlapOptions { Connectivity = connectivity });
            Assert.Equal(lesions, o.ReferenceLesions);
            Assert.Equal(2, o.CandidateLesions);
            Assert.Equal(1, o.LesionTruePositives);
            Assert.Equal(missed, o.LesionFalseNegatives);
            Assert.Equal(1, o.LesionFalsePositives);
            Assert.Equal(f1, o.LesionF1, 12);
            Assert.Equal(Math.Abs(lesions - 2), o.LesionCountDifference);
            Assert.Equal(connectivity, o.Connectivity);
        }

        [Fact]
        public void LabelSelectsOneRegionOfALabelMap()
        {
            var g = Grid.Create(8, 8, 8);
            var lab = new short[512];
            var b1 = MetricShapes.Box(g, 0, 1, 0, 1, 0, 1);
            var b2 = MetricShapes.Box(g, 4, 6, 4, 6, 4, 6);
            for (int p = 0; p < 512; p++) lab[p] = (short)(b1[p] != 0 ? 1 : b2[p] != 0 ? 2 : 0);
            var refVol = AtlasVolume.FromArray(g, lab, NiftiDataType.Int16);
            var cand = MetricShapes.Box(g, 4, 6, 4, 6, 4, 5);   // 18 of region 2's 27 voxels
            var candVol = AtlasVolume.FromMask(g, cand);
            var o = OverlapMetrics.Compute(refVol, AtlasVolume.FromArray(g, Scale(cand, 2), NiftiDataType.Int16), null, 2);
            Assert.Equal(27, o.ReferenceVoxels);
            Assert.Equal(18, o.CandidateVoxels);
            Assert.Equal(36.0 / 45, o.Dice, 12);
            Assert.Equal(1, o.HausdorffMm, 12);   // the slice k=6 is 1 mm from the candidate's top k=5
            var all = OverlapMetrics.Compute(refVol, candVol);   // binarised: both regions, 35 voxels
            Assert.Equal(35, all.ReferenceVoxels);
            Assert.Equal(2, all.ReferenceLesions);
        }

        private static short[] Scale(byte[] m, short v)
        {
            var r = new short[m.Length];
            for (int i = 0; i < m.Length; i++) r[i] = (short)(m[i] * v);
            return r;
        }

        [Fact]
        public void GridMismatchNamesBothFiles()
        {
            var a = AtlasVolume.FromMask(Grid.Create(4, 4, 4), new byte[64]); a.Path = "/data/ref_mask.nii.gz";
            var b = AtlasVolume.FromMask(Grid.Create(4, 4, 5), new byte[80]); b.Path = "/data/cand_mask.nii.gz";
            var e = Assert.Throws<GeometryException>(() => OverlapMetrics.Compute(a, b));
            Assert.Equal(GeometryErrorKind.GridMismatch, e.Kind);
            Assert.Contains("ref_mask.nii.gz", e.Message);
            Assert.Contains("cand_mask.nii.gz", e.Message);
        }

        [Fact]
        public void ReadsTwoFiles()
        {
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(12, 12, 12);
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Box(g, 2, 5, 2, 5, 2, 5)), tmp.File("a.nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Box(g, 3, 6, 2, 5, 2, 5)), tmp.File("b.nii"));
                var o = OverlapMetrics.Compute(tmp.File("a.nii.gz"), tmp.File("b.nii"));
                Assert.Equal(0.75, o.Dice, 12);
                Assert.Equal(tmp.File("b.nii"), o.CandidatePath);
                var e = Assert.Throws<NiftiFormatException>(() => OverlapMetrics.Compute(tmp.File("a.nii.gz"), tmp.File("missing.nii")));
                Assert.Equal(NiftiErrorKind.NotFound, e.Kind);
            }
        }

        [Fact]
        public void PercentileIsNumpyLinear()
        {
            // numpy.percentile([1, 2, 3, 4], q) = 3.85 (q=95), 2.5 (q=50), 1 (q=0), 4 (q=100).
            var a = new double[] { 1, 2, 3, 4 };
            Assert.Equal(3.85, Percentile.OfSorted(a, 4, 95), 12);
            Assert.Equal(2.5, Percentile.OfSorted(a, 4, 50), 12);
            Assert.Equal(1, Percentile.OfSorted(a, 4, 0));
            Assert.Equal(4, Percentile.OfSorted(a, 4, 100));
            Assert.Equal(7, Percentile.OfSorted(new double[] { 7 }, 1, 95));
        }

        [Fact]
        public void SelectionGivesTheSortedPercentile()
        {
            // Quickselect against sorting, on values with many ties (distances on a grid repeat).
            var rng = new Random(5);
            foreach (int n in new[] { 1, 2, 3, 10, 101, 5000 })
                foreach (double p in new[] { 0.0, 5, 50, 95, 99.9, 100 })
                {
                    var v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = Math.Sqrt(rng.Next(0, 40));
                    var sorted = (double[])v.Clone();
                    Array.Sort(sorted);
                    Assert.Equal(Percentile.OfSorted(sorted, n, p), Percentile.OfUnsortedInPlace(v, n, p));
                }
        }

        [Fact]
        public void SummaryRowsOverPairs()
        {
            var rows = new[]
            {
                new LesionOverlap { Dice = 0.5, HausdorffMm = 2 },
                new LesionOverlap { Dice = 0.7, HausdorffMm = double.NaN },
                new LesionOverlap { Dice = 0.9, HausdorffMm = 4 },
            };
            var s = OverlapSummary.Summarize(rows);
            Assert.Equal(new[] { "Mean", "SD", "Median", "Min", "Max" }, Array.ConvertAll(s, r => r.Statistic));
            Assert.Equal(0.7, s[0].Dice, 12);
            Assert.Equal(0.2, s[1].Dice, 12);          // sqrt((0.04 + 0 + 0.04) / 2)
            Assert.Equal(0.7, s[2].Dice, 12);
            Assert.Equal(0.5, s[3].Dice);
            Assert.Equal(0.9, s[4].Dice);
            Assert.Equal(3, s[0].HausdorffMm, 12);     // the NaN pair is skipped
            Assert.Equal(Math.Sqrt(2), s[1].HausdorffMm, 12);
        }
    }
}
