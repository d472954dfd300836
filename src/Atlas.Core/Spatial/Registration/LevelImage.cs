using System;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>
    /// A float image on its grid as the registration samples it: voxels (x fastest), the world-to-voxel
    /// affine, and trilinear lookup. Internal: the public resampler lives in Spatial/.
    /// </summary>
    internal sealed class LevelImage
    {
        public LevelImage(float[] data, Grid grid)
        {
            Data = data; Grid = grid;
            NX = grid.NX; NY = grid.NY; NZ = grid.NZ;
            WorldToVoxel = grid.InverseAffine ?? throw new ArgumentException("The image's affine is singular.");
        }

        public float[] Data { get; }
        public Grid Grid { get; }
        public int NX { get; }
        public int NY { get; }
        public int NZ { get; }
        public double[,] WorldToVoxel { get; }

        /// <summary>
        /// Trilinear value at voxel coordinates; false outside [0, n-1] on any axis (no extrapolation,
        /// as scipy's map_coordinates with mode 'constant' treats the edge).
        /// </summary>
        public bool TrySample(double x, double y, double z, out double value)
        {
            value = 0;
            if (!(x >= 0 && y >= 0 && z >= 0 && x <= NX - 1 && y <= NY - 1 && z <= NZ - 1)) return false;
            int i = (int)x, j = (int)y, k = (int)z;
            if (i >= NX - 1) i = NX - 2;
            if (j >= NY - 1) j = NY - 2;
            if (k >= NZ - 1) k = NZ - 2;
            double fx = x - i, fy = y - j, fz = z - k;
            int sx = NX, sxy = NX * NY;
            int o = i + sx * j + sxy * k;
            var d = Data;
            double c00 = d[o] + fx * (d[o + 1] - d[o]);
            double c10 = d[o + sx] + fx * (d[o + sx + 1] - d[o + sx]);
            double c01 = d[o + sxy] + fx * (d[o + sxy + 1] - d[o + sxy]);
            double c11 = d[o + sxy + sx] + fx * (d[o + sxy + sx + 1] - d[o + sxy + sx]);
            double c0 = c00 + fy * (c10 - c00);
            double c1 = c01 + fy * (c11 - c01);
            value = c0 + fz * (c1 - c0);
            return true;
        }

        /// <summary>Voxel bounds (inclusive, x y z lo then hi) of the non-zero voxels; null when there are none.</summary>
        public int[] NonZeroBox()
        {
            int x0 = NX, y0 = NY, z0 = NZ, x1 = -1, y1 = -1, z1 = -1;
            var d = Data;
            for (int k = 0, o = 0; k < NZ; k++)
                for (int j = 0; j < NY; j++)
                    for (int i = 0; i < NX; i++, o++)
                        if (d[o] != 0)
                        {
                            if (i < x0) x0 = i; if (i > x1) x1 = i;
                            if (j < y0) y0 = j; if (j > y1) y1 = j;
                            if (k < z0) z0 = k; if (k > z1) z1 = k;
                        }
            return x1 < 0 ? null : new[] { x0, y0, z0, x1, y1, z1 };
        }

        public const double MinimumSigmaVoxels = 0.5;

        /// <summary>
        /// The image of one pyramid level: a Gaussian whose FWHM brings the voxels to <paramref name="levelMm"/>
        /// (sigma = sqrt(level^2 - voxel^2) / 2 per axis, in the manner of ANTs' smoothing sigmas of half the
        /// shrink factor), never less than half a voxel of the grid sampled. Where the level is at least twice
        /// the voxel size the image is first averaged over blocks of f = floor(level / 2 voxel) voxels (variance
        /// (f^2 - 1) / 12 voxel^2, taken off the Gaussian's), so coarse levels are blurred and sampled on a
        /// small grid. Each output voxel is computed on its own: the result does not depend on the core count.
        /// </summary>
        public static LevelImage ForLevel(float[] data, Grid grid, double levelMm, CancellationToken token)
        {
            var f = BlockFactors(grid, levelMm);
            var g = grid; var d = data;
            if (f[0] > 1 || f[1] > 1 || f[2] > 1) { d = BlockMean(data, grid, f, out g, token); }
            return new LevelImage(Blur(d, g, LevelSigmas(grid, g, f, levelMm), token), g);
        }

        private static int[] BlockFactors(Grid grid, double levelMm)
        {
            var f = new int[3];
            for (int a = 0; a < 3; a++) f[a] = Math.Max(1, (int)Math.Floor(levelMm / (2 * grid.VoxelSizeMm[a]) + 1e-9));
            for (int a = 0; a < 3; a++) if (grid.Dimensions[a] / f[a] < 2) f[a] = 1;
            return f;
        }

        // The Gaussian (in level voxels) that, after blocks of f, brings the grid's voxels to the level.
        private static double[] LevelSigmas(Grid grid, Grid level, int[] f, double levelMm)
        {
            var sigmaVox = new double[3];
            for (int a = 0; a < 3; a++)
            {
                double v = grid.VoxelSizeMm[a], nv = level.VoxelSizeMm[a];
                double s2 = levelMm * levelMm - v * v;
                double target = Math.Max(MinimumSigmaVoxels * nv, s2 > 1e-6 ? 0.5 * Math.Sqrt(s2) : 0);
                double rest = target * target - (f[a] * f[a] - 1) / 12.0 * v * v;
                sigmaVox[a] = rest > 0 ? Math.Sqrt(rest) / nv : 0;
            }
            return sigmaVox;
        }

        /// <summary>
        /// <see cref="ForLevel"/> of an image that is zero outside a small box (the dilated lesion of a cost-function mask):
        /// only that box, grown on each axis by twice the blur's reach and aligned to the blocks, is averaged and blurred,
        /// and the rest of the level image is zero. Every value equals ForLevel's bit for bit: a block sums the same voxels
        /// in the same order, a blurred voxel inside the grown box sums the same taps, and the kernel, renormalised where a
        /// line ends, gives 0 wherever its window holds only zeros (everywhere within reach of the grown box's faces).
        /// </summary>
        public static LevelImage ForLevelSparse(float[] data, Grid grid, double levelMm, CancellationToken token)
        {
            var f = BlockFactors(grid, levelMm);
            int NX = grid.NX, NY = grid.NY, NZ = grid.NZ;
            Grid g = f[0] > 1 || f[1] > 1 || f[2] > 1 ? BlockGrid(grid, f) : grid;
            var sigma = LevelSigmas(grid, g, f, levelMm);
            int[] n = { g.NX, g.NY, g.NZ };
            // The non-zero box at full resolution.
            int x0 = NX, y0 = NY, z0 = NZ, x1 = -1, y1 = -1, z1 = -1;
            for (int k = 0, o = 0; k < NZ; k++)
                for (int j = 0; j < NY; j++, o += NX)
                {
                    int first = -1, last = -1;
                    for (int i = 0; i < NX; i++) if (data[o + i] != 0) { if (first < 0) first = i; last = i; }
                    if (first < 0) continue;
                    if (first < x0) x0 = first; if (last > x1) x1 = last;
                    if (j < y0) y0 = j; if (j > y1) y1 = j;
                    if (k < z0) z0 = k; if (k > z1) z1 = k;
                }
            var full = new float[g.VoxelCount];
            if (x1 < 0) return new LevelImage(full, g);
            int[] b0 = { x0, y0, z0 }, b1 = { x1, y1, z1 }, lo = new int[3], hi = new int[3], sub = new int[3];
            for (int a = 0; a < 3; a++)
            {
                int reach = sigma[a] < 0.05 ? 0 : Math.Max(1, (int)Math.Ceiling(3 * sigma[a]));
                int m = 2 * reach + 1;
                lo[a] = Math.Max(0, b0[a] / f[a] - m);
                hi[a] = Math.Min(n[a] - 1, b1[a] / f[a] + m);
                sub[a] = (hi[a] - lo[a] + 1) * f[a];
            }
            // The grown box at full resolution (whole blocks), copied out.
            var part = new float[(long)sub[0] * sub[1] * sub[2]];
            for (int k = 0; k < sub[2]; k++)
                for (int j = 0; j < sub[1]; j++)
                    Array.Copy(data, (lo[0] * f[0]) + NX * ((lo[1] * f[1] + j) + (long)NY * (lo[2] * f[2] + k)), part, sub[0] * (j + (long)sub[1] * k), sub[0]);
            var pg = Grid.Create(sub[0], sub[1], sub[2], grid.VoxelSizeMm[0], grid.VoxelSizeMm[1], grid.VoxelSizeMm[2]);
            var pd = part; var plg = pg;
            if (f[0] > 1 || f[1] > 1 || f[2] > 1) pd = BlockMean(part, pg, f, out plg, token);
            var blurred = Blur(pd, plg, sigma, token);
            int lx = plg.NX, ly = plg.NY, lz = plg.NZ;
            for (int k = 0; k < lz; k++)
                for (int j = 0; j < ly; j++)
                    Array.Copy(blurred, lx * (j + (long)ly * k), full, lo[0] + n[0] * ((lo[1] + j) + (long)n[1] * (lo[2] + k)), lx);
            return new LevelImage(full, g);
        }

        /// <summary>
        /// As <see cref="ForLevel"/> without the block averaging: the blurred image on its own grid (template side), with
        /// <paramref name="extraVoxels2"/> (variance in voxels^2 per axis) added to the Gaussian when given.
        /// </summary>
        public static float[] BlurToLevel(float[] data, Grid grid, double levelMm, CancellationToken token, double[] extraVoxels2 = null)
        {
            var sigmaVox = new double[3];
            for (int a = 0; a < 3; a++)
            {
                double v = grid.VoxelSizeMm[a];
                double s2 = levelMm * levelMm - v * v;
                sigmaVox[a] = Math.Max(MinimumSigmaVoxels, s2 > 1e-6 ? 0.5 * Math.Sqrt(s2) / v : 0);
                if (extraVoxels2 != null) sigmaVox[a] = Math.Sqrt(sigmaVox[a] * sigmaVox[a] + extraVoxels2[a]);
            }
            return Blur(data, grid, sigmaVox, token);
        }

        /// <summary>Per voxel axis, the variance (mm^2) of the smoothing in a value of <see cref="ForLevel"/>'s image looked up trilinearly
        /// at a random place: the block mean and Gaussian, and h^2 / 6 of the linear interpolation (h the level's voxel).</summary>
        public static double[] LevelVarianceMm2(Grid grid, double levelMm)
        {
            var r = new double[3];
            for (int a = 0; a < 3; a++)
            {
                double v = grid.VoxelSizeMm[a];
                int f = Math.Max(1, (int)Math.Floor(levelMm / (2 * v) + 1e-9));
                if (grid.Dimensions[a] / f < 2) f = 1;
                double nv = v * f, s2 = levelMm * levelMm - v * v;
                double target = Math.Max(MinimumSigmaVoxels * nv, s2 > 1e-6 ? 0.5 * Math.Sqrt(s2) : 0);
                r[a] = Math.Max(target * target, (f * f - 1) / 12.0 * v * v) + nv * nv / 6;
            }
            return r;
        }

        /// <summary>The same for <see cref="BlurToLevel"/>'s image (the template, sampled trilinearly off its grid).</summary>
        public static double[] TemplateVarianceMm2(Grid grid, double levelMm)
        {
            var r = new double[3];
            for (int a = 0; a < 3; a++)
            {
                double v = grid.VoxelSizeMm[a], s2 = levelMm * levelMm - v * v;
                double sigma = Math.Max(MinimumSigmaVoxels * v, s2 > 1e-6 ? 0.5 * Math.Sqrt(s2) : 0);
                r[a] = sigma * sigma + v * v / 6;
            }
            return r;
        }

        private static float[] Blur(float[] data, Grid grid, double[] sigmaVox, CancellationToken token)
        {
            var a1 = (float[])data.Clone();
            var tmp = new float[data.Length];
            int[] dims = { grid.NX, grid.NY, grid.NZ };
            for (int axis = 0; axis < 3; axis++)
            {
                if (sigmaVox[axis] < 0.05) continue;
                BlurAxis(a1, tmp, dims, axis, sigmaVox[axis], token);
                var t = a1; a1 = tmp; tmp = t;
            }
            return a1;
        }

        /// <summary>The grid of the block means: one voxel per whole block, the affine following the block centres.</summary>
        private static Grid BlockGrid(Grid g, int[] f)
        {
            int nx = g.NX / f[0], ny = g.NY / f[1], nz = g.NZ / f[2];
            var shift = AffineMath.Identity();
            var vs = new double[3];
            for (int a = 0; a < 3; a++) { shift[a, a] = f[a]; shift[a, 3] = 0.5 * (f[a] - 1); vs[a] = g.VoxelSizeMm[a] * f[a]; }
            return new Grid(nx, ny, nz, vs, AffineMath.Multiply(g.Affine, shift));
        }

        /// <summary>Means over blocks of f voxels; the grid's affine follows the block centres (a remainder at the far edge is dropped).</summary>
        private static float[] BlockMean(float[] src, Grid g, int[] f, out Grid ng, CancellationToken token)
        {
            var grid = BlockGrid(g, f);
            int nx = grid.NX, ny = grid.NY, nz = grid.NZ;
            var dst = new float[grid.VoxelCount];
            double inv = 1.0 / (f[0] * f[1] * f[2]);
            int sx = g.NX, sxy = g.NX * g.NY;
            Parallel.For(0, nz, new ParallelOptions { CancellationToken = token }, k =>
            {
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                    {
                        double s = 0;
                        for (int c = 0; c < f[2]; c++)
                            for (int b = 0; b < f[1]; b++)
                            {
                                int o = (i * f[0]) + sx * (j * f[1] + b) + sxy * (k * f[2] + c);
                                for (int a = 0; a < f[0]; a++) s += src[o + a];
                            }
                        dst[i + nx * (j + ny * k)] = (float)(s * inv);
                    }
            });
            ng = grid;
            return dst;
        }

        private const int Group = 16;

        private static void BlurAxis(float[] src, float[] dst, int[] dims, int axis, double sigma, CancellationToken token)
        {
            int nx = dims[0], ny = dims[1], nz = dims[2];
            int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
            var w = new double[2 * r + 1];
            for (int t = -r; t <= r; t++) w[t + r] = Math.Exp(-0.5 * t * t / (sigma * sigma));
            int n = dims[axis];
            int stride = axis == 0 ? 1 : axis == 1 ? nx : nx * ny;
            // Lines along the axis, indexed by their start voxel; the edge renormalises the kernel (no zero padding pull-down).
            int lines = nx * ny * nz / n;
            var po = new ParallelOptions { CancellationToken = token };
            Parallel.For(0, (lines + 255) / 256, po, chunk =>
            {
                int l0 = chunk * 256, l1 = Math.Min(lines, l0 + 256);
                var acc = new double[Group];
                for (int l = l0; l < l1;)
                {
                    int start;
                    if (axis == 0) start = l * nx;
                    else if (axis == 1) { int i = l % nx, k = l / nx; start = i + nx * ny * k; }
                    else start = l;
                    // Across the y and z axes, neighbouring lines start at neighbouring voxels: up to Group of them are
                    // blurred together, so each tap reads contiguous memory. Every line still sums its own taps in the
                    // same order, so the values do not depend on the grouping.
                    int g = 1;
                    if (axis != 0)
                    {
                        g = Math.Min(Group, l1 - l);
                        if (axis == 1) g = Math.Min(g, nx - l % nx);
                    }
                    for (int p = 0; p < n; p++)
                    {
                        int lo = Math.Max(-r, -p), hi = Math.Min(r, n - 1 - p);
                        double ws = 0;
                        for (int q = 0; q < g; q++) acc[q] = 0;
                        int o = start + (p + lo) * stride;
                        for (int t = lo; t <= hi; t++, o += stride)
                        {
                            double wt = w[t + r];
                            ws += wt;
                            for (int q = 0; q < g; q++) acc[q] += wt * src[o + q];
                        }
                        int d = start + p * stride;
                        for (int q = 0; q < g; q++) dst[d + q] = (float)(acc[q] / ws);
                    }
                    l += g;
                }
            });
        }
    }
}
