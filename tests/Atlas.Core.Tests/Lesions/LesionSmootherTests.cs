using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Lesions
{
    public class LesionSmootherTests
    {
        private readonly ITestOutputHelper _out;
        public LesionSmootherTests(ITestOutputHelper output) { _out = output; }

        // Taps worked out from the definition (sigma = FWHM/vox/sqrt(8 ln 2), c = round(6 sigma),
        // exp(-i²/2σ²) normalised over -c..c); for 1 mm, w1/w0 = exp(-ln 2) = 0.5 exactly.
        [Fact]
        public void KernelTaps()
        {
            var w1 = LesionSmoother.HalfKernel(2, 1);
            Assert.Equal(6, w1.Length);
            Near(0.469718024, w1[0], 1e-8);
            Near(0.234859012, w1[1], 1e-8);
            Near(0.029357377, w1[2], 1e-8);
            Near(0.000917418, w1[3], 1e-8);
            Assert.Equal(0.5, w1[1] / w1[0], 12);
            var w09 = LesionSmoother.HalfKernel(2, 0.9);
            Assert.Equal(7, w09.Length);            // 6 sigma = 5.66 → 6
            Near(0.422746756, w09[0], 1e-8);
            var w3 = LesionSmoother.HalfKernel(2, 3);
            Assert.Equal(3, w3.Length);             // 6 sigma = 1.70 → 2
            Near(0.996108949, w3[0], 1e-8);
            Near(0.001945525, w3[1], 1e-8);
            double sum = w1[0]; for (int i = 1; i < w1.Length; i++) sum += 2 * w1[i];
            Assert.Equal(1.0, sum, 12);
        }

        // A 3x3x3 cube in the middle of 15³ (1 mm): per axis, a centre voxel collects w0+2w1 = 0.9395,
        // a border voxel w0+w1+w2 = 0.7339, an outside neighbour w1+w2+w3 = 0.2651. Corner 0.7339³ =
        // 0.395 < 0.5 (out), edge 0.7339²·0.9395 = 0.506 (in), face 0.648 (in), centre 0.829 (in),
        // outside 0.2651·0.9395² = 0.234 (out): 27 − 8 corners = 19 voxels.
        [Fact]
        public void CubeLosesItsCorners()
        {
            var g = Grid.Create(15, 15, 15);
            var m = new byte[g.VoxelCount];
            for (int k = 6; k <= 8; k++) for (int j = 6; j <= 8; j++) for (int i = 6; i <= 8; i++) m[g.Index(i, j, k)] = 1;
            var s = LesionSmoother.Smooth(m, g, 2, 0.5);
            Assert.Equal(19, Count(s));
            Assert.Equal(0, s[g.Index(6, 6, 6)]);
            Assert.Equal(1, s[g.Index(6, 6, 7)]);
            Assert.Equal(0, s[g.Index(5, 7, 7)]);
            var c = LesionSmoother.SmoothContinuous(m, g, 2);
            Near(0.8290899735, c[g.Index(7, 7, 7)], 1e-6);
            Near(Math.Pow(0.469718024 + 0.234859012 + 0.029357377, 3), c[g.Index(6, 6, 6)], 1e-6);
        }

        [Fact]
        public void SingleVoxelVanishes()
        {
            var g = Grid.Create(13, 13, 13);
            var m = new byte[g.VoxelCount];
            m[g.Index(6, 6, 6)] = 200; // any non-zero is 1
            Assert.Equal(0, Count(LesionSmoother.Smooth(m, g)));
            Near(0.10363624669, LesionSmoother.SmoothContinuous(m, g)[g.Index(6, 6, 6)], 1e-6);
        }

        // A volume full of ones (12³, 1 mm). Border voxels of a zero-padded axis keep the half kernel
        // w0 + w1 + … + w5 = 0.73486. ZOnly: corners 0.73486² = 0.540 (kept); None: corners
        // 0.73486³ = 0.397 (removed), edges 0.540 (kept); All: 1 everywhere.
        [Fact]
        public void EdgeCorrectionModes()
        {
            var g = Grid.Create(12, 12, 12);
            var m = new byte[g.VoxelCount];
            for (int i = 0; i < m.Length; i++) m[i] = 1;
            const double half = 0.7348590120739523;
            var z = LesionSmoother.SmoothContinuous(m, g, 2, EdgeCorrection.ZOnly);
            Near(half * half, z[g.Index(0, 0, 0)], 1e-6);
            Near(1.0, z[g.Index(5, 5, 0)], 1e-6);
            Near(half, z[g.Index(0, 5, 11)], 1e-6);
            Assert.Equal(g.VoxelCount, Count(LesionSmoother.Smooth(m, g, 2, 0.5, EdgeCorrection.ZOnly)));
            var n = LesionSmoother.Smooth(m, g, 2, 0.5, EdgeCorrection.None);
            Assert.Equal(g.VoxelCount - 8, Count(n));
            Assert.Equal(0, n[g.Index(11, 0, 11)]);
            Assert.Equal(1, n[g.Index(11, 0, 5)]);
            Near(half * half * half, LesionSmoother.SmoothContinuous(m, g, 2, EdgeCorrection.None)[0], 1e-6);
            var a = LesionSmoother.SmoothContinuous(m, g, 2, EdgeCorrection.All);
            foreach (var v in a) Near(1.0, v, 1e-6);
        }

        // 0.9 x 0.9 x 3 mm: along z sigma is 0.283 voxel, c = 2 and w1 = 0.00195, so a one-slice-thick
        // 9x9 plate keeps its interior (0.9961 · in-plane ≈ 0.996) and loses the slices above/below.
        [Fact]
        public void AnisotropicPlate()
        {
            var g = Grid.Create(21, 21, 9, 0.9, 0.9, 3);
            var m = new byte[g.VoxelCount];
            for (int j = 6; j <= 14; j++) for (int i = 6; i <= 14; i++) m[g.Index(i, j, 4)] = 1;
            var c = LesionSmoother.SmoothContinuous(m, g, 2);
            // In plane the window ±6 reaches 2 voxels past the 9-wide plate on each side: the taps
            // w5 + w6 = 3.397e-7 are lost per side and axis, so the centre is 0.996108949 (1 − 6.794e-7)².
            Near(0.996108949 * (1 - 6.794e-7) * (1 - 6.794e-7), c[g.Index(10, 10, 4)], 1e-7);
            Near(0.001945525, c[g.Index(10, 10, 5)], 1e-6);
            var s = LesionSmoother.Smooth(m, g, 2, 0.5);
            Assert.Equal(1, s[g.Index(10, 10, 4)]);
            Assert.Equal(0, s[g.Index(10, 10, 3)]);
            // Plate corners: per in-plane axis the half kernel 0.71134, so 0.71134² · 0.99611 = 0.5040 ≥ 0.5: all 81 kept.
            Assert.Equal(81, Count(s));
            Assert.Equal(Count(Reference.Smooth(m, 21, 21, 9, new[] { 0.9, 0.9, 3 }, 2, 0.5, "zonly")), Count(s));
        }

        [Fact]
        public void RejectsBadArguments()
        {
            var g = Grid.Create(4, 4, 4);
            Assert.Throws<ArgumentException>(() => LesionSmoother.Smooth(new byte[64], g, 0));
            Assert.Throws<ArgumentException>(() => LesionSmoother.Smooth(new byte[64], g, 2, 0));
            Assert.Throws<ArgumentException>(() => LesionSmoother.Smooth(new byte[63], g));
        }

        // Random blobs on several grids (short axes, anisotropic voxels), every edge mode, against the
        // plain-loop reference below.
        [Theory]
        [InlineData(20, 18, 16, 1.0, 1.0, 1.0, "zonly", 1)]
        [InlineData(20, 18, 16, 1.0, 1.0, 1.0, "all", 2)]
        [InlineData(20, 18, 16, 1.0, 1.0, 1.0, "none", 3)]
        [InlineData(25, 22, 9, 0.9, 0.9, 3.0, "zonly", 4)]
        [InlineData(25, 22, 9, 0.9, 0.9, 3.0, "all", 5)]
        [InlineData(9, 7, 6, 1.0, 1.0, 1.0, "zonly", 6)]   // axes shorter than 2c+1
        [InlineData(30, 10, 12, 0.5, 2.0, 1.5, "all", 7)]
        public void MatchesPlainLoopReference(int nx, int ny, int nz, double sx, double sy, double sz, string edge, int seed)
        {
            var g = Grid.Create(nx, ny, nz, sx, sy, sz);
            var m = RandomBlobs(nx, ny, nz, seed);
            var mode = Mode(edge);
            foreach (double fwhm in new[] { 2.0, 3.5 })
            {
                var refVals = Reference.Continuous(m, nx, ny, nz, new[] { sx, sy, sz }, fwhm, edge);
                var ours = LesionSmoother.SmoothContinuous(m, g, fwhm, mode);
                for (int i = 0; i < ours.Length; i++) Near(refVals[i], ours[i], 2e-7);
                var refBin = Reference.Smooth(m, nx, ny, nz, new[] { sx, sy, sz }, fwhm, 0.5, edge);
                Assert.Equal(refBin, LesionSmoother.Smooth(m, g, fwhm, 0.5, mode));
                // In place (the result written over the mask's own array), with the lesion as 255s: the same voxels,
                // as MRIcron's binarisation makes any non-zero byte lesion.
                var own = new byte[m.Length];
                for (int i = 0; i < m.Length; i++) own[i] = (byte)(m[i] * 255);
                var vol = AtlasVolume.FromArray(g, own, NiftiDataType.UInt8);
                var inPlace = LesionSmoother.SmoothInPlace(vol, fwhm, 0.5, mode);
                Assert.Same(own, inPlace.Data);
                Assert.Equal(refBin, (byte[])inPlace.Data);
            }
        }

        [Fact]
        public void In_place_smoothing_takes_plain_byte_masks_only_and_keeps_an_empty_mask_empty()
        {
            var g = Grid.Create(12, 10, 8);
            var empty = AtlasVolume.FromArray(g, new byte[g.VoxelCount], NiftiDataType.UInt8);
            Assert.Equal(new byte[g.VoxelCount], (byte[])LesionSmoother.SmoothInPlace(empty, 2, 0.5, EdgeCorrection.ZOnly).Data);
            // A lesion touching every face of the grid: the box is the whole grid, every voxel is written.
            var full = new byte[g.VoxelCount];
            for (int i = 0; i < full.Length; i++) full[i] = 1;
            var expected = LesionSmoother.Smooth(full, g, 2, 0.5, EdgeCorrection.None);
            Assert.Equal(expected, (byte[])LesionSmoother.SmoothInPlace(AtlasVolume.FromArray(g, (byte[])full.Clone(), NiftiDataType.UInt8), 2, 0.5, EdgeCorrection.None).Data);
            // Not a plain byte mask, or the continuous values asked for: null, the volume untouched.
            var f = new float[g.VoxelCount];
            f[5] = 1;
            Assert.Null(LesionSmoother.SmoothInPlace(AtlasVolume.FromFloat32(g, f), 2, 0.5, EdgeCorrection.ZOnly));
            var b = new byte[g.VoxelCount];
            b[5] = 1;
            var bytes = AtlasVolume.FromArray(g, b, NiftiDataType.UInt8);
            Assert.Null(LesionSmoother.SmoothInPlace(bytes, 2, 0, EdgeCorrection.ZOnly));
            Assert.Equal(1, b[5]);
        }

        // Real masks: AAL regions from mricron-data, cropped so that the Z edge correction acts
        // (the crop cuts the region), and the same region resampled (nearest neighbour) onto a
        // 0.9 x 0.9 x 3 mm grid.
        [SkippableTheory]
        [InlineData(5)]    // Frontal_Sup_Orb_L
        [InlineData(73)]   // Putamen_L
        [InlineData(42)]   // Amygdala_R
        public void MatchesReferenceOnAalRegions(int label)
        {
            Peers.RequireMricron("aal.nii.gz");
            foreach (var (m, g) in AalCases(label))
            {
                var vs = g.VoxelSizeMm;
                var refBin = Reference.Smooth(m, g.NX, g.NY, g.NZ, vs, 2, 0.5, "zonly");
                var ours = LesionSmoother.Smooth(m, g, 2, 0.5);
                Assert.Equal(refBin, ours);
                Assert.True(Count(ours) > 50, "region too small to be a test");
                _out.WriteLine("AAL " + label + " on " + g + ": " + Count(m) + " → " + Count(ours) + " voxels");
            }
        }

        // scipy.ndimage.gaussian_filter(mask.astype(float64), sigma=FWHM/vox/sqrt(8 ln 2),
        // mode='constant', truncate=4) uses a shorter kernel (radius int(4σ+0.5) = 3 at 1 mm, 4 at
        // 0.9 mm, 1 at 3 mm vs MRIcron's round(6σ) = 5, 6, 2), renormalised over it, and no edge
        // correction. So: (a) its map differs from ours without edge correction by at most the sum over
        // axes of the kernels' L1 distance (each pass maps [0,1] to [0,1]); (b) the thresholded masks
        // (ours: ZOnly) differ only at voxels within c_z slices of a Z border (edge correction) or
        // whose value lies within that bound of 0.5 (kernel difference).
        [SkippableTheory]
        [InlineData(73, 0)]
        [InlineData(5, 0)]
        [InlineData(5, 1)]
        public void DiffersFromScipyOnlyWhereAlgorithmsDiffer(int label, int which)
        {
            Peers.RequireMricron("aal.nii.gz");
            string python = Peers.RequirePython("numpy", "scipy", "nibabel");
            var (m, g) = AalCases(label)[which];
            using var tmp = new TempDir();
            string nii = tmp.File("mask.nii"), raw = tmp.File("scipy.f64");
            NiftiWriter.Write(AtlasVolume.FromMask(g, m), nii);
            var vs = g.VoxelSizeMm;
            string script =
                "import sys, math, numpy as np, nibabel as nib\n" +
                "from scipy.ndimage import gaussian_filter\n" +
                "img = nib.load(sys.argv[1]); d = (np.asarray(img.dataobj) != 0).astype(np.float64)\n" +
                "sig = [2.0 / v / math.sqrt(8 * math.log(2)) for v in img.header.get_zooms()[:3]]\n" +
                "s = gaussian_filter(d, sigma=sig, mode='constant', truncate=4.0)\n" +
                "s.transpose(2, 1, 0).astype('<f8').tofile(sys.argv[2])\n";
            string py = tmp.File("peer.py");
            File.WriteAllText(py, script);
            Peers.Run(python, new[] { py, nii, raw });
            var bytes = File.ReadAllBytes(raw);
            Assert.Equal(g.VoxelCount * 8, bytes.Length);
            var scipy = new double[g.VoxelCount];
            Buffer.BlockCopy(bytes, 0, scipy, 0, bytes.Length);

            double bound = 0;
            for (int a = 0; a < 3; a++) bound += KernelL1Distance(2, vs[a]);
            var none = LesionSmoother.SmoothContinuous(m, g, 2, EdgeCorrection.None);
            double maxDiff = 0;
            for (int i = 0; i < none.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(none[i] - scipy[i]));
            _out.WriteLine("max |ours(None) - scipy| = " + maxDiff.ToString("G4", CultureInfo.InvariantCulture) + ", bound " + bound.ToString("G4", CultureInfo.InvariantCulture));
            Assert.True(maxDiff <= bound + 1e-6, "difference " + maxDiff + " exceeds the kernel bound " + bound);
            Assert.True(maxDiff > 0, "the algorithms differ, so the maps must too");

            var ours = LesionSmoother.Smooth(m, g, 2, 0.5, EdgeCorrection.ZOnly);
            int cz = LesionSmoother.HalfWidth(2, vs[2]);
            int differ = 0, explained = 0;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        int o = g.Index(i, j, k);
                        bool theirs = scipy[o] >= 0.5;
                        if ((ours[o] == 1) == theirs) continue;
                        differ++;
                        bool nearZEdge = k < cz || k >= g.NZ - cz;
                        bool nearThreshold = Math.Abs(none[o] - 0.5) <= bound + 1e-6;
                        Assert.True(nearZEdge || nearThreshold, "voxel " + i + "," + j + "," + k + " differs without an algorithmic reason");
                        explained++;
                    }
            _out.WriteLine(differ + " of " + Count(ours) + " voxels differ from scipy, all near a Z border or the threshold");
        }

        // L1 distance between MRIcron's full kernel (radius round(6σ)) and scipy's (radius int(4σ+0.5)).
        private static double KernelL1Distance(double fwhm, double vox)
        {
            double sigma = fwhm / vox / Math.Sqrt(8 * Math.Log(2));
            var half = LesionSmoother.HalfKernel(fwhm, vox);
            int rs = (int)(4 * sigma + 0.5);
            double ssum = 0;
            for (int i = -rs; i <= rs; i++) ssum += Math.Exp(-0.5 * i * i / (sigma * sigma));
            int r = Math.Max(rs, half.Length - 1);
            double d = 0;
            for (int i = -r; i <= r; i++)
            {
                double a = Math.Abs(i) < half.Length ? half[Math.Abs(i)] : 0;
                double b = Math.Abs(i) <= rs ? Math.Exp(-0.5 * i * i / (sigma * sigma)) / ssum : 0;
                d += Math.Abs(a - b);
            }
            return d;
        }

        internal static (byte[] mask, Grid grid)[] AalCases(int label)
        {
            var aal = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "aal.nii.gz"));
            var region = aal.ToLabelMask(label);
            var g = aal.Grid;
            int x0 = g.NX, x1 = -1, y0 = g.NY, y1 = -1, z0 = g.NZ, z1 = -1;
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                        if (region[g.Index(i, j, k)] != 0)
                        {
                            x0 = Math.Min(x0, i); x1 = Math.Max(x1, i); y0 = Math.Min(y0, j); y1 = Math.Max(y1, j); z0 = Math.Min(z0, k); z1 = Math.Max(z1, k);
                        }
            // Crop: 8 voxels of margin in x and y, and in z cut through the region's lower third.
            int cx0 = Math.Max(0, x0 - 8), cx1 = Math.Min(g.NX - 1, x1 + 8);
            int cy0 = Math.Max(0, y0 - 8), cy1 = Math.Min(g.NY - 1, y1 + 8);
            int cz0 = z0 + (z1 - z0) / 3, cz1 = Math.Min(g.NZ - 1, z1 + 8);
            int nx = cx1 - cx0 + 1, ny = cy1 - cy0 + 1, nz = cz1 - cz0 + 1;
            var a = g.Affine;
            var ca = (double[,])a.Clone();
            var w0 = g.VoxelToWorld(cx0, cy0, cz0);
            ca[0, 3] = w0[0]; ca[1, 3] = w0[1]; ca[2, 3] = w0[2];
            var cg = new Grid(nx, ny, nz, new[] { 1.0, 1.0, 1.0 }, ca);
            var crop = new byte[cg.VoxelCount];
            for (int k = 0; k < nz; k++) for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++)
                        crop[cg.Index(i, j, k)] = region[g.Index(cx0 + i, cy0 + j, cz0 + k)];

            // The region resampled (nearest neighbour) onto 0.9 x 0.9 x 3 mm covering the same box.
            var ra = (double[,])ca.Clone();
            ra[0, 0] = 0.9; ra[1, 1] = 0.9; ra[2, 2] = 3.0;
            int rnx = (int)(nx / 0.9), rny = (int)(ny / 0.9), rnz = Math.Max(6, nz / 3);
            var rg = new Grid(rnx, rny, rnz, new[] { 0.9, 0.9, 3.0 }, ra);
            var res = new byte[rg.VoxelCount];
            for (int k = 0; k < rnz; k++) for (int j = 0; j < rny; j++) for (int i = 0; i < rnx; i++)
                    {
                        var w = rg.VoxelToWorld(i, j, k);
                        var v = g.WorldToVoxel(w[0], w[1], w[2]);
                        int si = (int)Math.Round(v[0]), sj = (int)Math.Round(v[1]), sk = (int)Math.Round(v[2]);
                        if (g.Contains(si, sj, sk)) res[rg.Index(i, j, k)] = region[g.Index(si, sj, sk)];
                    }
            return new[] { (crop, cg), (res, rg) };
        }

        private static byte[] RandomBlobs(int nx, int ny, int nz, int seed)
        {
            var rnd = new Random(seed);
            var m = new byte[nx * ny * nz];
            for (int b = 0; b < 6; b++)
            {
                double cx = rnd.NextDouble() * nx, cy = rnd.NextDouble() * ny, cz = rnd.NextDouble() * nz, r = 1 + rnd.NextDouble() * 4;
                for (int k = 0; k < nz; k++) for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++)
                            if ((i - cx) * (i - cx) + (j - cy) * (j - cy) + (k - cz) * (k - cz) <= r * r) m[i + nx * (j + ny * k)] = 1;
            }
            for (int n = 0; n < m.Length / 50; n++) m[rnd.Next(m.Length)] = 1; // isolated specks
            return m;
        }

        internal static void Near(double expected, double actual, double tol) =>
            Assert.True(Math.Abs(expected - actual) <= tol, "expected " + expected.ToString("R", CultureInfo.InvariantCulture) + " ± " + tol + ", got " + actual.ToString("R", CultureInfo.InvariantCulture));

        private static EdgeCorrection Mode(string e) => e == "all" ? EdgeCorrection.All : e == "none" ? EdgeCorrection.None : EdgeCorrection.ZOnly;
        internal static int Count(byte[] m) { int s = 0; foreach (var b in m) if (b != 0) s++; return s; }

        /// <summary>
        /// The test's own implementation of the issue's description, with plain loops over the whole
        /// volume: binarise; for axis X, then Y, then Z: out(p) = Σ_{d=-c..c, p+d inside} in(p+d)·g(d),
        /// divided by Σ g(d) over the same d when that axis is corrected. Shares no code with the engine.
        /// </summary>
        internal static class Reference
        {
            public static byte[] Smooth(byte[] m, int nx, int ny, int nz, double[] vox, double fwhm, double thr, string edge)
            {
                var v = Continuous(m, nx, ny, nz, vox, fwhm, edge);
                var r = new byte[v.Length];
                for (int i = 0; i < v.Length; i++) if (v[i] >= thr) r[i] = 1;
                return r;
            }

            public static double[] Continuous(byte[] m, int nx, int ny, int nz, double[] vox, double fwhm, string edge)
            {
                var a = new double[m.Length];
                for (int i = 0; i < m.Length; i++) a[i] = m[i] != 0 ? 1.0 : 0.0;
                int[] dims = { nx, ny, nz };
                int[] strides = { 1, nx, nx * ny };
                for (int axis = 0; axis < 3; axis++)
                {
                    bool correct = edge == "all" || (edge == "zonly" && axis == 2);
                    double sigma = fwhm / vox[axis] / Math.Sqrt(8 * Math.Log(2));
                    int c = (int)Math.Round(6 * sigma);
                    var g = new double[2 * c + 1];
                    double total = 0;
                    for (int d = -c; d <= c; d++) { g[d + c] = Math.Exp(-(d * d) / (2 * sigma * sigma)); total += g[d + c]; }
                    for (int d = 0; d < g.Length; d++) g[d] /= total;
                    var b = new double[a.Length];
                    for (int z = 0; z < nz; z++)
                        for (int y = 0; y < ny; y++)
                            for (int x = 0; x < nx; x++)
                            {
                                int[] p = { x, y, z };
                                int idx = x + nx * (y + ny * z);
                                double s = 0, wsum = 0;
                                for (int d = -c; d <= c; d++)
                                {
                                    int q = p[axis] + d;
                                    if (q < 0 || q >= dims[axis]) continue;
                                    s += a[idx + d * strides[axis]] * g[d + c];
                                    wsum += g[d + c];
                                }
                                b[idx] = correct ? s / wsum : s;
                            }
                    a = b;
                }
                return a;
            }
        }
    }
}
