using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Atlas.Core.Imaging
{
    /// <summary>
    /// Exact Euclidean distance transform in linear time, with anisotropic voxel spacing.
    /// Felzenszwalb &amp; Huttenlocher, "Distance transforms of sampled functions", Theory of
    /// Computing 8 (2012): the squared distance is separable, so one pass per axis computes, for
    /// every voxel, min over p of (x − x_p)² + f(p) as the lower envelope of parabolas rooted at
    /// the previous pass's values. Each pass runs in parallel over the lines of that axis.
    /// Distances are between voxel centres, in the units of the spacing (mm).
    /// </summary>
    public static class DistanceTransform
    {
        /// <summary>
        /// Squared distance (mm²) from every voxel to the nearest voxel where
        /// <paramref name="feature"/> is non-zero; +∞ everywhere when there is no feature voxel.
        /// </summary>
        public static double[] SquaredToNearest(byte[] feature, int nx, int ny, int nz, double sx, double sy, double sz) =>
            SquaredToNearest(feature, nx, ny, nz, sx, sy, sz, null);

        /// <summary>
        /// As above, but exact only where <paramref name="query"/> is non-zero: the last pass
        /// skips the z-columns that hold no query voxel (their values are left unfinished).
        /// Surface distances need the transform only at the other mask's surface voxels.
        /// </summary>
        public static double[] SquaredToNearest(byte[] feature, int nx, int ny, int nz, double sx, double sy, double sz, byte[] query)
        {
            if (feature == null) throw new ArgumentNullException(nameof(feature));
            var d = new double[feature.Length];
            SquaredToNearest(feature, nx, ny, nz, sx, sy, sz, query, d);
            return d;
        }

        /// <summary>Into a caller's buffer (at least as long as the feature image; e.g. rented from a pool).</summary>
        internal static void SquaredToNearest(byte[] feature, int nx, int ny, int nz, double sx, double sy, double sz, byte[] query, double[] d)
        {
            if (feature == null) throw new ArgumentNullException(nameof(feature));
            if ((long)nx * ny * nz != feature.LongLength) throw new ArgumentException("Feature length does not match the dimensions.");
            if (!(sx > 0) || !(sy > 0) || !(sz > 0)) throw new ArgumentException("Voxel spacing must be positive.");
            if (d == null || d.Length < feature.Length) throw new ArgumentException("The distance buffer is too small.");

            // Pass 1, along x: a binary image needs no envelope, two scans give the distance in voxels.
            Parallel.For(0, ny * nz, [MethodImpl(JitHints.Optimized)] (line) =>
            {
                int row = line * nx;
                int last = -1;
                for (int i = 0; i < nx; i++)
                {
                    if (feature[row + i] != 0) last = i;
                    d[row + i] = last < 0 ? double.PositiveInfinity : (i - last);
                }
                last = -1;
                for (int i = nx - 1; i >= 0; i--)
                {
                    if (feature[row + i] != 0) last = i;
                    if (last >= 0 && last - i < d[row + i]) d[row + i] = last - i;
                }
                for (int i = 0; i < nx; i++)
                {
                    double v = d[row + i];
                    if (!double.IsPositiveInfinity(v)) d[row + i] = v * v * sx * sx;
                }
            });

            // Pass 2, along y: lines (i, k), stride nx; parallel over slabs k.
            if (ny > 1)
                Parallel.For(0, nz, () => new Envelope(ny), [MethodImpl(JitHints.Optimized)] (k, _, env) =>
                {
                    int baseK = k * nx * ny;
                    for (int i = 0; i < nx; i++) env.Run(d, baseK + i, nx, ny, sy);
                    return env;
                }, _ => { });

            // Pass 3, along z: lines (i, j), stride nx*ny; parallel over rows j.
            if (nz > 1)
            {
                bool[] wanted = null;
                if (query != null)
                {
                    if (query.Length != feature.Length) throw new ArgumentException("Query length does not match the dimensions.");
                    wanted = new bool[nx * ny];
                    int slab = nx * ny;
                    for (int k = 0; k < nz; k++)
                        for (int c = 0, p = k * slab; c < slab; c++, p++)
                            if (query[p] != 0) wanted[c] = true;
                }
                Parallel.For(0, ny, () => new Envelope(nz), [MethodImpl(JitHints.Optimized)] (j, _, env) =>
                {
                    int baseJ = j * nx;
                    for (int i = 0; i < nx; i++)
                        if (wanted == null || wanted[baseJ + i]) env.Run(d, baseJ + i, nx * ny, nz, sz);
                    return env;
                }, _ => { });
            }
        }

        /// <summary>Scratch buffers for one thread's 1D lower-envelope transforms.</summary>
        private sealed class Envelope
        {
            private readonly double[] _f;   // the line's input values
            private readonly int[] _v;      // roots of the parabolas in the envelope
            private readonly double[] _z;   // boundaries between envelope parabolas (mm)

            public Envelope(int n)
            {
                _f = new double[n];
                _v = new int[n];
                _z = new double[n + 1];
            }

            /// <summary>In place: d[start + q*stride] = min_p ((q − p)·s)² + d[start + p*stride].</summary>
            [MethodImpl(JitHints.Optimized)]
            public void Run(double[] d, int start, int stride, int n, double s)
            {
                var f = _f; var v = _v; var z = _z;
                for (int q = 0, p = start; q < n; q++, p += stride) f[q] = d[p];

                int k = -1;
                for (int q = 0; q < n; q++)
                {
                    double fq = f[q];
                    if (double.IsPositiveInfinity(fq)) continue;   // no parabola from an empty column
                    double xq = q * s;
                    if (k < 0)
                    {
                        k = 0; v[0] = q; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity;
                        continue;
                    }
                    double cut;
                    while (true)
                    {
                        int r = v[k];
                        double xr = r * s;
                        cut = ((fq + xq * xq) - (f[r] + xr * xr)) / (2 * (xq - xr));
                        if (cut <= z[k]) { k--; if (k < 0) break; } else break;
                    }
                    if (k < 0)
                    {
                        k = 0; v[0] = q; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity;
                        continue;
                    }
                    k++;
                    v[k] = q; z[k] = cut; z[k + 1] = double.PositiveInfinity;
                }
                if (k < 0) return;   // the whole line stays +∞

                k = 0;
                for (int q = 0, p = start; q < n; q++, p += stride)
                {
                    double xq = q * s;
                    while (z[k + 1] < xq) k++;
                    double dx = xq - v[k] * s;
                    d[p] = dx * dx + f[v[k]];
                }
            }
        }
    }
}
