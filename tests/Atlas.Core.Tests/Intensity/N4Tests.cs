using System;
using System.IO;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Intensity
{
    public class N4Tests
    {
        // A piecewise-constant head: three tissue classes (ratios as CSF : grey : white in a T1) in nested
        // ellipsoids with a bright slab, on 64 × 72 × 60 voxels of 2 mm.
        internal static (AtlasVolume image, float[] trueLog, byte[] brain, byte[] white) Phantom(Func<double, double, double, double> logField, double noise = 0, int seed = 1)
        {
            var grid = Grid.Create(64, 72, 60, 2, 2, 2);
            var v = new float[grid.VoxelCount];
            var lf = new float[v.Length];
            var brain = new byte[v.Length];
            var white = new byte[v.Length];
            var rng = new Random(seed);
            for (int k = 0; k < grid.NZ; k++)
                for (int j = 0; j < grid.NY; j++)
                    for (int i = 0; i < grid.NX; i++)
                    {
                        double x = (i - 31.5) / 28, y = (j - 35.5) / 32, z = (k - 29.5) / 26;
                        double r = Math.Sqrt(x * x + y * y + z * z);
                        double s = 0;
                        if (r < 1) s = 30;                            // CSF-like rim
                        if (r < 0.9) s = 60;                          // grey
                        if (r < 0.65 || (r < 0.9 && Math.Abs(y - 0.2 * Math.Sin(6 * x)) < 0.12)) s = 100; // white core and a folded band
                        if (r < 0.25 && x > 0) s = 60;                // deep grey
                        long o = grid.Index(i, j, k);
                        double f = logField(x, y, z);
                        lf[o] = (float)f;
                        double val = s * Math.Exp(f);
                        if (noise > 0 && s > 0) val += noise * Gauss(rng);
                        v[o] = (float)val;
                        if (s > 0 && r < 0.9) brain[o] = 1;
                        if (s == 100) white[o] = 1;
                    }
            return (AtlasVolume.FromFloat32(grid, v), lf, brain, white);
        }

        internal static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        internal static double Correlation(float[] a, float[] b, byte[] m)
        {
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0; long c = 0;
            for (long i = 0; i < a.LongLength; i++)
            {
                if (m[i] == 0) continue;
                sa += a[i]; sb += b[i]; saa += (double)a[i] * a[i]; sbb += (double)b[i] * b[i]; sab += (double)a[i] * b[i]; c++;
            }
            return (sab - sa * sb / c) / Math.Sqrt((saa - sa * sa / c) * (sbb - sb * sb / c));
        }

        internal static double Cv(float[] v, byte[] m)
        {
            double s = 0, s2 = 0; long c = 0;
            for (long i = 0; i < v.LongLength; i++) { if (m[i] == 0) continue; s += v[i]; s2 += (double)v[i] * v[i]; c++; }
            double mu = s / c;
            return Math.Sqrt(Math.Max(0, s2 / c - mu * mu)) / mu;
        }

        internal static float[] Log(float[] v) { var o = new float[v.Length]; for (int i = 0; i < v.Length; i++) o[i] = (float)Math.Log(v[i]); return o; }

        private static double Smooth(double x, double y, double z) => 0.25 * x - 0.15 * y * z + 0.2 * Math.Cos(1.5 * z) - 0.1 * x * x;

        [Fact]
        public void AKnownFieldOnAPiecewiseConstantPhantomIsRecovered()
        {
            var (img, trueLog, brain, white) = Phantom(Smooth);
            Assert.True(Cv(img.ToFloat32(), white) > 0.05, "the field must make white matter uneven to begin with");
            var r = N4BiasCorrection.Correct(img, AtlasVolume.FromMask(img.Grid, brain));
            var est = Log(r.GetBiasField().ToFloat32());
            Assert.True(Correlation(est, trueLog, brain) > 0.98, "correlation " + Correlation(est, trueLog, brain));
            // Piecewise constant: white matter becomes (almost) one value again.
            Assert.True(Cv(r.GetCorrected().ToFloat32(), white) < 0.015, "WM CV " + Cv(r.GetCorrected().ToFloat32(), white));
            // OUT = IN / FIELD, and the field's geometric mean over the estimation voxels is 1.
            var input = img.ToFloat32(); var field = r.GetBiasField().ToFloat32(); var output = r.GetCorrected().ToFloat32();
            double logSum = 0; long n = 0;
            for (int i = 0; i < input.Length; i++)
            {
                Assert.Equal(input[i] / field[i], output[i], 3);
                if (brain[i] != 0) { logSum += Math.Log(field[i]); n++; }
            }
            Assert.Equal(0, logSum / n, 4);
            Assert.Equal("Mask", r.MaskSource);
            Assert.Equal(4, r.Levels);
        }

        [Fact]
        public void AFlatImageGetsAFlatField()
        {
            var (img, _, brain, _) = Phantom((x, y, z) => 0);
            var r = N4BiasCorrection.Correct(img, AtlasVolume.FromMask(img.Grid, brain));
            Assert.InRange(r.FieldMin, 0.99, 1.0);
            Assert.InRange(r.FieldMax, 1.0, 1.01);
        }

        [Fact]
        public void WithoutAMaskOtsuFindsTheHeadAndTheFieldIsStillRecovered()
        {
            var (img, trueLog, brain, white) = Phantom(Smooth, noise: 2);
            var r = N4BiasCorrection.Correct(img);
            Assert.Equal("Otsu", r.MaskSource);
            var est = Log(r.GetBiasField().ToFloat32());
            Assert.True(Correlation(est, trueLog, brain) > 0.95, "correlation " + Correlation(est, trueLog, brain));
            Assert.True(Cv(r.GetCorrected().ToFloat32(), white) < 0.03);
        }

        [Fact]
        public void ALesionLeftOutDoesNotBendTheField()
        {
            // A large dark lesion in the white matter: without -LesionMask it pulls the estimated field down there.
            var (img, trueLog, brain, _) = Phantom(Smooth);
            var v = img.ToFloat32();
            var lesion = new byte[v.Length];
            var g = img.Grid;
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                    {
                        double dx = i - 40, dy = j - 36, dz = k - 30;
                        if (dx * dx + dy * dy + dz * dz < 64) { long o = g.Index(i, j, k); lesion[o] = 1; v[o] = (float)(35 * Math.Exp(trueLog[o])); }
                    }
            var withLesion = AtlasVolume.FromFloat32(g, v);
            var mask = AtlasVolume.FromMask(g, brain);
            var les = AtlasVolume.FromMask(g, lesion);
            var blind = N4BiasCorrection.Correct(withLesion, mask);
            var masked = N4BiasCorrection.Correct(withLesion, mask, les);
            Assert.True(masked.LesionVoxelsExcluded > lesion.Length / 1000);
            double eBlind = Correlation(Log(blind.GetBiasField().ToFloat32()), trueLog, brain);
            double eMasked = Correlation(Log(masked.GetBiasField().ToFloat32()), trueLog, brain);
            Assert.True(eMasked > 0.98, "masked correlation " + eMasked);
            Assert.True(eMasked > eBlind, "masked " + eMasked + " vs blind " + eBlind);
        }

        [Fact]
        public void NaNAndNegativeVoxelsAreLeftOutWithWarnings()
        {
            var (img, trueLog, brain, _) = Phantom(Smooth);
            var v = img.ToFloat32();
            int nanAt = img.Grid.Index(32, 36, 30), negAt = img.Grid.Index(20, 36, 30);
            v[nanAt] = float.NaN; v[negAt] = -5;
            var r = N4BiasCorrection.Correct(AtlasVolume.FromFloat32(img.Grid, v), AtlasVolume.FromMask(img.Grid, brain));
            Assert.Equal(1, r.NaNVoxels);
            Assert.Equal(1, r.NonPositiveVoxelsExcluded);
            Assert.Equal(2, r.Warnings.Length);
            var o = r.GetCorrected().ToFloat32();
            Assert.True(float.IsNaN(o[nanAt]));
            Assert.True(o[negAt] < 0);
            Assert.True(Correlation(Log(r.GetBiasField().ToFloat32()), trueLog, brain) > 0.98);
        }

        [Fact]
        public void AnEmptyMaskOrAnotherGridIsAnErrorNamingTheFile()
        {
            var (img, _, _, _) = Phantom(Smooth);
            var empty = AtlasVolume.FromMask(img.Grid, new byte[img.Grid.VoxelCount]);
            empty.Path = "/data/empty_mask.nii.gz";
            var ex = Assert.Throws<GeometryException>(() => N4BiasCorrection.Correct(img, empty));
            Assert.Contains("empty_mask", ex.Message);
            var other = AtlasVolume.FromMask(Grid.Create(10, 10, 10), new byte[1000]);
            Assert.ThrowsAny<Exception>(() => N4BiasCorrection.Correct(img, other));
            Assert.Throws<ArgumentException>(() => N4BiasCorrection.Correct(img, null, null, new N4Options { InitialControlPoints = 3 }));
        }

        // Colin27 (mricron-data), every second voxel (91 × 109 × 91, 2 mm), times a known field, with Rician noise.
        [SkippableFact]
        public void RealHeadAtHalfResolution()
        {
            string head = Path.Combine(Peers.MricronTemplates, "ch2.nii.gz"), bet = Path.Combine(Peers.MricronTemplates, "ch2bet.nii.gz");
            Skip.If(!File.Exists(head) || !File.Exists(bet), "mricron-data (ch2.nii.gz, ch2bet.nii.gz) is not installed");
            var h = NiftiReader.Read(head); var b = NiftiReader.Read(bet);
            var full = h.Grid;
            var hv = h.ToFloat32(); var bv = b.ToFloat32();
            var a = full.Affine;
            for (int row = 0; row < 3; row++) for (int col = 0; col < 3; col++) a[row, col] *= 2;
            var grid = new Grid((full.NX + 1) / 2, (full.NY + 1) / 2, (full.NZ + 1) / 2, new double[] { 2, 2, 2 }, a);
            var biased = new float[grid.VoxelCount]; var plain = new float[grid.VoxelCount]; var lf = new float[grid.VoxelCount];
            var brain = new byte[grid.VoxelCount]; var wm = new byte[grid.VoxelCount];
            var rng = new Random(7);
            for (int k = 0; k < grid.NZ; k++) for (int j = 0; j < grid.NY; j++) for (int i = 0; i < grid.NX; i++)
                    {
                        long o = grid.Index(i, j, k), src = full.Index(2 * i, 2 * j, 2 * k);
                        var p = grid.VoxelToWorld(i, j, k);
                        double f = 0.3 * (0.5 * p[0] / 90 + 0.35 * (p[1] + 18) / 110 * (p[2] - 10) / 80 - 0.35 * (p[0] * p[0] / 8100.0) + 0.25 * Math.Cos(Math.PI * (p[1] + 18) / 110));
                        lf[o] = (float)f;
                        double n1 = Gauss(rng) * 3.3, n2 = Gauss(rng) * 3.3, s = hv[src];
                        biased[o] = (float)Math.Sqrt(Math.Pow(s * Math.Exp(f) + n1, 2) + n2 * n2);
                        plain[o] = (float)Math.Sqrt(Math.Pow(s + n1, 2) + n2 * n2);
                        brain[o] = bv[src] > 0 ? (byte)1 : (byte)0;
                        wm[o] = bv[src] >= 105 ? (byte)1 : (byte)0;
                    }
            var mask = AtlasVolume.FromMask(grid, brain);
            // Colin27 carries a non-uniformity of its own: N4 on the unbiased copy measures it, and the field
            // recovered for the one we added is the difference of the two estimates.
            var own = Log(N4BiasCorrection.Correct(AtlasVolume.FromFloat32(grid, plain), mask).GetBiasField().ToFloat32());
            var r = N4BiasCorrection.Correct(AtlasVolume.FromFloat32(grid, biased), mask);
            var est = Log(r.GetBiasField().ToFloat32());
            var added = new float[est.Length];
            var both = new float[est.Length];
            for (int i = 0; i < est.Length; i++) { added[i] = est[i] - own[i]; both[i] = lf[i] + own[i]; }
            Assert.True(Correlation(added, lf, brain) >= 0.95, "recovered added field correlation " + Correlation(added, lf, brain));
            Assert.True(Correlation(est, both, brain) >= 0.95, "correlation with the whole field " + Correlation(est, both, brain));
            double cvPlain = Cv(plain, wm), cvBiased = Cv(biased, wm), cvOut = Cv(r.GetCorrected().ToFloat32(), wm);
            Assert.True(cvBiased > cvPlain + 0.01, "the added field must raise WM CV: " + cvBiased + " vs " + cvPlain);
            Assert.True(Math.Abs(cvOut - cvPlain) <= 0.01 || cvOut < cvPlain, "WM CV " + cvOut + " vs unbiased " + cvPlain);
        }
    }
}
