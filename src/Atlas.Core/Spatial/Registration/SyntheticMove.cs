using System;
using System.Threading.Tasks;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Atlas.Core.Spatial;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>
    /// Registration cases with a known answer: an image moved by a known fixed-to-moving affine onto another
    /// grid, with a multiplicative bias field, Rician noise and lesions, and the error measure of issue 13
    /// (RMS over template brain voxels of |estimated(y) - true(y)|). Used by the tests, the bench and the demo.
    /// </summary>
    public static class SyntheticMove
    {
        /// <summary>An affine about <paramref name="centreMm"/>: y -> R Sh S (y - c) + c + t (angles in degrees, R = Rz Ry Rx).</summary>
        public static double[,] Affine(double[] rotationDegrees, double[] translationMm, double[] scales = null, double[] shears = null, double[] centreMm = null)
        {
            var r = AffineModel.Rotation(rotationDegrees[0] * Math.PI / 180, rotationDegrees[1] * Math.PI / 180, rotationDegrees[2] * Math.PI / 180);
            var sh = shears ?? new double[3];
            var k = new double[,] { { 1, sh[0], sh[1] }, { 0, 1, sh[2] }, { 0, 0, 1 } };
            var a = AffineModel.Mul3(r, k);
            var s = scales ?? new[] { 1.0, 1, 1 };
            for (int i = 0; i < 3; i++) { a[i, 0] *= s[0]; a[i, 1] *= s[1]; a[i, 2] *= s[2]; }
            var c = centreMm ?? new double[3];
            var m = AffineMath.Identity();
            for (int i = 0; i < 3; i++)
            {
                double ac = 0;
                for (int j = 0; j < 3; j++) { m[i, j] = a[i, j]; ac += a[i, j] * c[j]; }
                m[i, 3] = c[i] + translationMm[i] - ac;
            }
            return m;
        }

        /// <summary>
        /// A grid with voxel sizes <paramref name="voxelSizeMm"/> (per voxel axis) whose voxel axis a runs along world axis
        /// <paramref name="axes"/>[a], flipped where <paramref name="flip"/>[a] (e.g. axes 0,1,2 with x flipped = LAS), covering
        /// the moved bounding box of the template's voxels above <paramref name="threshold"/>, plus <paramref name="marginMm"/>.
        /// </summary>
        public static Grid MovedGrid(float[] fixedData, Grid fixedGrid, double[,] fixedToMoving, double[] voxelSizeMm, int[] axes, bool[] flip,
            double threshold = 0, double marginMm = 6)
        {
            var lo = new[] { double.MaxValue, double.MaxValue, double.MaxValue };
            var hi = new[] { double.MinValue, double.MinValue, double.MinValue };
            int[] bmin = { int.MaxValue, int.MaxValue, int.MaxValue }, bmax = { -1, -1, -1 };
            for (int k = 0; k < fixedGrid.NZ; k++)
                for (int j = 0; j < fixedGrid.NY; j++)
                    for (int i = 0; i < fixedGrid.NX; i++)
                        if (fixedData[fixedGrid.Index(i, j, k)] > threshold)
                        {
                            bmin[0] = Math.Min(bmin[0], i); bmax[0] = Math.Max(bmax[0], i);
                            bmin[1] = Math.Min(bmin[1], j); bmax[1] = Math.Max(bmax[1], j);
                            bmin[2] = Math.Min(bmin[2], k); bmax[2] = Math.Max(bmax[2], k);
                        }
            var toMoving = AffineMath.Multiply(fixedToMoving, fixedGrid.Affine);
            for (int c = 0; c < 8; c++)
            {
                double i = (c & 1) == 0 ? bmin[0] : bmax[0], j = (c & 2) == 0 ? bmin[1] : bmax[1], k = (c & 4) == 0 ? bmin[2] : bmax[2];
                for (int a = 0; a < 3; a++)
                {
                    double w = toMoving[a, 0] * i + toMoving[a, 1] * j + toMoving[a, 2] * k + toMoving[a, 3];
                    lo[a] = Math.Min(lo[a], w - marginMm); hi[a] = Math.Max(hi[a], w + marginMm);
                }
            }
            var aff = new double[4, 4];
            aff[3, 3] = 1;
            var dims = new int[3];
            for (int a = 0; a < 3; a++)
            {
                int w = axes[a];
                aff[w, a] = flip[a] ? -voxelSizeMm[a] : voxelSizeMm[a];
                dims[a] = (int)Math.Ceiling((hi[w] - lo[w]) / voxelSizeMm[a]) + 1;
            }
            for (int a = 0; a < 3; a++) { int w = axes[a]; aff[w, 3] = flip[a] ? hi[w] : lo[w]; }
            return new Grid(dims[0], dims[1], dims[2], voxelSizeMm, aff);
        }

        /// <summary>The template seen through the map: moving(x) = fixed(T^-1 x), trilinear, 0 outside (the geometry's resampler).</summary>
        public static float[] Move(float[] fixedData, Grid fixedGrid, double[,] fixedToMoving, Grid movingGrid)
        {
            var dst = new float[movingGrid.VoxelCount];
            Resampler.ResampleFloat32(fixedData, fixedGrid, dst, movingGrid, new AffineTransform(fixedToMoving).Inverse(), Interpolation.Linear);
            return dst;
        }

        /// <summary>Multiplies by exp(amplitude * smooth field) (a low-order product of cosines over the grid's extent; the scanner's shading).</summary>
        public static void ApplyBias(float[] data, Grid g, double amplitude)
        {
            Parallel.For(0, g.NZ, k =>
            {
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        double u = (double)i / g.NX, v = (double)j / g.NY, w = (double)k / g.NZ;
                        double f = Math.Cos(Math.PI * (u - 0.3)) * Math.Cos(0.8 * Math.PI * (v - 0.6)) + 0.5 * Math.Sin(Math.PI * w);
                        data[g.Index(i, j, k)] *= (float)Math.Exp(amplitude * (f - 0.5));
                    }
            });
        }

        /// <summary>Rician noise of scale <paramref name="sigma"/>: |value + n1 + i n2| (deterministic for a seed).</summary>
        public static void AddRicianNoise(float[] data, double sigma, int seed)
        {
            var rng = new Random(seed);
            for (int i = 0; i < data.Length; i++)
            {
                double n1 = Gauss(rng) * sigma, n2 = Gauss(rng) * sigma;
                double re = data[i] + n1;
                data[i] = (float)Math.Sqrt(re * re + n2 * n2);
            }
        }

        private static double Gauss(Random r)
        {
            double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>A lesion: the voxels of <paramref name="region"/> (moving grid) set to <paramref name="value"/>; returns them as a 0/1 mask.</summary>
        public static byte[] PaintLesion(float[] data, byte[] region, float value)
        {
            var m = new byte[data.Length];
            for (int i = 0; i < data.Length; i++) if (region[i] != 0) { data[i] = value; m[i] = 1; }
            return m;
        }

        /// <summary>A ball of <paramref name="radiusMm"/> about a world point, on a grid.</summary>
        public static byte[] Ball(Grid g, double[] centreMm, double radiusMm)
        {
            var m = new byte[g.VoxelCount];
            var a = g.Affine;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        double d2 = 0;
                        for (int r = 0; r < 3; r++) { double w = a[r, 0] * i + a[r, 1] * j + a[r, 2] * k + a[r, 3] - centreMm[r]; d2 += w * w; }
                        if (d2 <= radiusMm * radiusMm) m[g.Index(i, j, k)] = 1;
                    }
            return m;
        }

        /// <summary>RMS (mm) over the template voxels of <paramref name="brain"/> of |estimated(y) - true(y)|.</summary>
        public static double RmsErrorMm(double[,] estimated, double[,] truth, Grid fixedGrid, byte[] brain)
        {
            var d = new double[4, 4];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) d[i, j] = estimated[i, j] - truth[i, j];
            var dv = AffineMath.Multiply(d, fixedGrid.Affine);
            double s = 0; long n = 0;
            for (int k = 0; k < fixedGrid.NZ; k++)
                for (int j = 0; j < fixedGrid.NY; j++)
                    for (int i = 0; i < fixedGrid.NX; i++)
                    {
                        if (brain[fixedGrid.Index(i, j, k)] == 0) continue;
                        for (int r = 0; r < 3; r++) { double e = dv[r, 0] * i + dv[r, 1] * j + dv[r, 2] * k + dv[r, 3]; s += e * e; }
                        n++;
                    }
            return n == 0 ? double.NaN : Math.Sqrt(s / n);
        }

        /// <summary>Block means over factor^3 voxels (the grid's affine follows the block centres); masks: use <paramref name="majority"/>.</summary>
        public static AtlasVolume Downsample(AtlasVolume v, int factor, bool majority = false)
        {
            var g = v.Grid; var src = v.ToFloat32();
            int nx = g.NX / factor, ny = g.NY / factor, nz = g.NZ / factor;
            var shift = AffineMath.Identity();
            for (int a = 0; a < 3; a++) { shift[a, a] = factor; shift[a, 3] = 0.5 * (factor - 1); }
            var vs = new double[3];
            for (int a = 0; a < 3; a++) vs[a] = g.VoxelSizeMm[a] * factor;
            var ng = new Grid(nx, ny, nz, vs, AffineMath.Multiply(g.Affine, shift));
            var dst = new float[ng.VoxelCount];
            for (int k = 0; k < nz; k++)
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                    {
                        double s = 0;
                        for (int c = 0; c < factor; c++) for (int b = 0; b < factor; b++) for (int a = 0; a < factor; a++)
                                    s += src[g.Index(i * factor + a, j * factor + b, k * factor + c)];
                        s /= factor * factor * factor;
                        dst[ng.Index(i, j, k)] = majority ? (s >= 0.5 ? 1f : 0f) : (float)s;
                    }
            if (majority)
            {
                var b = new byte[dst.Length];
                for (int i = 0; i < b.Length; i++) b[i] = (byte)dst[i];
                return AtlasVolume.FromMask(ng, b);
            }
            return AtlasVolume.FromFloat32(ng, dst);
        }
    }
}
