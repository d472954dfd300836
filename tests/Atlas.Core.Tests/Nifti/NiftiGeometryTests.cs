using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>qform / sform / pixdim rules against matrices worked out by hand from nifti1.h.</summary>
    public class NiftiGeometryTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        private AtlasVolume ReadQ(float b, float c, float d, float qfac, float dx, float dy, float dz, float ox = 0, float oy = 0, float oz = 0, bool le = true)
        {
            var h = new Raw1
            {
                LittleEndian = le, Dim = new short[] { 3, 2, 2, 2, 1, 1, 1, 1 }, QFormCode = 1,
                QuaternB = b, QuaternC = c, QuaternD = d, QOffsetX = ox, QOffsetY = oy, QOffsetZ = oz,
                PixDim = new[] { qfac, dx, dy, dz, 0, 0, 0, 0 },
            };
            string p = _tmp.File(Guid.NewGuid().ToString("N") + ".nii");
            File.WriteAllBytes(p, RawFiles.Single(h.Bytes(), new byte[8]));
            return NiftiReader.Read(p);
        }

        private static void Near(double[,] expected, double[,] actual, double tol = 1e-6)
        {
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tol, $"[{i},{j}] expected {expected[i, j]} got {actual[i, j]}");
        }

        [Fact]
        public void Identity_quaternion_scales_by_pixdim_and_translates()
        {
            var v = ReadQ(0, 0, 0, 1, 2, 3, 4, 10, -20, 30);
            Near(new double[,] { { 2, 0, 0, 10 }, { 0, 3, 0, -20 }, { 0, 0, 4, 30 }, { 0, 0, 0, 1 } }, v.Affine);
            Assert.Equal("RAS", v.Orientation);
        }

        [Fact]
        public void Qfac_minus_one_flips_the_third_column_and_zero_counts_as_one()
        {
            Near(new double[,] { { 2, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, -4, 0 }, { 0, 0, 0, 1 } }, ReadQ(0, 0, 0, -1, 2, 3, 4).Affine);
            Assert.Equal("RAI", ReadQ(0, 0, 0, -1, 2, 3, 4).Orientation);
            Near(new double[,] { { 2, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, 4, 0 }, { 0, 0, 0, 1 } }, ReadQ(0, 0, 0, 0, 2, 3, 4).Affine);
        }

        [Fact]
        public void Ninety_degrees_about_z()
        {
            // a = cos 45°, d = sin 45°: R = [[0,-1,0],[1,0,0],[0,0,1]], columns scaled by 2,3,4.
            float s = (float)Math.Sqrt(0.5);
            var v = ReadQ(0, 0, s, 1, 2, 3, 4, 1, 2, 3, le: false);
            Near(new double[,] { { 0, -3, 0, 1 }, { 2, 0, 0, 2 }, { 0, 0, 4, 3 }, { 0, 0, 0, 1 } }, v.Affine);
            Assert.Equal("ALS", v.Orientation); // i runs along +y (A), j along -x (L), k along +z (S)
        }

        [Fact]
        public void Half_turn_about_y_with_qfac_minus_one_is_the_FSL_LAS_form()
        {
            // b=0, c=1, d=0 -> a = 0: R = diag(-1, 1, -1); qfac -1 negates column 3 -> diag(-1, 1, 1).
            // This is the qform of FSL's MNI152 atlases (nifti_tool -disp_nim qto_xyz: -2 0 -0 90 …).
            var v = ReadQ(0, 1, 0, -1, 2, 2, 2, 90, -126, -72);
            Near(new double[,] { { -2, 0, 0, 90 }, { 0, 2, 0, -126 }, { 0, 0, 2, -72 }, { 0, 0, 0, 1 } }, v.Affine);
            Assert.Equal("LAS", v.Orientation);
        }

        [Fact]
        public void Non_unit_quaternion_is_renormalised_to_a_half_turn_as_nifti_clib_does()
        {
            // b=c=d=0.6: 1-(b²+c²+d²) = -0.08 < 1e-7, so (b,c,d) -> n = (1,1,1)/sqrt3 and a = 0:
            // R = 2 n nᵀ - I = [[-1/3, 2/3, 2/3], [2/3, -1/3, 2/3], [2/3, 2/3, -1/3]].
            var v = ReadQ(0.6f, 0.6f, 0.6f, 1, 1, 1, 1);
            double t = 1.0 / 3, u = 2.0 / 3;
            Near(new double[,] { { -t, u, u, 0 }, { u, -t, u, 0 }, { u, u, -t, 0 }, { 0, 0, 0, 1 } }, v.Affine);
        }

        [Fact]
        public void Negative_or_zero_pixdim_counts_as_one_in_the_qform()
        {
            Near(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 5, 0 }, { 0, 0, 0, 1 } }, ReadQ(0, 0, 0, 1, -2, 0, 5).Affine);
        }

        [Fact]
        public void Sform_wins_over_qform_and_pixdim_is_the_fallback()
        {
            var h = new Raw1
            {
                Dim = new short[] { 3, 2, 2, 2, 1, 1, 1, 1 }, QFormCode = 1, SFormCode = 2, QuaternD = 1,
                PixDim = new float[] { 1, 2, 2, 2, 0, 0, 0, 0 },
                SRow = new float[] { 0, 0, 1.5f, -10, -1.5f, 0, 0, 20, 0, 1.5f, 0, -30 },
            };
            File.WriteAllBytes(_tmp.File("s.nii"), RawFiles.Single(h.Bytes(), new byte[8]));
            var v = NiftiReader.Read(_tmp.File("s.nii"));
            Near(new double[,] { { 0, 0, 1.5, -10 }, { -1.5, 0, 0, 20 }, { 0, 1.5, 0, -30 }, { 0, 0, 0, 1 } }, v.Affine);
            Assert.Equal("PSR", v.Orientation); // i -> -y (P), j -> +z (S), k -> +x (R)
            Assert.Equal(new[] { 2.0, 2.0, 2.0 }, v.VoxelSizeMm);
            // World -> voxel inverts it: world (-10+1.5*1, 20-1.5*2, -30+1.5*3) is voxel (2, 3, 1).
            var ijk = v.WorldToVoxel(-8.5, 17, -25.5);
            Assert.Equal(2, ijk[0], 9); Assert.Equal(3, ijk[1], 9); Assert.Equal(1, ijk[2], 9);

            h.SFormCode = 0; h.QFormCode = 0; h.PixDim = new float[] { -1, 0.5f, 0.75f, 2, 0, 0, 0, 0 };
            File.WriteAllBytes(_tmp.File("p.nii"), RawFiles.Single(h.Bytes(), new byte[8]));
            Near(new double[,] { { 0.5, 0, 0, 0 }, { 0, 0.75, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } }, NiftiReader.Read(_tmp.File("p.nii")).Affine);
        }

        [Theory]
        [InlineData(0.0, 0.0, 0.0, 1.0)]
        [InlineData(0.0, 0.0, 0.70710678118654757, 1.0)]
        [InlineData(0.0, 1.0, 0.0, -1.0)]
        [InlineData(0.5, 0.5, 0.5, -1.0)]
        [InlineData(0.1, -0.2, 0.3, 1.0)]
        public void Matrix_to_quaternion_inverts_quaternion_to_matrix(double b, double c, double d, double qfac)
        {
            var m = AffineMath.QuaternionToMatrix(b, c, d, 5, -6, 7, 1.5, 2, 2.5, qfac);
            AffineMath.MatrixToQuaternion(m, out var b2, out var c2, out var d2, out var x, out var y, out var z, out var dx, out var dy, out var dz, out var q2);
            Assert.Equal(qfac, q2);
            Assert.Equal(1.5, dx, 12); Assert.Equal(2, dy, 12); Assert.Equal(2.5, dz, 12);
            Assert.Equal(5, x); Assert.Equal(-6, y); Assert.Equal(7, z);
            Near(m, AffineMath.QuaternionToMatrix(b2, c2, d2, x, y, z, dx, dy, dz, q2), 1e-12);
            // a >= 0 convention: the same rotation, same sign as the input where a > 0
            if (b * b + c * c + d * d < 1) { Assert.Equal(b, b2, 12); Assert.Equal(c, c2, 12); Assert.Equal(d, d2, 12); }
        }

        [Fact]
        public void Matrix_to_quaternion_orthogonalises_a_sheared_matrix()
        {
            // A slightly sheared diag(1,1,-1): polar decomposition gives diag(1,1,-1) -> qfac -1, b=c=d=0.
            var m = new double[,] { { 1, 0.001, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, -1, 0 }, { 0, 0, 0, 1 } };
            AffineMath.MatrixToQuaternion(m, out var b, out var c, out var d, out _, out _, out _, out _, out _, out _, out var qfac);
            Assert.Equal(-1.0, qfac);
            Assert.True(Math.Abs(b) < 1e-3 && Math.Abs(c) < 1e-3 && Math.Abs(d) < 1e-3, $"{b} {c} {d}");
        }
    }
}
