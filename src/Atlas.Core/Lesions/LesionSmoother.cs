using System;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>Which axes renormalise the Gaussian where the volume border clips the kernel.</summary>
    public enum EdgeCorrection
    {
        /// <summary>MRIcron's default ("adjust sides in Z only"): X and Y zero-padded, Z divided by the remaining taps.</summary>
        ZOnly,
        /// <summary>Every axis divided by the sum of the taps inside the volume (MRIcron "adjust all sides").</summary>
        All,
        /// <summary>No renormalisation: zero padding on every axis.</summary>
        None,
    }

    /// <summary>
    /// MRIcron's "Smooth VOI" (smoothVOI.pas, SmoothOpenVOI), the smoothing the ATLAS masks went
    /// through (FWHM 2 mm, threshold 0.5). The input is binarised (non-zero → 1) and convolved with a
    /// separable Gaussian, one pass per axis in the order X, Y, Z. Per axis: sigma in voxels =
    /// (FWHM / voxel size) / sqrt(8 ln 2); kernel half-width c = round(6 sigma) (round half to even,
    /// as Pascal's Round); taps exp(-i²/(2 sigma²)) divided by their sum over -c..c. At the border the
    /// window is clipped; with edge correction on an axis the clipped sum is divided by the sum of the
    /// taps that remain. A voxel is in the output when its smoothed value is ≥ the threshold.
    /// MRIcron accumulates in single precision and refuses volumes with 2c ≥ the axis length; here
    /// the sums are double precision and short axes use the same remaining-taps rule (the result
    /// equals MRIcron's wherever MRIcron runs, except for values within ~1e-7 of the threshold).
    /// Only the bounding box of the mask grown by c voxels per axis is computed: outside it every
    /// pass yields exactly 0.
    /// </summary>
    public static class LesionSmoother
    {
        /// <summary>FWHM → sigma: sqrt(8 ln 2).</summary>
        public static readonly double FwhmPerSigma = Math.Sqrt(8 * Math.Log(2));

        /// <summary>Kernel half-width in voxels for one axis: round(6 sigma).</summary>
        public static int HalfWidth(double fwhmMm, double voxelMm)
        {
            double sigma = fwhmMm / voxelMm / FwhmPerSigma;
            return (int)Math.Round(6 * sigma, MidpointRounding.ToEven);
        }

        /// <summary>
        /// The normalised half kernel w[0..c] of one axis: w[i] = exp(-i²/(2σ²)) / (w0 + 2 Σ_{i≥1} w_i).
        /// For FWHM 2 mm on 1 mm voxels: 0.4697, 0.2349, 0.0294, 0.0009, 0.0000, 0.0000.
        /// </summary>
        public static double[] HalfKernel(double fwhmMm, double voxelMm)
        {
            if (!(fwhmMm > 0) || double.IsInfinity(fwhmMm)) throw new ArgumentException("FWHM must be a positive number of millimetres.", nameof(fwhmMm));
            if (!(voxelMm > 0) || double.IsInfinity(voxelMm)) throw new ArgumentException("Voxel sizes must be positive.", nameof(voxelMm));
            double sigma = fwhmMm / voxelMm / FwhmPerSigma;
            int c = HalfWidth(fwhmMm, voxelMm);
            var w = new double[c + 1];
            double sum = 0;
            for (int i = 0; i <= c; i++)
            {
                w[i] = Math.Exp(-(double)i * i / (2 * sigma * sigma));
                sum += i == 0 ? w[i] : 2 * w[i];
            }
            for (int i = 0; i <= c; i++) w[i] /= sum;
            return w;
        }

        /// <summary>Binary smoothing: 1 where the smoothed mask is ≥ <paramref name="threshold"/> (&gt; 0).</summary>
        public static byte[] Smooth(byte[] mask, Grid grid, double fwhmMm = 2, double threshold = 0.5,
            EdgeCorrection edgeCorrection = EdgeCorrection.ZOnly, CancellationToken cancellation = default)
        {
            if (!(threshold > 0) || double.IsInfinity(threshold))
                throw new ArgumentException("The threshold must be positive (use SmoothContinuous for the smoothed values).", nameof(threshold));
            var result = new byte[CheckMask(mask, grid)];
            Run(mask, grid, fwhmMm, edgeCorrection, cancellation, (o, v) => result[o] = v >= threshold ? (byte)1 : (byte)0);
            return result;
        }

        /// <summary>The smoothed values (0..1) before thresholding, as float32.</summary>
        public static float[] SmoothContinuous(byte[] mask, Grid grid, double fwhmMm = 2,
            EdgeCorrection edgeCorrection = EdgeCorrection.ZOnly, CancellationToken cancellation = default)
        {
            var result = new float[CheckMask(mask, grid)];
            Run(mask, grid, fwhmMm, edgeCorrection, cancellation, (o, v) => result[o] = (float)v);
            return result;
        }

        /// <summary>
        /// Smooths a mask volume (binarised with <see cref="AtlasVolume.ToMask"/>): a uint8 0/1 volume,
        /// or with <paramref name="threshold"/> 0 the float32 smoothed map, on the same grid and header.
        /// </summary>
        public static AtlasVolume Smooth(AtlasVolume mask, double fwhmMm = 2, double threshold = 0.5,
            EdgeCorrection edgeCorrection = EdgeCorrection.ZOnly, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if (threshold < 0 || double.IsNaN(threshold)) throw new ArgumentException("The threshold must be 0 (continuous output) or positive.", nameof(threshold));
            var m = mask.ToMask();
            if (threshold == 0)
                return AtlasVolume.FromFloat32(mask.Grid, SmoothContinuous(m, mask.Grid, fwhmMm, edgeCorrection, cancellation), mask.Header);
            return AtlasVolume.FromMask(mask.Grid, Smooth(m, mask.Grid, fwhmMm, threshold, edgeCorrection, cancellation), mask.Header);
        }

        private static long CheckMask(byte[] mask, Grid grid)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if (grid == null) throw new ArgumentNullException(nameof(grid));
            if (mask.LongLength != grid.VoxelCount)
                throw new ArgumentException("The mask has " + mask.LongLength + " voxels, its grid " + grid.VoxelCount + ".", nameof(mask));
            return mask.LongLength;
        }

        // Per output position along an axis of length n: the factor for the clipped window
        // (1 when the axis is not corrected, else 1 / sum of the taps inside the volume).
        private static double[] EdgeScale(double[] w, int n, bool correct)
        {
            int c = w.Length - 1;
            var s = new double[n];
            for (int p = 0; p < n; p++)
            {
                if (!correct) { s[p] = 1; continue; }
                int lo = Math.Max(0, p - c), hi = Math.Min(n - 1, p + c);
                double sum = 0;
                for (int t = lo; t <= hi; t++) sum += w[Math.Abs(p - t)];
                s[p] = 1.0 / sum;
            }
            return s;
        }

        private static void Run(byte[] mask, Grid grid, double fwhmMm, EdgeCorrection edge, CancellationToken ct, Action<long, double> emit)
        {
            int nx = grid.NX, ny = grid.NY, nz = grid.NZ;
            var vs = grid.VoxelSizeMm;
            double[] wx = HalfKernel(fwhmMm, vs[0]), wy = HalfKernel(fwhmMm, vs[1]), wz = HalfKernel(fwhmMm, vs[2]);
            int cx = wx.Length - 1, cy = wy.Length - 1, cz = wz.Length - 1;
            bool xy = edge == EdgeCorrection.All, zc = edge != EdgeCorrection.None;
            double[] sx = EdgeScale(wx, nx, xy), sy = EdgeScale(wy, ny, xy), sz = EdgeScale(wz, nz, zc);

            // Bounding box of the mask, grown by the half-widths.
            int x0 = nx, x1 = -1, y0 = ny, y1 = -1, z0 = nz, z1 = -1;
            for (int k = 0; k < nz; k++)
                for (int j = 0; j < ny; j++)
                {
                    int o = nx * (j + ny * k);
                    for (int i = 0; i < nx; i++)
                    {
                        if (mask[o + i] == 0) continue;
                        if (i < x0) x0 = i;
                        if (i > x1) x1 = i;
                        if (j < y0) y0 = j;
                        if (j > y1) y1 = j;
                        if (k < z0) z0 = k;
                        if (k > z1) z1 = k;
                    }
                }
            if (x1 < 0) return; // empty mask: all zero (the result arrays are already 0)
            x0 = Math.Max(0, x0 - cx); x1 = Math.Min(nx - 1, x1 + cx);
            y0 = Math.Max(0, y0 - cy); y1 = Math.Min(ny - 1, y1 + cy);
            z0 = Math.Max(0, z0 - cz); z1 = Math.Min(nz - 1, z1 + cz);
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            long plane = (long)bx * by;
            var buf = new double[plane * bz];
            var po = new ParallelOptions { CancellationToken = ct };

            // X pass: binary input, so each output sums the taps of the non-zero voxels in its window.
            // Mask voxels outside the box are 0, so the window may be read from the full line.
            Parallel.For(0, bz, po, kb =>
            {
                int k = z0 + kb;
                for (int jb = 0; jb < by; jb++)
                {
                    int j = y0 + jb;
                    long src = (long)nx * (j + (long)ny * k);
                    long dst = plane * kb + (long)bx * jb;
                    for (int ib = 0; ib < bx; ib++)
                    {
                        int i = x0 + ib;
                        int lo = Math.Max(0, i - cx), hi = Math.Min(nx - 1, i + cx);
                        double acc = 0;
                        for (int t = lo; t <= hi; t++)
                            if (mask[src + t] != 0) acc += wx[Math.Abs(i - t)];
                        buf[dst + ib] = acc * sx[i];
                    }
                }
            });

            // Y pass, in place per slice (a slice-sized scratch per worker).
            Parallel.For(0, bz, po, () => new double[plane], (kb, state, tmp) =>
            {
                long s0 = plane * kb;
                for (int jb = 0; jb < by; jb++)
                {
                    int j = y0 + jb;
                    int lo = Math.Max(y0, j - cy), hi = Math.Min(y1, j + cy);
                    double scale = sy[j];
                    long d = (long)bx * jb;
                    for (int ib = 0; ib < bx; ib++) tmp[d + ib] = 0;
                    for (int t = lo; t <= hi; t++)
                    {
                        double wt = wy[Math.Abs(j - t)];
                        long s = s0 + (long)bx * (t - y0);
                        for (int ib = 0; ib < bx; ib++) tmp[d + ib] += buf[s + ib] * wt;
                    }
                    for (int ib = 0; ib < bx; ib++) tmp[d + ib] *= scale;
                }
                Array.Copy(tmp, 0, buf, s0, plane);
                return tmp;
            }, _ => { });

            // Z pass, straight into the output (parallel over output slices).
            Parallel.For(0, bz, po, () => new double[bx], (kb, state, acc) =>
            {
                int k = z0 + kb;
                int lo = Math.Max(z0, k - cz), hi = Math.Min(z1, k + cz);
                double scale = sz[k];
                for (int jb = 0; jb < by; jb++)
                {
                    for (int ib = 0; ib < bx; ib++) acc[ib] = 0;
                    for (int t = lo; t <= hi; t++)
                    {
                        double wt = wz[Math.Abs(k - t)];
                        long s = plane * (t - z0) + (long)bx * jb;
                        for (int ib = 0; ib < bx; ib++) acc[ib] += buf[s + ib] * wt;
                    }
                    long o = x0 + (long)nx * (y0 + jb + (long)ny * k);
                    for (int ib = 0; ib < bx; ib++) emit(o + ib, acc[ib] * scale);
                }
                return acc;
            }, _ => { });
        }
    }
}
