using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    // SnapshotRenderer, part: sampling a layer at world points (nearest voxel or trilinear).
    public static partial class SnapshotRenderer
    {
        /// <summary>Samples a volume at world points: nearest or trilinear, NaN outside the grid.</summary>
        internal sealed class Sampler
        {
            private readonly Grid _g;
            private readonly double[,] _inv;

            public Sampler(Grid g, float[] values, byte[] mask)
            {
                _g = g;
                _inv = g.InverseAffine ?? throw new ArgumentException("The image's affine is singular; it cannot be placed in world space.");
                Values = values; Mask = mask;
            }

            public float[] Values { get; }
            public byte[] Mask { get; }
            public Grid Grid => _g;

            private void ToVoxel(double[] w, out double x, out double y, out double z)
            {
                var m = _inv;
                x = m[0, 0] * w[0] + m[0, 1] * w[1] + m[0, 2] * w[2] + m[0, 3];
                y = m[1, 0] * w[0] + m[1, 1] * w[1] + m[1, 2] * w[2] + m[1, 3];
                z = m[2, 0] * w[0] + m[2, 1] * w[1] + m[2, 2] * w[2] + m[2, 3];
            }

            private const double Eps = 1e-6;

            /// <summary>Index of the nearest voxel, or -1 outside the grid (pixel centres on a voxel edge go to the higher voxel).</summary>
            public long NearestIndex(double[] w)
            {
                ToVoxel(w, out double x, out double y, out double z);
                int i = (int)Math.Floor(x + 0.5 + Eps), j = (int)Math.Floor(y + 0.5 + Eps), k = (int)Math.Floor(z + 0.5 + Eps);
                if (i < 0 || j < 0 || k < 0 || i >= _g.NX || j >= _g.NY || k >= _g.NZ) return -1;
                return _g.Index(i, j, k);
            }

            public double Sample(double[] w, bool linear)
            {
                if (!linear)
                {
                    long idx = NearestIndex(w);
                    return idx < 0 ? double.NaN : Values[idx];
                }
                ToVoxel(w, out double x, out double y, out double z);
                int nx = _g.NX, ny = _g.NY, nz = _g.NZ;
                if (x < -0.5 - Eps || y < -0.5 - Eps || z < -0.5 - Eps || x > nx - 0.5 + Eps || y > ny - 0.5 + Eps || z > nz - 0.5 + Eps) return double.NaN;
                x = Clamp(x, nx - 1); y = Clamp(y, ny - 1); z = Clamp(z, nz - 1);
                int i0 = (int)Math.Floor(x), j0 = (int)Math.Floor(y), k0 = (int)Math.Floor(z);
                double fx = x - i0, fy = y - j0, fz = z - k0;
                int i1 = Math.Min(i0 + 1, nx - 1), j1 = Math.Min(j0 + 1, ny - 1), k1 = Math.Min(k0 + 1, nz - 1);
                var v = Values;
                double c00 = v[_g.Index(i0, j0, k0)] * (1 - fx) + v[_g.Index(i1, j0, k0)] * fx;
                double c10 = v[_g.Index(i0, j1, k0)] * (1 - fx) + v[_g.Index(i1, j1, k0)] * fx;
                double c01 = v[_g.Index(i0, j0, k1)] * (1 - fx) + v[_g.Index(i1, j0, k1)] * fx;
                double c11 = v[_g.Index(i0, j1, k1)] * (1 - fx) + v[_g.Index(i1, j1, k1)] * fx;
                double c0 = c00 * (1 - fy) + c10 * fy, c1 = c01 * (1 - fy) + c11 * fy;
                return c0 * (1 - fz) + c1 * fz;
            }

            private static double Clamp(double x, int max) => x < 0 ? 0 : x > max ? max : x;
        }
    }
}
