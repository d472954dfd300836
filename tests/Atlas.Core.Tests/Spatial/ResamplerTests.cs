using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Spatial
{
    public class ResamplerTests
    {
        private readonly ITestOutputHelper _out;
        public ResamplerTests(ITestOutputHelper output) { _out = output; }

        private static AffineTransform Shift(double x, double y = 0, double z = 0)
        {
            var m = AffineMath.Identity(); m[0, 3] = x; m[1, 3] = y; m[2, 3] = z;
            return new AffineTransform(m);
        }

        [Fact]
        public void HalfVoxelShiftGivesTheHandWorkedValues()
        {
            // A row 0 10 20 30 (1 mm voxels). Output voxel i takes the input at x = i + 0.5.
            var g = Grid.Create(4, 1, 1);
            var v = AtlasVolume.FromArray(g, new short[] { 0, 10, 20, 30 }, NiftiDataType.Int16);
            var lin = Resampler.Resample(v, g, Shift(0.5), Interpolation.Linear, CancellationToken.None);
            Assert.Equal(NiftiDataType.Int16, lin.DataType);
            Assert.Equal(new short[] { 5, 15, 25, 0 }, (short[])lin.Data); // 3.5 lies beyond the last centre: 0
            // Nearest rounds 0.5 up (scipy order 0): 1, 2, 3, outside.
            Assert.Equal(new short[] { 10, 20, 30, 0 }, (short[])Resampler.Resample(v, g, Shift(0.5), Interpolation.Nearest, CancellationToken.None).Data);
            // Float output keeps the fractions: x = i + 0.25.
            var f = Resampler.Resample(v, g, Shift(0.25), Interpolation.Linear, new ResampleOptions { DataType = NiftiDataType.Float32 }, CancellationToken.None);
            Assert.Equal(new float[] { 2.5f, 12.5f, 22.5f, 0 }, (float[])f.Data);
            // Shifting back: the first output voxel is before the first centre.
            Assert.Equal(new short[] { 0, 0, 10, 20 }, (short[])Resampler.Resample(v, g, Shift(-1.0), Interpolation.Linear, CancellationToken.None).Data);
        }

        [Theory]
        [InlineData(Interpolation.Nearest)]
        [InlineData(Interpolation.Linear)]
        [InlineData(Interpolation.BSpline)]
        public void IdentityOnTheSameGridReturnsTheSameVoxels(Interpolation interp)
        {
            var rnd = new Random(3);
            var g = new Grid(7, 6, 5, null, SpatialTestData.Affine(new[] { -1.2, 0.1, 0, 0, 0.9, 0, 0.05, 0, 2.0 }, 4, -3, 2));
            var data = new byte[g.VoxelCount];
            rnd.NextBytes(data);
            var v = AtlasVolume.FromArray(g, data, NiftiDataType.UInt8);
            var r = Resampler.Resample(v, g, null, interp, CancellationToken.None);
            Assert.Equal(data, (byte[])r.Data);
            Assert.True(r.Grid.Matches(g, 1e-5));
        }

        [Fact]
        public void MasksStayBinaryScalingIsKeptAndFramesAreResampledOneByOne()
        {
            var g = Grid.Create(6, 6, 6);
            var m = new byte[216];
            for (int i = 0; i < 216; i++) m[i] = (byte)((i % 6) >= 3 ? 1 : 0);
            var mask = AtlasVolume.FromMask(g, m);
            var rot = new AffineTransform(AffineMath.Multiply(SpatialTestData.Rotation(0.2, 0.1, 0.3), AffineMath.Identity()));
            foreach (Interpolation interp in Enum.GetValues(typeof(Interpolation)))
                foreach (var b in (byte[])Resampler.Resample(mask, g, rot, interp, CancellationToken.None).Data) Assert.True(b <= 1);

            // int16 with scl_slope 2, inter 10: stored values interpolate, scaling kept, outside is scaled 0.
            var h = AtlasVolume.MakeHeader(Grid.Create(4, 1, 1), NiftiDataType.Int16);
            h.SclSlope = 2; h.SclInter = 10;
            var scaled = new AtlasVolume(h, new short[] { 0, 10, 20, 30 });
            var r = Resampler.Resample(scaled, scaled.Grid, Shift(0.5), Interpolation.Linear, CancellationToken.None);
            Assert.Equal(2.0, r.Slope); Assert.Equal(10.0, r.Intercept);
            Assert.Equal(new[] { 20.0, 40, 60, 0 }, new[] { r.GetValue(0, 0, 0), r.GetValue(1, 0, 0), r.GetValue(2, 0, 0), r.GetValue(3, 0, 0) });

            // Two frames: each one moved like a 3D image; the output keeps dim[4] = 2.
            var h4 = AtlasVolume.MakeHeader(Grid.Create(4, 1, 1), NiftiDataType.Float32);
            h4.Dim[0] = 4; h4.Dim[4] = 2;
            var v4 = new AtlasVolume(h4, new float[] { 0, 10, 20, 30, 100, 110, 120, 130 });
            var r4 = Resampler.Resample(v4, v4.Grid, Shift(0.5), Interpolation.Linear, CancellationToken.None);
            Assert.Equal(new float[] { 5, 15, 25, 0, 105, 115, 125, 0 }, (float[])r4.Data);
            Assert.Equal(2, r4.Header.Dim[4]);
        }

        [Fact]
        public void SingularTransformAndHeaderOnlyVolumesAreRefused()
        {
            var g = Grid.Create(3, 3, 3);
            var v = AtlasVolume.FromMask(g, new byte[27]);
            var flat = AffineMath.Identity(); flat[1, 1] = 0;
            var e = Assert.Throws<GeometryException>(() => Resampler.Resample(v, g, new AffineTransform(flat), Interpolation.Linear, CancellationToken.None));
            Assert.Equal(GeometryErrorKind.SingularMatrix, e.Kind);
            var headerOnly = new AtlasVolume(v.Header, null, "x.nii");
            Assert.Throws<InvalidOperationException>(() => Resampler.Resample(headerOnly, g, null, Interpolation.Linear, CancellationToken.None));
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                Assert.ThrowsAny<OperationCanceledException>(() => Resampler.Resample(v, g, null, Interpolation.Linear, cts.Token));
            }
        }

        [Fact]
        public void Float32FastPathMatchesTheVolumePath()
        {
            var g = Grid.Create(9, 8, 7, 1.2, 1.0, 1.5);
            var rnd = new Random(5);
            var data = new float[g.VoxelCount];
            for (int i = 0; i < data.Length; i++) data[i] = (float)rnd.NextDouble();
            var reference = new Grid(10, 9, 8, null, SpatialTestData.Affine(new[] { 1.0, 0, 0, 0, 1, 0, 0, 0, 1 }, 0.3, -0.2, 0.4));
            var t = SpatialTestData.Messy(0.9);
            foreach (Interpolation interp in Enum.GetValues(typeof(Interpolation)))
            {
                var dst = new float[reference.VoxelCount];
                Resampler.ResampleFloat32(data, g, dst, reference, t, interp);
                var vol = Resampler.Resample(AtlasVolume.FromFloat32(g, data), reference, t, interp, CancellationToken.None);
                Assert.Equal((float[])vol.Data, dst);
            }
        }

        // ------------------------------------------------------------------ scipy

        private sealed class Case
        {
            public string Name; public AtlasVolume Moving; public Grid Reference; public AffineTransform T;
        }

        /// <summary>
        /// Real ch2 blocks on non-trivial grids: anisotropic, LAS, permuted voxel axes, oblique and sheared,
        /// moved by rotation + scale + shear or by the identity onto another grid (nibabel's resample_from_to).
        /// </summary>
        private static List<Case> Cases()
        {
            var cases = new List<Case>();
            var block = SpatialTestData.Ch2Block(40, 44, 36, 2);
            // 1: LAS, anisotropic 2 x 2.2 x 2.5 mm, oblique; reference 1.5 mm RAS; rotation + scale + shear.
            var las = AffineMath.Multiply(SpatialTestData.Rotation(0.1, -0.05, 0.15), SpatialTestData.Affine(new[] { -2.0, 0, 0, 0, 2.2, 0, 0, 0, 2.5 }, 40, -48, -45));
            cases.Add(new Case { Name = "las-aniso", Moving = SpatialTestData.Volume(block, 40, 44, 36, las),
                Reference = new Grid(48, 56, 50, null, SpatialTestData.Affine(new[] { 1.5, 0, 0, 0, 1.5, 0, 0, 0, 1.5 }, -36, -42, -37)), T = SpatialTestData.Messy() });
            // 2: permuted voxel order (i → S, j → R, k → P) with a shear; reference LAS 2 mm; identity (resample_from_to).
            var perm = SpatialTestData.Affine(new[] { 0.0, 2.0, 0.2, 0, 0, -2.1, 1.9, 0, 0 }, -44, 40, -36);
            cases.Add(new Case { Name = "permuted-identity", Moving = SpatialTestData.Volume(block, 40, 44, 36, perm),
                Reference = new Grid(45, 42, 40, null, SpatialTestData.Affine(new[] { -2.0, 0, 0, 0, 2, 0, 0, 0, 2 }, 44.37, -41.71, -40.13)), T = null });
            // 3: the same moving image as 1 pulled through a large rotation onto a 1 mm oblique grid.
            cases.Add(new Case { Name = "las-rotated", Moving = cases[0].Moving,
                Reference = new Grid(40, 36, 30, null, AffineMath.Multiply(SpatialTestData.Rotation(-0.3, 0.2, 0.5), SpatialTestData.Affine(new[] { 1.0, 0, 0, 0, 1.1, 0, 0, 0, 1.2 }, -20, -18, -15))),
                T = new AffineTransform(SpatialTestData.Rotation(0.4, -0.3, 0.6)) });
            return cases;
        }

        [SkippableFact]
        public void NearestLinearAndCubicMatchScipyAffineTransformOnRealImages()
        {
            Peers.RequireMricron("ch2.nii.gz");
            Peers.RequirePython("numpy", "scipy", "nibabel");
            using (var tmp = new TempDir())
            {
                var lines = new List<string>();
                var cases = Cases();
                var orders = new[] { (Interpolation.Nearest, 0), (Interpolation.Linear, 1), (Interpolation.BSpline, 3) };
                foreach (var c in cases)
                {
                    string mov = tmp.File(c.Name + "_mov.nii"), refp = tmp.File(c.Name + "_ref.nii"), tf = tmp.File(c.Name + "_t.txt");
                    NiftiWriter.Write(c.Moving, mov);
                    NiftiWriter.Write(AtlasVolume.FromMask(c.Reference, new byte[c.Reference.VoxelCount]), refp);
                    TransformFiles.Write(tf, c.T ?? AffineTransform.Identity, TransformFormat.RasMatrix);
                    foreach (var (_, order) in orders)
                        lines.Add(mov + " " + refp + " " + tf + " " + order + " constant " + tmp.File(c.Name + "_o" + order + ".nii"));
                }
                File.WriteAllLines(tmp.File("cases.txt"), lines);
                SpatialTestData.Run(Peers.Python, SpatialTestData.PeerScript(), "resample", tmp.File("cases.txt"));

                foreach (var c in cases)
                {
                    // The moving image as written and read back (float32 affine in the header), as scipy saw it.
                    var moving = NiftiReader.Read(tmp.File(c.Name + "_mov.nii"));
                    var reference = Grid.FromHeader(NiftiReader.ReadHeader(tmp.File(c.Name + "_ref.nii")));
                    foreach (var (interp, order) in orders)
                    {
                        var peer = NiftiReader.Read(tmp.File(c.Name + "_o" + order + ".nii")).ToFloat64();
                        var ours = Resampler.Resample(moving, reference, c.T, interp, new ResampleOptions { DataType = NiftiDataType.Float64 }, CancellationToken.None);
                        var o = (double[])ours.Data;
                        double max = 0; int inside = 0, differ = 0;
                        for (int i = 0; i < o.Length; i++)
                        {
                            double d = Math.Abs(o[i] - peer[i]);
                            max = Math.Max(max, d);
                            if (d > 1e-6) differ++;
                            if (peer[i] != 0) inside++;
                        }
                        _out.WriteLine(c.Name + " order " + order + ": max |ours - scipy| = " + max + ", " + differ + " voxels differ, " + inside + " non-zero");
                        Assert.True(inside > o.Length / 10, c.Name + ": the case samples too little of the image");
                        Assert.True(differ == 0, c.Name + " order " + order + ": " + differ + " voxels differ from scipy (max " + max + ")");
                    }
                }
            }
        }
    }
}
