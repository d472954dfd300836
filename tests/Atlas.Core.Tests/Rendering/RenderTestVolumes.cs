using System;
using Atlas.Core.Volumes;

namespace Atlas.Core.Tests.Rendering
{
    /// <summary>Small volumes built in the tests, and the voxel-order changes that must not change a picture.</summary>
    internal static class RenderTestVolumes
    {
        public static double[,] Affine(double sx, double sy, double sz, double ox, double oy, double oz)
        {
            var a = new double[4, 4];
            a[0, 0] = sx; a[1, 1] = sy; a[2, 2] = sz; a[3, 3] = 1;
            a[0, 3] = ox; a[1, 3] = oy; a[2, 3] = oz;
            return a;
        }

        public static AtlasVolume Float(int nx, int ny, int nz, double[,] affine, Func<int, int, int, float> f)
        {
            var g = new Grid(nx, ny, nz, null, affine);
            var d = new float[g.VoxelCount];
            for (int k = 0; k < nz; k++) for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++) d[g.Index(i, j, k)] = f(i, j, k);
            return AtlasVolume.FromFloat32(g, d);
        }

        public static AtlasVolume Mask(int nx, int ny, int nz, double[,] affine, Func<int, int, int, bool> f)
        {
            var g = new Grid(nx, ny, nz, null, affine);
            var d = new byte[g.VoxelCount];
            for (int k = 0; k < nz; k++) for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++) d[g.Index(i, j, k)] = f(i, j, k) ? (byte)1 : (byte)0;
            return AtlasVolume.FromMask(g, d);
        }

        /// <summary>The same image stored with voxel axis <paramref name="axis"/> reversed (RAS → LAS for axis 0): voxels flipped, affine adjusted, world unchanged.</summary>
        public static AtlasVolume Flip(AtlasVolume v, int axis)
        {
            var g = v.Grid;
            var a = g.Affine;
            int n = g.Dimensions[axis];
            for (int r = 0; r < 3; r++) { a[r, 3] += a[r, axis] * (n - 1); a[r, axis] = -a[r, axis]; }
            var ng = new Grid(g.NX, g.NY, g.NZ, null, a);
            var src = v.Data;
            var dst = Array.CreateInstance(src.GetType().GetElementType(), src.Length);
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
            {
                int fi = axis == 0 ? g.NX - 1 - i : i, fj = axis == 1 ? g.NY - 1 - j : j, fk = axis == 2 ? g.NZ - 1 - k : k;
                dst.SetValue(src.GetValue(g.Index(i, j, k)), ng.Index(fi, fj, fk));
            }
            return AtlasVolume.FromArray(ng, dst, v.DataType);
        }

        /// <summary>The same image stored with voxel axes i and j exchanged (e.g. RAS → ARS).</summary>
        public static AtlasVolume SwapIJ(AtlasVolume v)
        {
            var g = v.Grid;
            var a = g.Affine;
            for (int r = 0; r < 3; r++) { double t = a[r, 0]; a[r, 0] = a[r, 1]; a[r, 1] = t; }
            var ng = new Grid(g.NY, g.NX, g.NZ, null, a);
            var src = v.Data;
            var dst = Array.CreateInstance(src.GetType().GetElementType(), src.Length);
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                dst.SetValue(src.GetValue(g.Index(i, j, k)), ng.Index(j, i, k));
            return AtlasVolume.FromArray(ng, dst, v.DataType);
        }
    }
}
