using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Numerics;
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
    /// Only the bounding box of the mask grown by c voxels per axis is computed (outside it every
    /// pass yields exactly 0), slice by slice through a ring of X-Y-smoothed slices per worker.
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
            Run(mask, grid, fwhmMm, edgeCorrection, cancellation, result, threshold, null);
            return result;
        }

        /// <summary>The smoothed values (0..1) before thresholding, as float32.</summary>
        public static float[] SmoothContinuous(byte[] mask, Grid grid, double fwhmMm = 2,
            EdgeCorrection edgeCorrection = EdgeCorrection.ZOnly, CancellationToken cancellation = default)
        {
            var result = new float[CheckMask(mask, grid)];
            Run(mask, grid, fwhmMm, edgeCorrection, cancellation, null, 0, result);
            return result;
        }

        /// <summary>
        /// Smooths a mask volume (binarised with <see cref="AtlasVolume.ToMask"/>): a uint8 0/1 volume,
        /// or with <paramref name="threshold"/> 0 the float32 smoothed map, on the same grid and header.
        /// </summary>
        public static AtlasVolume Smooth(AtlasVolume mask, double fwhmMm = 2, double threshold = 0.5,
            EdgeCorrection edgeCorrection = EdgeCorrection.ZOnly, CancellationToken cancellation = default)
            => Smooth(mask, fwhmMm, threshold, edgeCorrection, null, cancellation);

        /// <summary>
        /// As above, with the working mask and the binary result's voxel array rented from <paramref name="pool"/>
        /// (many masks in a row: no fresh 4 MB arrays to page in for each). The caller may give the result back with
        /// <see cref="VoxelBufferPool.Return(AtlasVolume)"/> once it is written.
        /// </summary>
        public static AtlasVolume Smooth(AtlasVolume mask, double fwhmMm, double threshold, EdgeCorrection edgeCorrection,
            VoxelBufferPool pool, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if (threshold < 0 || double.IsNaN(threshold)) throw new ArgumentException("The threshold must be 0 (continuous output) or positive.", nameof(threshold));
            var m = mask.ToMask(0, pool);
            try
            {
                if (threshold == 0)
                    return AtlasVolume.FromFloat32(mask.Grid, SmoothContinuous(m, mask.Grid, fwhmMm, edgeCorrection, cancellation), mask.Header);
                if (!(threshold > 0) || double.IsInfinity(threshold))
                    throw new ArgumentException("The threshold must be positive (use SmoothContinuous for the smoothed values).", nameof(threshold));
                long n = CheckMask(m, mask.Grid);
                byte[] result;
                if (pool == null) result = new byte[n];
                else
                {
                    result = pool.RentBytes(checked((int)n));
                    Array.Clear(result, 0, result.Length); // only the lesion's box is written below
                }
                Run(m, mask.Grid, fwhmMm, edgeCorrection, cancellation, result, threshold, null);
                return AtlasVolume.FromMask(mask.Grid, result, mask.Header);
            }
            finally
            {
                pool?.Return(m);
            }
        }

        /// <summary>
        /// As <see cref="Smooth(AtlasVolume, double, double, EdgeCorrection, VoxelBufferPool, CancellationToken)"/>
        /// with a threshold, written into the mask's own voxel array: for a caller that owns the volume and is done
        /// with its values (Invoke-LesionSmooth on the masks it read), so a mask in work holds one voxel array
        /// instead of three (the read, its binarised copy, the result). The result shares that array; give back one
        /// of the two volumes, never both. Null, with the mask untouched, when it is not a plain 3D byte mask
        /// (another datatype, scaling, more than one frame) or the threshold asks for the continuous values.
        /// </summary>
        public static AtlasVolume SmoothInPlace(AtlasVolume mask, double fwhmMm, double threshold, EdgeCorrection edgeCorrection, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if (!(threshold > 0) || double.IsInfinity(threshold)) return null;
            if (!(mask.PlainBytes is byte[] d) || d.LongLength != mask.Grid.VoxelCount) return null;
            // Any non-zero byte is lesion, as the binarised copy would make it; the result is written over the box.
            Run(d, mask.Grid, fwhmMm, edgeCorrection, cancellation, d, threshold, null);
            return AtlasVolume.FromMask(mask.Grid, d, mask.Header);
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

        [MethodImpl(JitHints.Optimized)]
        private static void Run(byte[] mask, Grid grid, double fwhmMm, EdgeCorrection edge, CancellationToken ct, byte[] binary, double threshold, float[] continuous)
        {
            int nx = grid.NX, ny = grid.NY, nz = grid.NZ;
            var vs = grid.VoxelSizeMm;
            double[] wx = HalfKernel(fwhmMm, vs[0]), wy = HalfKernel(fwhmMm, vs[1]), wz = HalfKernel(fwhmMm, vs[2]);
            int cx = wx.Length - 1, cy = wy.Length - 1, cz = wz.Length - 1;
            bool xy = edge == EdgeCorrection.All, zc = edge != EdgeCorrection.None;
            double[] sx = EdgeScale(wx, nx, xy), sy = EdgeScale(wy, ny, xy), sz = EdgeScale(wz, nz, zc);

            // Bounding box of the mask, grown by the half-widths: outside it every pass yields 0.
            if (!MaskBox.Bounds(mask, nx, ny, nz, out int x0, out int x1, out int y0, out int y1, out int z0, out int z1))
                return; // empty mask: the result is all 0
            x0 = Math.Max(0, x0 - cx); x1 = Math.Min(nx - 1, x1 + cx);
            y0 = Math.Max(0, y0 - cy); y1 = Math.Min(ny - 1, y1 + cy);
            z0 = Math.Max(0, z0 - cz); z1 = Math.Min(nz - 1, z1 + cz);
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            int plane = bx * by;

            // Output slices are split into chunks, one per worker. Each worker streams the X and Y
            // passes of the slices it needs into a ring of 2·cz+1 slices and takes the Z pass from it,
            // so the working set stays in cache and no box-sized buffer of smoothed values exists.
            int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, bz / Math.Max(4, 2 * cz + 1)));
            var po = new ParallelOptions { CancellationToken = ct };
            // In place (the result array is the mask): the workers still read the mask's slices, so the result
            // goes to a box-sized buffer first and is copied over the box at the end. Outside the box the mask
            // is already 0, as the result must be.
            bool inPlace = binary != null && ReferenceEquals(binary, mask);
            byte[] boxOut = inPlace ? ArrayPool<byte>.Shared.Rent(checked(plane * bz)) : null;
            try
            {
                Parallel.For(0, workers, po, [MethodImpl(JitHints.Optimized)] (w) =>
                {
                    int kFrom = z0 + (int)((long)bz * w / workers), kTo = z0 + (int)((long)bz * (w + 1) / workers); // [kFrom, kTo)
                    int ringSize = 2 * cz + 1;
                    // Scratch from the shared pool (a pipeline smooths hundreds of masks; fresh arrays were most of
                    // what it allocated). Rented arrays hold old values: every slice, row and accumulator is cleared
                    // before use, as is the line's zero padding once here.
                    var pool = ArrayPool<double>.Shared;
                    var ring = new double[ringSize][];
                    var ringSlice = new int[ringSize];
                    var line = pool.Rent(bx + 2 * cx);
                    var xs = pool.Rent(plane);
                    var acc = pool.Rent(bx);
                    try
                    {
                        for (int r = 0; r < ringSize; r++) { ring[r] = pool.Rent(plane); ringSlice[r] = int.MinValue; }
                        Array.Clear(line, 0, bx + 2 * cx);
                        int nextSlice = Math.Max(z0, kFrom - cz);
                        for (int k = kFrom; k < kTo; k++)
                        {
                            ct.ThrowIfCancellationRequested();
                            int lo = Math.Max(z0, k - cz), hi = Math.Min(z1, k + cz);
                            for (; nextSlice <= hi; nextSlice++)
                            {
                                int r = nextSlice % ringSize;
                                SmoothSliceXY(mask, nx, ny, nextSlice, x0, y0, bx, by, wx, wy, sx, sy, line, xs, ring[r]);
                                ringSlice[r] = nextSlice;
                            }
                            double scale = sz[k];
                            for (int jb = 0; jb < by; jb++)
                            {
                                Array.Clear(acc, 0, bx);
                                for (int t = lo; t <= hi; t++)
                                    Axpy(acc, 0, ring[t % ringSize], jb * bx, bx, wz[Math.Abs(k - t)]);
                                long o = x0 + (long)nx * (y0 + jb + (long)ny * k);
                                if (binary != null)
                                {
                                    // In place the row goes to its place in the box buffer, else straight to the result.
                                    byte[] to = boxOut ?? binary;
                                    long at = boxOut != null ? (long)(k - z0) * plane + jb * bx : o;
                                    for (int ib = 0; ib < bx; ib++) to[at + ib] = acc[ib] * scale >= threshold ? (byte)1 : (byte)0;
                                }
                                else
                                {
                                    for (int ib = 0; ib < bx; ib++) continuous[o + ib] = (float)(acc[ib] * scale);
                                }
                            }
                        }
                    }
                    finally
                    {
                        foreach (var r in ring) if (r != null) pool.Return(r);
                        pool.Return(line); pool.Return(xs); pool.Return(acc);
                    }
                });
                if (boxOut != null)
                    for (int k = z0; k <= z1; k++)
                        for (int jb = 0; jb < by; jb++)
                            Buffer.BlockCopy(boxOut, (k - z0) * plane + jb * bx, binary, (int)(x0 + (long)nx * (y0 + jb + (long)ny * k)), bx);
            }
            finally { if (boxOut != null) ArrayPool<byte>.Shared.Return(boxOut); }
        }

        // X then Y pass of one slice of the box into dst (bx·by values, row jb at jb·bx).
        [MethodImpl(JitHints.Optimized)]
        private static void SmoothSliceXY(byte[] mask, int nx, int ny, int k, int x0, int y0, int bx, int by,
            double[] wx, double[] wy, double[] sx, double[] sy, double[] line, double[] xs, double[] dst)
        {
            int cx = wx.Length - 1, cy = wy.Length - 1;
            bool any = false;
            for (int jb = 0; jb < by; jb++)
            {
                long src = (long)nx * (y0 + jb + (long)ny * k) + x0;
                int row = jb * bx;
                // The line of the box, zero-padded by cx on both sides (the mask is 0 outside the box).
                bool rowAny = false;
                for (int ib = 0; ib < bx; ib++)
                {
                    byte b = mask[src + ib];
                    line[cx + ib] = b != 0 ? 1.0 : 0.0;
                    rowAny |= b != 0;
                }
                if (!rowAny) { Array.Clear(xs, row, bx); continue; }
                any = true;
                Array.Clear(xs, row, bx);
                for (int d = -cx; d <= cx; d++) Axpy(xs, row, line, cx + d, bx, wx[Math.Abs(d)]);
                for (int ib = 0; ib < bx; ib++) xs[row + ib] *= sx[x0 + ib];
            }
            Array.Clear(dst, 0, bx * by);
            if (!any) return;
            for (int jb = 0; jb < by; jb++)
            {
                int j = y0 + jb, row = jb * bx;
                int lo = Math.Max(0, jb - cy), hi = Math.Min(by - 1, jb + cy);
                for (int tb = lo; tb <= hi; tb++) Axpy(dst, row, xs, tb * bx, bx, wy[Math.Abs(jb - tb)]);
                double scale = sy[j];
                if (scale != 1.0) for (int ib = 0; ib < bx; ib++) dst[row + ib] *= scale;
            }
        }

        // dst[d..d+n) += w · src[s..s+n), vectorised where the hardware allows.
        [MethodImpl(JitHints.Optimized)]
        private static void Axpy(double[] dst, int d, double[] src, int s, int n, double w)
        {
            if (w == 0) return;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int width = Vector<double>.Count;
                var vw = new Vector<double>(w);
                for (; i <= n - width; i += width)
                    (new Vector<double>(dst, d + i) + vw * new Vector<double>(src, s + i)).CopyTo(dst, d + i);
            }
            for (; i < n; i++) dst[d + i] += w * src[s + i];
        }
    }
}
