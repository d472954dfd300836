using System;
using Atlas.Core.Lesions;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    public class LesionFillTests
    {
        // Two 5³ cubes of intensity 100 (i 2..6 and 12..16, j and k 2..6) on 0, joined by a one-voxel
        // bridge (i 7..11, j = k = 4). mean7 by hand: cube interior 100, face 6/7·100 = 85.7, edge
        // 71.4, corner 57.1, bridge 3/7·100 = 42.9, background next to a face 14.3.
        private static (double[] img, Grid g) Dumbbell()
        {
            var g = Grid.Create(20, 9, 9);
            var img = new double[g.VoxelCount];
            for (int k = 2; k <= 6; k++) for (int j = 2; j <= 6; j++)
                    for (int i = 2; i <= 6; i++) { img[g.Index(i, j, k)] = 100; img[g.Index(i + 10, j, k)] = 100; }
            for (int i = 7; i <= 11; i++) img[g.Index(i, 4, 4)] = 100;
            return (img, g);
        }

        private static int Count(byte[] m) => LesionSmootherTests.Count(m);

        [Fact]
        public void LeaksThroughTheBridgeAndErodeDilateCutsIt()
        {
            var (img, g) = Dumbbell();
            var o = new LesionFillOptions { EdgeDifference = 60, OriginDifference = 60 };
            var f = LesionFill.Fill(img, g, 4, 4, 4, o);
            Assert.Equal(125 + 125 + 5, Count(f));                 // bridge (42.9, diff 57.1 ≤ 60) leaks
            Assert.Equal(1, f[g.Index(14, 4, 4)]);
            o.ErodeDilateCycles = 1;
            var cut = LesionFill.Fill(img, g, 4, 4, 4, o);
            // Erosion leaves the 3³ cores plus the face centre (6,4,4) whose sixth neighbour is the
            // bridge; dilated once within the fill: 27 + 6·9 = 81 plus the first bridge voxel = 82.
            Assert.Equal(82, Count(cut));
            Assert.Equal(0, cut[g.Index(14, 4, 4)]);
            Assert.Equal(1, cut[g.Index(7, 4, 4)]);
            Assert.Equal(0, cut[g.Index(8, 4, 4)]);
            Assert.Equal(0, cut[g.Index(2, 2, 4)]);                  // cube edges do not come back (6-neighbourhood)
            Assert.Equal(1, cut[g.Index(2, 4, 4)]);
        }

        [Fact]
        public void EdgeDifferenceStopsAtCorners()
        {
            var (img, g) = Dumbbell();
            // Edge 30: corners (57.1 → 42.9 from 100) and the bridge (57.1) are refused; edges (28.6) join.
            var f = LesionFill.Fill(img, g, 4, 4, 4, new LesionFillOptions { EdgeDifference = 30, OriginDifference = 100 });
            Assert.Equal(125 - 8, Count(f));
            Assert.Equal(0, f[g.Index(2, 2, 2)]);
            Assert.Equal(1, f[g.Index(2, 2, 4)]);
        }

        [Fact]
        public void RadiusLimitsTheFill()
        {
            var (img, g) = Dumbbell();
            // Within 1.5 mm of the seed: itself, 6 face and 12 edge neighbours.
            var f = LesionFill.Fill(img, g, 4, 4, 4, new LesionFillOptions { RadiusMm = 1.5, EdgeDifference = 100, OriginDifference = 100 });
            Assert.Equal(19, Count(f));
        }

        [Fact]
        public void ZeroConstrainsAndBarrier()
        {
            var g = Grid.Create(6, 6, 6);
            var img = new double[g.VoxelCount];
            for (int k = 0; k < 6; k++) for (int j = 0; j < 6; j++) for (int i = 0; i < 3; i++) img[g.Index(i, j, k)] = 1;
            var o = new LesionFillOptions { EdgeDifference = 10, OriginDifference = 10, RadiusMm = 100 };
            Assert.Equal(216, Count(LesionFill.Fill(img, g, 0, 0, 0, o)));
            o.ZeroConstrains = true;
            Assert.Equal(108, Count(LesionFill.Fill(img, g, 0, 0, 0, o)));
            var wall = new byte[g.VoxelCount];
            for (int k = 0; k < 6; k++) for (int j = 0; j < 6; j++) wall[g.Index(1, j, k)] = 1;
            o.Constrain = wall;
            Assert.Equal(36, Count(LesionFill.Fill(img, g, 0, 0, 0, o)));
        }

        [Fact]
        public void PercentOfRobustRangeAndWorldSeed()
        {
            var v = new double[101];
            for (int i = 0; i < 101; i++) v[i] = i + 1;                // 1..101
            Assert.Equal(96.0, LesionFill.RobustRange(v), 12);       // 99 (index 98) − 3 (index 2)

            var (img, g0) = Dumbbell();
            var a = g0.Affine; a[0, 3] = -10; a[1, 3] = 20; a[2, 3] = 30;
            var g = new Grid(g0.NX, g0.NY, g0.NZ, null, a);
            // Robust range of the non-zero voxels is 0, so the full range 100 is used: 60 % = 60.
            var f = LesionFill.FillFromWorld(AtlasVolume.FromArray(g, img, Atlas.Core.Nifti.NiftiDataType.Float64), -6, 24, 34,
                new LesionFillOptions { EdgeDifference = 60, OriginDifference = 60, Percent = true });
            Assert.Equal(255, Count(f));
            Assert.Throws<ArgumentException>(() => LesionFill.Fill(img, g, 40, 4, 4));
        }
    }

    public class WhiteMatterCorrectionTests
    {
        [Fact]
        public void HandWorkedBand()
        {
            // T1 spans 0..255 so scaled = raw. White matter (mask) outside the lesion: 198, 202 → mean 200.
            // Percent 5 → band floor(6.375) = 6 → remove lesion voxels with 194 < s < 206.
            var g = Grid.Create(9, 1, 1);
            var t1 = new double[] { 0, 255, 198, 202, 195, 194, 205.9, 206, 100 };
            var wm = new byte[] { 0, 0, 1, 1, 1, 1, 1, 1, 1 };
            var les = new byte[] { 0, 0, 0, 0, 1, 1, 1, 1, 1 };
            var r = WhiteMatterCorrection.Correct(AtlasVolume.FromArray(g, t1, Atlas.Core.Nifti.NiftiDataType.Float64),
                AtlasVolume.FromMask(g, les), AtlasVolume.FromMask(g, wm), 5);
            Assert.Equal(200.0, r.WhiteMatterMean, 12);
            Assert.Equal(6, r.Band);
            Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 1, 0, 1, 1 }, (byte[])r.GetMask().Data);
            Assert.Equal(5, r.OriginalVoxels);
            Assert.Equal(2, r.RemovedVoxels);
            Assert.Equal(40.0, r.PercentRemoved, 12);
            Assert.Equal(3.0, r.CorrectedVolumeMm3, 12);
            Assert.Equal("Mask", r.WhiteMatterSource);
        }

        [Fact]
        public void RescalesByMinMax()
        {
            // raw 100..1100 → scaled (raw − 100) · 0.255. WM raw 900 → 204; band (10 %) floor(12.75) = 12.
            var g = Grid.Create(5, 1, 1);
            var t1 = new double[] { 100, 1100, 900, 880, 850 };   // lesion 880 → 198.9 (removed), 850 → 191.25 (kept)
            var r = WhiteMatterCorrection.Correct(AtlasVolume.FromArray(g, t1, Atlas.Core.Nifti.NiftiDataType.Float64),
                AtlasVolume.FromMask(g, new byte[] { 0, 0, 0, 1, 1 }), AtlasVolume.FromMask(g, new byte[] { 0, 0, 1, 1, 1 }), 10);
            Assert.Equal(204.0, r.WhiteMatterMean, 9);
            Assert.Equal(12, r.Band);
            Assert.Equal(new byte[] { 0, 0, 0, 0, 1 }, (byte[])r.GetMask().Data);
        }

        // A synthetic brain: background 0, CSF ≈ 30, grey ≈ 80, white ≈ 150 (±3 noise). The 3-class
        // k-means must find white matter exactly, and the correction then removes the lesion voxels
        // that look like white matter.
        [Fact]
        public void KMeansFindsWhiteMatter()
        {
            var g = Grid.Create(30, 30, 30);
            var rnd = new Random(3);
            var t1 = new double[g.VoxelCount];
            var truth = new byte[g.VoxelCount];
            for (int k = 0; k < 30; k++) for (int j = 0; j < 30; j++) for (int i = 0; i < 30; i++)
                    {
                        int p = g.Index(i, j, k);
                        if (i < 3) continue;
                        double baseV = i < 10 ? 30 : i < 18 ? 80 : 150;
                        t1[p] = baseV + (rnd.NextDouble() * 6 - 3);
                        if (i >= 18) truth[p] = 1;
                    }
            var les = new byte[g.VoxelCount];
            for (int j = 10; j < 14; j++) for (int i = 16; i < 22; i++) les[g.Index(i, j, 15)] = 1; // 24 voxels: 8 grey, 16 white
            var est = WhiteMatterCorrection.EstimateWhiteMatter(t1, Scale(t1), les);
            for (int p = 0; p < est.Length; p++) Assert.Equal(les[p] != 0 ? 0 : truth[p], est[p]);
            var r = WhiteMatterCorrection.Correct(AtlasVolume.FromArray(g, t1, Atlas.Core.Nifti.NiftiDataType.Float64), AtlasVolume.FromMask(g, les));
            Assert.Equal("KMeans3", r.WhiteMatterSource);
            Assert.Equal(16, r.RemovedVoxels);
            Assert.Equal(8, (int)r.CorrectedVolumeMm3);
        }

        private static double[] Scale(double[] v)
        {
            double min = double.MaxValue, max = double.MinValue;
            foreach (var x in v) { min = Math.Min(min, x); max = Math.Max(max, x); }
            var s = new double[v.Length];
            for (int i = 0; i < v.Length; i++) s[i] = (v[i] - min) * 255 / (max - min);
            return s;
        }
    }
}
