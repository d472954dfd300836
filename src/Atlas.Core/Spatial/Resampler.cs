using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>How a moving image is sampled between its voxel centres.</summary>
    public enum Interpolation
    {
        /// <summary>The nearest voxel (scipy order 0: ties round up); keeps masks binary and labels whole.</summary>
        Nearest,
        /// <summary>Trilinear, equal to scipy.ndimage.affine_transform(order=1) inside the image.</summary>
        Linear,
        /// <summary>Cubic B-spline on prefiltered coefficients, mirror boundary (scipy order 3, mode 'mirror', inside the image).</summary>
        BSpline,
    }

    /// <summary>Optional settings of <see cref="Resampler.Resample(AtlasVolume, Grid, AffineTransform, Interpolation, ResampleOptions, CancellationToken)"/>.</summary>
    public sealed class ResampleOptions
    {
        /// <summary>The reference image's header: the output copies its qform and sform (codes too) exactly.</summary>
        public NiftiHeader ReferenceHeader { get; set; }
        /// <summary>Store the output as this datatype (scaled values, slope 1); null keeps the moving image's datatype and scaling.</summary>
        public NiftiDataType? DataType { get; set; }
    }

    /// <summary>
    /// Resampling of a moving image onto a reference grid through a fixed→moving world transform:
    /// output voxel v takes the moving image's value at A_mov⁻¹·T·A_ref·v. Points outside the moving
    /// image (beyond its first and last voxel centres, as scipy's mode='constant') are 0. The voxel map
    /// is one 4x4 product per image; along an output row the moving coordinate advances by one column
    /// of it, so the inner loop is a multiply-add per axis and the interpolation, parallel over slabs.
    /// </summary>
    public static class Resampler
    {
        /// <summary>Voxels within this distance (in voxels) of the first/last centre count as on it (rounding of the voxel map).</summary>
        private const double EdgeToleranceVoxels = 1e-6;

        public static AtlasVolume Resample(AtlasVolume moving, Grid reference, AffineTransform fixedToMoving, Interpolation interpolation, CancellationToken ct = default(CancellationToken)) =>
            Resample(moving, reference, fixedToMoving, interpolation, null, ct);

        /// <summary>The moving image on <paramref name="reference"/>, every held frame; datatype kept unless the options say otherwise.</summary>
        public static AtlasVolume Resample(AtlasVolume moving, Grid reference, AffineTransform fixedToMoving, Interpolation interpolation, ResampleOptions options, CancellationToken ct = default(CancellationToken))
        {
            if (moving == null) throw new ArgumentNullException(nameof(moving));
            if (reference == null) throw new ArgumentNullException(nameof(reference));
            if (!moving.HasData) throw new InvalidOperationException((moving.Path ?? "volume") + ": only the header was read; there are no voxels to resample.");
            if (NiftiDataTypes.ElementsPerVoxel(moving.DataType) != 1)
                throw new NotSupportedException((moving.Path ?? "volume") + ": datatype " + moving.DataType + " has several values per voxel; only scalar images can be resampled.");
            options = options ?? new ResampleOptions();
            var map = VoxelMap(moving.Grid, reference, fixedToMoving, moving.Path);

            NiftiDataType srcType = moving.DataType;
            NiftiDataType outType = options.DataType ?? srcType;
            double slope = moving.Slope, inter = moving.Intercept;
            double outSlope = options.DataType.HasValue ? 1.0 : slope, outInter = options.DataType.HasValue ? 0.0 : inter;
            long nIn = moving.Grid.VoxelCount, nOut = reference.VoxelCount;
            int frames = checked((int)moving.FramesLoaded);
            var outData = NiftiDataTypes.AllocateForOverwrite(outType, nOut * frames);
            // Stored values: raw·a + b in the output's scaling; outside = the stored value whose scaled value is 0.
            double a = slope / outSlope, b = (inter - outInter) / outSlope, outside = -outInter / outSlope;

            for (int f = 0; f < frames; f++)
            {
                ct.ThrowIfCancellationRequested();
                if (interpolation == Interpolation.Nearest && outType == srcType)
                {
                    NearestTyped(moving.Data, (long)f * nIn, moving.Grid, outData, (long)f * nOut, reference, map, outside, ct);
                    continue;
                }
                if (interpolation == Interpolation.BSpline)
                {
                    var coef = new double[nIn];
                    VoxelConvert.ToFloat64(moving.Data, (long)f * nIn, coef, 1.0, 0.0);
                    BSplinePrefilter(coef, moving.Grid, ct);
                    SampleArray(coef, moving.Grid, interpolation, outData, (long)f * nOut, reference, map, a, b, outside, ct);
                }
                else if (frames == 1 && (IsExactly<short>(moving.Data) || IsExactly<byte>(moving.Data) || moving.Data is float[]))
                    SampleArray(moving.Data, moving.Grid, interpolation, outData, 0, reference, map, a, b, outside, ct);
                else if (FitsFloat32(srcType))
                {
                    var src = (float[])NiftiDataTypes.AllocateForOverwrite(NiftiDataType.Float32, nIn);
                    VoxelConvert.ToFloat32(moving.Data, (long)f * nIn, src, 1.0, 0.0);
                    SampleArray(src, moving.Grid, interpolation, outData, (long)f * nOut, reference, map, a, b, outside, ct);
                }
                else
                {
                    var src = new double[nIn];
                    VoxelConvert.ToFloat64(moving.Data, (long)f * nIn, src, 1.0, 0.0);
                    SampleArray(src, moving.Grid, interpolation, outData, (long)f * nOut, reference, map, a, b, outside, ct);
                }
            }

            var h = OutputHeader(moving, reference, options.ReferenceHeader, outType, outSlope, outInter, frames);
            return new AtlasVolume(h, outData, null);
        }

        /// <summary>NIfTI intent code of a label map (NIFTI_INTENT_LABEL).</summary>
        public const short LabelIntent = 1002;

        /// <summary>
        /// The interpolation a volume gets unless told: Nearest for a label map (intent NIFTI_INTENT_LABEL)
        /// and for a mask (an integer image whose values are 0 and at most one other value), Linear otherwise.
        /// A label map without the label intent needs Nearest asked for.
        /// </summary>
        public static Interpolation DefaultFor(AtlasVolume v)
        {
            if (v == null) throw new ArgumentNullException(nameof(v));
            if (v.Header.IntentCode == LabelIntent) return Interpolation.Nearest;
            if (!v.HasData || !NiftiDataTypes.IsInteger(v.DataType) || NiftiDataTypes.ElementsPerVoxel(v.DataType) != 1) return Interpolation.Linear;
            return IsBinary(v.Data) ? Interpolation.Nearest : Interpolation.Linear;
        }

        /// <summary>True when the stored values are 0 and at most one other value (stops at the third distinct value).</summary>
        private static bool IsBinary(Array data)
        {
            switch (data)
            {
                case byte[] b when b.GetType() == typeof(byte[]):
                {
                    byte other = 0;
                    foreach (var x in b) { if (x == 0 || x == other) continue; if (other != 0) return false; other = x; }
                    return true;
                }
                case short[] s when s.GetType() == typeof(short[]):
                {
                    short other = 0;
                    foreach (var x in s) { if (x == 0 || x == other) continue; if (other != 0) return false; other = x; }
                    return true;
                }
                default:
                {
                    var all = new double[data.LongLength];
                    VoxelConvert.ToFloat64(data, 0, all, 1, 0);
                    double other = 0;
                    foreach (var x in all) { if (x == 0 || x == other) continue; if (other != 0) return false; other = x; }
                    return true;
                }
            }
        }

        /// <summary>
        /// Resamples one float32 image (scaled values) into <paramref name="destination"/> on the reference grid:
        /// the allocation-free path for callers that resample many times (registration).
        /// </summary>
        public static void ResampleFloat32(float[] source, Grid sourceGrid, float[] destination, Grid reference, AffineTransform fixedToMoving, Interpolation interpolation, CancellationToken ct = default(CancellationToken))
        {
            if (source == null || source.LongLength != sourceGrid.VoxelCount) throw new ArgumentException("The source array does not match its grid.", nameof(source));
            if (destination == null || destination.LongLength != reference.VoxelCount) throw new ArgumentException("The destination array does not match the reference grid.", nameof(destination));
            var map = VoxelMap(sourceGrid, reference, fixedToMoving, null);
            if (interpolation == Interpolation.BSpline)
            {
                var coef = new double[source.LongLength];
                for (long i = 0; i < coef.LongLength; i++) coef[i] = source[i];
                BSplinePrefilter(coef, sourceGrid, ct);
                SampleArray(coef, sourceGrid, interpolation, destination, 0, reference, map, 1, 0, 0, ct);
            }
            else SampleArray(source, sourceGrid, interpolation, destination, 0, reference, map, 1, 0, 0, ct);
        }

        /// <summary>
        /// Reference voxel → moving voxel: A_mov⁻¹·T·A_ref (T null = identity). A singular transform or
        /// moving affine is a SingularMatrix error.
        /// </summary>
        public static double[,] VoxelMap(Grid moving, Grid reference, AffineTransform fixedToMoving, string movingPath = null)
        {
            var t = fixedToMoving ?? AffineTransform.Identity;
            t.RequireInvertible(t.Source);
            var inv = moving.InverseAffine;
            if (inv == null) throw new GeometryException(GeometryErrorKind.SingularMatrix, movingPath, "the image's voxel-to-world affine is singular; its voxels have no place in the world");
            if (reference.InverseAffine == null) throw new GeometryException(GeometryErrorKind.SingularMatrix, null, "the reference grid's voxel-to-world affine is singular");
            return AffineMath.Multiply(inv, AffineMath.Multiply(t.Matrix, reference.Affine));
        }

        private static bool IsExactly<T>(Array a) => a != null && a.GetType() == typeof(T[]);

        private static bool FitsFloat32(NiftiDataType t) =>
            t == NiftiDataType.UInt8 || t == NiftiDataType.Int8 || t == NiftiDataType.Int16 || t == NiftiDataType.UInt16 || t == NiftiDataType.Float32;

        // ------------------------------------------------------------------ header

        private static NiftiHeader OutputHeader(AtlasVolume moving, Grid reference, NiftiHeader refHeader, NiftiDataType outType, double slope, double inter, int frames)
        {
            var h = moving.Header.Clone();
            if (h.Format == NiftiFormat.Analyze75) { h.Format = NiftiFormat.Nifti1; h.Magic = "n+1"; h.SingleFile = true; }
            h.Dim = (long[])h.Dim.Clone();
            h.Dim[1] = reference.NX; h.Dim[2] = reference.NY; h.Dim[3] = reference.NZ;
            if (frames != moving.FrameCount || frames == 1)
            {
                h.Dim[0] = 3;
                for (int d = 4; d < 8; d++) h.Dim[d] = 1;
            }
            else if (h.Dim[0] < 3) h.Dim[0] = 3;
            if (refHeader != null && refHeader.Format != NiftiFormat.Analyze75 && (refHeader.SFormCode > 0 || refHeader.QFormCode > 0))
            {
                // The output lies on the reference's grid: both of its forms, exactly as stored.
                h.QFormCode = refHeader.QFormCode; h.SFormCode = refHeader.SFormCode;
                h.QuaternB = refHeader.QuaternB; h.QuaternC = refHeader.QuaternC; h.QuaternD = refHeader.QuaternD;
                h.QOffsetX = refHeader.QOffsetX; h.QOffsetY = refHeader.QOffsetY; h.QOffsetZ = refHeader.QOffsetZ;
                h.SRowX = (double[])refHeader.SRowX.Clone(); h.SRowY = (double[])refHeader.SRowY.Clone(); h.SRowZ = (double[])refHeader.SRowZ.Clone();
                h.PixDim = (double[])h.PixDim.Clone();
                for (int d = 0; d < 4; d++) h.PixDim[d] = refHeader.PixDim[d];
                if (h.PixDim[0] == 0) h.PixDim[0] = 1;
                h.XyztUnits = (h.XyztUnits & 0x38) | (refHeader.XyztUnits & 0x07);
            }
            else
            {
                h.PixDim = (double[])h.PixDim.Clone();
                AtlasVolume.SetGeometry(h, reference);
            }
            // The moving image's slice timing and axis roles describe its own voxel axes, not these.
            h.DimInfo = 0; h.SliceCode = 0; h.SliceStart = 0; h.SliceEnd = 0; h.SliceDuration = 0;
            h.DataType = outType;
            h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(outType) * 8);
            h.SclSlope = slope; h.SclInter = inter;
            return h;
        }

        // ------------------------------------------------------------------ sources

        private interface ISource { double this[long i] { get; } }

        // The sources read pinned arrays through pointers: the hot loop does eight loads per voxel and
        // bounds checks would be most of its work (every index is inside by construction, InsideRange).
        // int16 and uint8 images (most T1s and masks) are read in place, with no float copy of the input.
        private readonly unsafe struct FloatSource : ISource
        {
            private readonly float* _p;
            public FloatSource(float* p) { _p = p; }
            public double this[long i] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _p[i]; }
        }

        private readonly unsafe struct DoubleSource : ISource
        {
            private readonly double* _p;
            public DoubleSource(double* p) { _p = p; }
            public double this[long i] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _p[i]; }
        }

        private readonly unsafe struct ShortSource : ISource
        {
            private readonly short* _p;
            public ShortSource(short* p) { _p = p; }
            public double this[long i] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _p[i]; }
        }

        private readonly unsafe struct ByteSource : ISource
        {
            private readonly byte* _p;
            public ByteSource(byte* p) { _p = p; }
            public double this[long i] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _p[i]; }
        }

        /// <summary>Samples a pinned array of float, double, short or byte (the array stays pinned for the call).</summary>
        private static unsafe void SampleArray(Array src, Grid mg, Interpolation interp, Array outData, long outOffset, Grid reference, double[,] map,
            double a, double b, double outside, CancellationToken ct)
        {
            var h = System.Runtime.InteropServices.GCHandle.Alloc(src, System.Runtime.InteropServices.GCHandleType.Pinned);
            try
            {
                var p = (void*)h.AddrOfPinnedObject();
                switch (src)
                {
                    case float[] _: Sample(new FloatSource((float*)p), mg, interp, outData, outOffset, reference, map, a, b, outside, ct); break;
                    case double[] _: Sample(new DoubleSource((double*)p), mg, interp, outData, outOffset, reference, map, a, b, outside, ct); break;
                    case short[] _: Sample(new ShortSource((short*)p), mg, interp, outData, outOffset, reference, map, a, b, outside, ct); break;
                    case byte[] _: Sample(new ByteSource((byte*)p), mg, interp, outData, outOffset, reference, map, a, b, outside, ct); break;
                    default: throw new NotSupportedException("Unsupported source array " + src.GetType().Name);
                }
            }
            finally { h.Free(); }
        }

        // ------------------------------------------------------------------ rows

        /// <summary>
        /// The output columns [start, end) of a row whose moving coordinate is p0 + i·d on every axis
        /// lie inside [0, n-1] (with the edge tolerance); empty when start ≥ end.
        /// </summary>
        private static void InsideRange(double[] p0, double[] d, int[] n, int nx, out int start, out int end)
        {
            double lo = 0, hi = nx - 1;
            for (int ax = 0; ax < 3; ax++)
            {
                double a = -EdgeToleranceVoxels, b = n[ax] - 1 + EdgeToleranceVoxels;
                if (Math.Abs(d[ax]) < 1e-15)
                {
                    if (p0[ax] < a || p0[ax] > b) { start = 0; end = 0; return; }
                    continue;
                }
                double t0 = (a - p0[ax]) / d[ax], t1 = (b - p0[ax]) / d[ax];
                if (t0 > t1) { var s = t0; t0 = t1; t1 = s; }
                lo = Math.Max(lo, t0); hi = Math.Min(hi, t1);
            }
            if (lo > hi) { start = 0; end = 0; return; }
            start = (int)Math.Ceiling(lo - 1e-9);
            end = (int)Math.Floor(hi + 1e-9) + 1;
            start = Math.Max(0, start); end = Math.Min(nx, end);
            // Guard the ends against rounding of the interval: keep only columns whose point is really inside.
            while (start < end && !Inside(p0, d, n, start)) start++;
            while (end > start && !Inside(p0, d, n, end - 1)) end--;
        }

        private static bool Inside(double[] p0, double[] d, int[] n, int i)
        {
            for (int ax = 0; ax < 3; ax++)
            {
                double x = p0[ax] + i * d[ax];
                if (x < -EdgeToleranceVoxels || x > n[ax] - 1 + EdgeToleranceVoxels) return false;
            }
            return true;
        }

        private static void ForEachRow(Grid reference, double[,] map, CancellationToken ct, Action<int, int, double[], double[], double[]> row)
        {
            var d = new[] { map[0, 0], map[1, 0], map[2, 0] };
            var po = new ParallelOptions { CancellationToken = ct };
            Parallel.For(0, reference.NZ, po, () => new double[Math.Max(1, reference.NX)], (k, state, buffer) =>
            {
                if (ct.IsCancellationRequested) { state.Stop(); return buffer; }
                var p0 = new double[3];
                for (int j = 0; j < reference.NY; j++)
                {
                    for (int ax = 0; ax < 3; ax++) p0[ax] = map[ax, 1] * j + map[ax, 2] * k + map[ax, 3];
                    row(j, k, p0, d, buffer);
                }
                return buffer;
            }, _ => { });
            ct.ThrowIfCancellationRequested();
        }

        /// <summary>Linear or B-spline sampling into a row buffer, then stored as the output's datatype.</summary>
        private static void Sample<TS>(TS src, Grid mg, Interpolation interp, Array outData, long outOffset, Grid reference, double[,] map,
            double a, double b, double outside, CancellationToken ct) where TS : struct, ISource
        {
            int nx = mg.NX, ny = mg.NY, nz = mg.NZ, rnx = reference.NX;
            var n = new[] { nx, ny, nz };
            long sy = nx, sz = (long)nx * ny;
            ForEachRow(reference, map, ct, (j, k, p0, d, row) =>
            {
                InsideRange(p0, d, n, rnx, out int start, out int end);
                for (int i = 0; i < start; i++) row[i] = outside;
                for (int i = Math.Max(start, end); i < rnx; i++) row[i] = outside;
                if (interp == Interpolation.Nearest) NearestRow(src, n, sy, sz, p0, d, start, end, row, a, b);
                else if (interp == Interpolation.Linear) LinearRow(src, n, sy, sz, p0, d, start, end, row, a, b);
                else CubicRow(src, n, sy, sz, p0, d, start, end, row, a, b);
                Store(row, outData, outOffset + (long)rnx * (j + (long)reference.NY * k), rnx);
            });
        }

        private static void NearestRow<TS>(TS src, int[] n, long sy, long sz, double[] p0, double[] d, int start, int end, double[] row, double a, double b) where TS : struct, ISource
        {
            double mx = n[0] - 1, my = n[1] - 1, mz = n[2] - 1;
            for (int i = start; i < end; i++)
            {
                double x = Clamp(p0[0] + i * d[0], mx), y = Clamp(p0[1] + i * d[1], my), z = Clamp(p0[2] + i * d[2], mz);
                long idx = (long)(x + 0.5) + sy * (long)(y + 0.5) + sz * (long)(z + 0.5);
                row[i] = src[idx] * a + b;
            }
        }

        /// <summary>Trilinear interpolation (scipy order 1): the lower corner at floor, the upper corner one voxel on (none along an axis of one voxel).</summary>
        private static void LinearRow<TS>(TS src, int[] n, long sy, long sz, double[] p0, double[] d, int start, int end, double[] row, double a, double b) where TS : struct, ISource
        {
            double mx = n[0] - 1, my = n[1] - 1, mz = n[2] - 1;
            int lx = Math.Max(n[0] - 2, 0), ly = Math.Max(n[1] - 2, 0), lz = Math.Max(n[2] - 2, 0);
            long ox = n[0] > 1 ? 1 : 0, oy = n[1] > 1 ? sy : 0, oz = n[2] > 1 ? sz : 0;
            double px = p0[0], py = p0[1], pz = p0[2], dx = d[0], dy = d[1], dz = d[2];
            for (int i = start; i < end; i++)
            {
                double x = Clamp(px + i * dx, mx), y = Clamp(py + i * dy, my), z = Clamp(pz + i * dz, mz);
                int ix = Math.Min((int)x, lx), iy = Math.Min((int)y, ly), iz = Math.Min((int)z, lz);
                double fx = x - ix, fy = y - iy, fz = z - iz;
                long o = ix + sy * iy + sz * iz;
                double c00 = src[o] + fx * (src[o + ox] - src[o]);
                double c10 = src[o + oy] + fx * (src[o + oy + ox] - src[o + oy]);
                double c01 = src[o + oz] + fx * (src[o + oz + ox] - src[o + oz]);
                double c11 = src[o + oz + oy] + fx * (src[o + oz + oy + ox] - src[o + oz + oy]);
                double c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
                row[i] = (c0 + fz * (c1 - c0)) * a + b;
            }
        }

        /// <summary>Cubic B-spline evaluation (Unser 1999): 4x4x4 coefficients, indices mirrored at the edges.</summary>
        private static void CubicRow<TS>(TS src, int[] n, long sy, long sz, double[] p0, double[] d, int start, int end, double[] row, double a, double b) where TS : struct, ISource
        {
            double mx = n[0] - 1, my = n[1] - 1, mz = n[2] - 1;
            var wx = new double[4]; var wy = new double[4]; var wz = new double[4];
            var ix = new long[4]; var iy = new long[4]; var iz = new long[4];
            for (int i = start; i < end; i++)
            {
                double x = Clamp(p0[0] + i * d[0], mx), y = Clamp(p0[1] + i * d[1], my), z = Clamp(p0[2] + i * d[2], mz);
                CubicAxis(x, n[0], 1, wx, ix);
                CubicAxis(y, n[1], sy, wy, iy);
                CubicAxis(z, n[2], sz, wz, iz);
                double s = 0;
                for (int c = 0; c < 4; c++)
                {
                    double sc = 0;
                    for (int bb = 0; bb < 4; bb++)
                    {
                        long o = iz[c] + iy[bb];
                        double sr = wx[0] * src[o + ix[0]] + wx[1] * src[o + ix[1]] + wx[2] * src[o + ix[2]] + wx[3] * src[o + ix[3]];
                        sc += wy[bb] * sr;
                    }
                    s += wz[c] * sc;
                }
                row[i] = s * a + b;
            }
        }

        private static void CubicAxis(double x, int n, long stride, double[] w, long[] idx)
        {
            int f = (int)Math.Floor(x);
            double t = x - f, t2 = t * t, t3 = t2 * t, u = 1 - t;
            w[0] = u * u * u / 6.0;
            w[1] = (3 * t3 - 6 * t2 + 4) / 6.0;
            w[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6.0;
            w[3] = t3 / 6.0;
            for (int q = 0; q < 4; q++) idx[q] = Mirror(f - 1 + q, n) * stride;
        }

        /// <summary>Whole-sample mirror (…2 1 0 1 2… at the start, n-2 n-1 n-2 at the end): scipy's 'mirror'.</summary>
        private static long Mirror(int i, int n)
        {
            if (n == 1) return 0;
            int period = 2 * (n - 1);
            i %= period;
            if (i < 0) i += period;
            return i < n ? i : period - i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static double Clamp(double v, double max) => v < 0 ? 0 : v > max ? max : v;

        /// <summary>Stored values of a row into the output array: integers rounded half away from zero and clamped to the type's range.</summary>
        private static void Store(double[] row, Array dst, long offset, int n)
        {
            switch (dst)
            {
                case float[] f: for (int i = 0; i < n; i++) f[offset + i] = (float)row[i]; return;
                case double[] g: Array.Copy(row, 0, g, offset, n); return;
                case byte[] u8 when u8.GetType() == typeof(byte[]): for (int i = 0; i < n; i++) u8[offset + i] = (byte)RoundClamp(row[i], 0, 255); return;
                case sbyte[] i8 when i8.GetType() == typeof(sbyte[]): for (int i = 0; i < n; i++) i8[offset + i] = (sbyte)RoundClamp(row[i], -128, 127); return;
                case short[] i16 when i16.GetType() == typeof(short[]): for (int i = 0; i < n; i++) i16[offset + i] = (short)RoundClamp(row[i], short.MinValue, short.MaxValue); return;
                case ushort[] u16 when u16.GetType() == typeof(ushort[]): for (int i = 0; i < n; i++) u16[offset + i] = (ushort)RoundClamp(row[i], 0, ushort.MaxValue); return;
                case int[] i32 when i32.GetType() == typeof(int[]): for (int i = 0; i < n; i++) i32[offset + i] = (int)RoundClamp(row[i], int.MinValue, int.MaxValue); return;
                case uint[] u32 when u32.GetType() == typeof(uint[]): for (int i = 0; i < n; i++) u32[offset + i] = (uint)RoundClamp(row[i], 0, uint.MaxValue); return;
                case long[] i64 when i64.GetType() == typeof(long[]): for (int i = 0; i < n; i++) i64[offset + i] = (long)RoundClamp(row[i], -9.2233720368547748E+18, 9.2233720368547748E+18); return;
                case ulong[] u64 when u64.GetType() == typeof(ulong[]): for (int i = 0; i < n; i++) u64[offset + i] = (ulong)RoundClamp(row[i], 0, 1.8446744073709550E+19); return;
                default: throw new NotSupportedException("Cannot store resampled values as " + dst.GetType().Name);
            }
        }

        /// <summary>Half away from zero (as VoxelConvert.FromFloat64), clamped; NaN is 0. Truncating v ± 0.5 is that rounding and far cheaper than Math.Round.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static double RoundClamp(double v, double min, double max)
        {
            if (!(v >= min)) return double.IsNaN(v) ? 0 : min;
            if (v >= max) return max;
            return Math.Truncate(v >= 0 ? v + 0.5 : v - 0.5);
        }

        // ------------------------------------------------------------------ nearest, typed

        /// <summary>Nearest neighbour as a typed copy (labels of any integer size stay exact).</summary>
        private static void NearestTyped(Array src, long srcOffset, Grid mg, Array dst, long dstOffset, Grid reference, double[,] map, double outside, CancellationToken ct)
        {
            switch (src)
            {
                case byte[] a when a.GetType() == typeof(byte[]): Nearest(a, srcOffset, mg, (byte[])dst, dstOffset, reference, map, (byte)RoundClamp(outside, 0, 255), ct); return;
                case sbyte[] a when a.GetType() == typeof(sbyte[]): Nearest(a, srcOffset, mg, (sbyte[])dst, dstOffset, reference, map, (sbyte)RoundClamp(outside, -128, 127), ct); return;
                case short[] a when a.GetType() == typeof(short[]): Nearest(a, srcOffset, mg, (short[])dst, dstOffset, reference, map, (short)RoundClamp(outside, short.MinValue, short.MaxValue), ct); return;
                case ushort[] a when a.GetType() == typeof(ushort[]): Nearest(a, srcOffset, mg, (ushort[])dst, dstOffset, reference, map, (ushort)RoundClamp(outside, 0, ushort.MaxValue), ct); return;
                case int[] a when a.GetType() == typeof(int[]): Nearest(a, srcOffset, mg, (int[])dst, dstOffset, reference, map, (int)RoundClamp(outside, int.MinValue, int.MaxValue), ct); return;
                case uint[] a when a.GetType() == typeof(uint[]): Nearest(a, srcOffset, mg, (uint[])dst, dstOffset, reference, map, (uint)RoundClamp(outside, 0, uint.MaxValue), ct); return;
                case long[] a when a.GetType() == typeof(long[]): Nearest(a, srcOffset, mg, (long[])dst, dstOffset, reference, map, (long)RoundClamp(outside, -9.2233720368547748E+18, 9.2233720368547748E+18), ct); return;
                case ulong[] a when a.GetType() == typeof(ulong[]): Nearest(a, srcOffset, mg, (ulong[])dst, dstOffset, reference, map, (ulong)RoundClamp(outside, 0, 1.8446744073709550E+19), ct); return;
                case float[] a: Nearest(a, srcOffset, mg, (float[])dst, dstOffset, reference, map, (float)outside, ct); return;
                case double[] a: Nearest(a, srcOffset, mg, (double[])dst, dstOffset, reference, map, outside, ct); return;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        private static void Nearest<T>(T[] src, long srcOffset, Grid mg, T[] dst, long dstOffset, Grid reference, double[,] map, T outside, CancellationToken ct)
        {
            var n = new[] { mg.NX, mg.NY, mg.NZ };
            long sy = mg.NX, sz = (long)mg.NX * mg.NY;
            int rnx = reference.NX;
            double mx = n[0] - 1, my = n[1] - 1, mz = n[2] - 1;
            ForEachRow(reference, map, ct, (j, k, p0, d, _) =>
            {
                long o = dstOffset + (long)rnx * (j + (long)reference.NY * k);
                InsideRange(p0, d, n, rnx, out int start, out int end);
                for (int i = 0; i < rnx; i++)
                {
                    if (i < start || i >= end) { dst[o + i] = outside; continue; }
                    double x = Clamp(p0[0] + i * d[0], mx), y = Clamp(p0[1] + i * d[1], my), z = Clamp(p0[2] + i * d[2], mz);
                    dst[o + i] = src[srcOffset + (long)(x + 0.5) + sy * (long)(y + 0.5) + sz * (long)(z + 0.5)];
                }
            });
        }

        // ------------------------------------------------------------------ B-spline prefilter

        /// <summary>
        /// Turns samples into cubic B-spline coefficients in place: along x, y and z a causal and an
        /// anticausal first-order recursive filter with pole √3-2 and gain 6 (Unser, Aldroubi &amp; Eden 1991;
        /// Unser 1999), started with the exact whole-sample mirror boundary, as scipy's spline_filter(mode='mirror').
        /// </summary>
        private static void BSplinePrefilter(double[] c, Grid g, CancellationToken ct)
        {
            int nx = g.NX, ny = g.NY, nz = g.NZ;
            var po = new ParallelOptions { CancellationToken = ct };
            if (nx > 1)
                Parallel.For(0, ny * nz, po, () => new double[nx], (line, _, buf) =>
                {
                    long o = (long)line * nx;
                    for (int i = 0; i < nx; i++) buf[i] = c[o + i];
                    Filter1D(buf, nx);
                    for (int i = 0; i < nx; i++) c[o + i] = buf[i];
                    return buf;
                }, _ => { });
            if (ny > 1)
                Parallel.For(0, nx * nz, po, () => new double[ny], (line, _, buf) =>
                {
                    int i = line % nx, k = line / nx;
                    long o = i + (long)nx * ny * k;
                    for (int j = 0; j < ny; j++) buf[j] = c[o + (long)j * nx];
                    Filter1D(buf, ny);
                    for (int j = 0; j < ny; j++) c[o + (long)j * nx] = buf[j];
                    return buf;
                }, _ => { });
            if (nz > 1)
                Parallel.For(0, nx * ny, po, () => new double[nz], (line, _, buf) =>
                {
                    long s = (long)nx * ny;
                    for (int k = 0; k < nz; k++) buf[k] = c[line + k * s];
                    Filter1D(buf, nz);
                    for (int k = 0; k < nz; k++) c[line + k * s] = buf[k];
                    return buf;
                }, _ => { });
        }

        private static void Filter1D(double[] c, int n)
        {
            double z = Math.Sqrt(3.0) - 2.0;
            double gain = (1 - z) * (1 - 1 / z);
            for (int i = 0; i < n; i++) c[i] *= gain;
            // Causal start for a whole-sample mirror extension of period 2(n-1).
            double zn1 = Math.Pow(z, n - 1), zi = z;
            double c0 = c[0] + zn1 * c[n - 1];
            for (int i = 1; i < n - 1; i++) { c0 += zi * (c[i] + zn1 * c[n - 1 - i]); zi *= z; }
            c[0] = c0 / (1 - zn1 * zn1);
            for (int i = 1; i < n; i++) c[i] += z * c[i - 1];
            c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1);
            for (int i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1] - c[i]);
        }
    }
}
