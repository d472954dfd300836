using System;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>Typed array conversions with scaling; one tight loop per element type, parallel over blocks.</summary>
    /// <remarks>
    /// The CLR lets an int[] pass as uint[] (and sbyte[]/byte[], short[]/ushort[], long[]/ulong[])
    /// in type tests, so every integer case checks the exact array type.
    /// </remarks>
    public static class VoxelConvert
    {
        private const int Block = 1 << 16;

        private static void Blocks(long n, Action<long, long> body)
        {
            long blocks = (n + Block - 1) / Block;
            if (blocks <= 1) { body(0, n); return; }
            Parallel.For(0L, blocks, [MethodImpl(JitHints.Optimized)] (b) => body(b * Block, Math.Min(n, (b + 1) * Block)));
        }

        public static void ToFloat32(Array src, long offset, float[] dst, double slope, double inter)
        {
            bool scale = slope != 1.0 || inter != 0.0;
            float s = (float)slope, c = (float)inter;
            long n = dst.LongLength;
            switch (src)
            {
                case byte[] a when a.GetType() == typeof(byte[]):
                    if (scale) Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); });
                    else Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i]; });
                    break;
                case sbyte[] a when a.GetType() == typeof(sbyte[]):
                    if (scale) Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); });
                    else Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i]; });
                    break;
                case short[] a when a.GetType() == typeof(short[]):
                    if (scale) Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); });
                    else Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i]; });
                    break;
                case ushort[] a when a.GetType() == typeof(ushort[]):
                    if (scale) Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); });
                    else Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i]; });
                    break;
                case int[] a when a.GetType() == typeof(int[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case uint[] a when a.GetType() == typeof(uint[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case long[] a when a.GetType() == typeof(long[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case ulong[] a when a.GetType() == typeof(ulong[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case float[] a:
                    if (scale) Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); });
                    else Array.Copy(a, offset, dst, 0, n);
                    break;
                case double[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        public static void ToFloat64(Array src, long offset, double[] dst, double slope, double inter)
        {
            long n = dst.LongLength;
            switch (src)
            {
                case byte[] a when a.GetType() == typeof(byte[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case sbyte[] a when a.GetType() == typeof(sbyte[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case short[] a when a.GetType() == typeof(short[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case ushort[] a when a.GetType() == typeof(ushort[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case int[] a when a.GetType() == typeof(int[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case uint[] a when a.GetType() == typeof(uint[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case long[] a when a.GetType() == typeof(long[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case ulong[] a when a.GetType() == typeof(ulong[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case float[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case double[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        /// <summary>1 where slope*raw+inter is non-zero and not NaN.</summary>
        /// <summary>dst[d..d+len) = 1 where src[s..s+len) is non-zero, else 0: unsigned min(x, 1), a vector at a time.</summary>
        [MethodImpl(JitHints.Optimized)]
        internal static void BinarizeBytes(byte[] src, long s, byte[] dst, long d, int len)
        {
            var from = new ReadOnlySpan<byte>(src, checked((int)s), len);
            var to = new Span<byte>(dst, checked((int)d), len);
            int w = Vector<byte>.Count, i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<byte>.One;
                var vf = MemoryMarshal.Cast<byte, Vector<byte>>(from);
                var vt = MemoryMarshal.Cast<byte, Vector<byte>>(to);
                if (ReferenceEquals(src, dst) && s == d)
                {
                    // In place: a vector of zeros is already binary, and not writing it back keeps a mostly empty
                    // mask's pass a read of memory rather than a read and a write.
                    for (int k = 0; k < vf.Length; k++)
                    {
                        var v = vf[k];
                        if (v != Vector<byte>.Zero) vt[k] = Vector.Min(v, one);
                    }
                }
                else
                    for (int k = 0; k < vf.Length; k++) vt[k] = Vector.Min(vf[k], one);
                i = vf.Length * w;
            }
            for (; i < len; i++) to[i] = from[i] != 0 ? (byte)1 : (byte)0;
        }

        /// <summary>True when every byte of a[start..start+len) is zero (a vector at a time).</summary>
        internal static bool AllZero(byte[] a, int start, int len) => AllZero(new ReadOnlySpan<byte>(a, start, len));

        /// <summary>True when every byte of the span is zero (a vector at a time).</summary>
        [MethodImpl(JitHints.Optimized)]
        internal static bool AllZero(ReadOnlySpan<byte> span)
        {
            int i = 0, len = span.Length;
            if (Vector.IsHardwareAccelerated)
            {
                var v = MemoryMarshal.Cast<byte, Vector<byte>>(span);
                int k = 0;
                // Four vectors ORed per test: one branch per 128 bytes (AVX2) over a mask's background.
                for (; k + 4 <= v.Length; k += 4)
                    if ((v[k] | v[k + 1] | v[k + 2] | v[k + 3]) != Vector<byte>.Zero) return false;
                for (; k < v.Length; k++) if (v[k] != Vector<byte>.Zero) return false;
                i = v.Length * Vector<byte>.Count;
            }
            for (; i < len; i++) if (span[i] != 0) return false;
            return true;
        }

        /// <summary>
        /// Counts the voxels of a[offset..offset+n) equal to 1, to 255 and to anything else non-zero (with the first such
        /// value), skipping runs of zeros a vector at a time: a sparse mask costs little more than reading it once.
        /// </summary>
        [MethodImpl(JitHints.Optimized)]
        internal static void CountMaskBytes(byte[] a, long offset, long n, out long ones, out long v255, out long other, out byte example)
        {
            ones = v255 = other = 0; example = 0;
            int w = Vector<byte>.Count;
            long i = offset, end = offset + n;
            while (i < end)
            {
                if (Vector.IsHardwareAccelerated && i + w <= end && new Vector<byte>(a, checked((int)i)) == Vector<byte>.Zero) { i += w; continue; }
                long stop = Math.Min(end, i + w);
                for (; i < stop; i++)
                {
                    byte x = a[i];
                    if (x == 0) continue;
                    if (x == 1) ones++;
                    else if (x == 255) v255++;
                    else { if (other == 0) example = x; other++; }
                }
            }
        }

        public static void ToMask(Array src, long offset, byte[] dst, double slope, double inter)
        {
            long n = dst.LongLength;
            bool plain = slope == 1.0 && inter == 0.0;
            switch (src)
            {
                case byte[] a when plain && a.GetType() == typeof(byte[]): Blocks(n, (b, e) => BinarizeBytes(a, offset + b, dst, b, (int)(e - b))); break;
                case short[] a when plain && a.GetType() == typeof(short[]): Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] != 0 ? (byte)1 : (byte)0; }); break;
                case float[] a when plain: Blocks(n, (b, e) => { for (long i = b; i < e; i++) { float v = a[offset + i]; dst[i] = v != 0 && !float.IsNaN(v) ? (byte)1 : (byte)0; } }); break;
                default:
                    var tmp = new double[n];
                    ToFloat64(src, offset, tmp, slope, inter);
                    Blocks(n, (b, e) => { for (long i = b; i < e; i++) { double v = tmp[i]; dst[i] = v != 0 && !double.IsNaN(v) ? (byte)1 : (byte)0; } });
                    break;
            }
        }

        /// <summary>
        /// Converts scaled values to a stored datatype: (v - inter)/slope, rounded half away from zero
        /// for integer types; a value outside the type's range (or NaN for an integer type, or a finite
        /// value beyond float32) is an error naming the first such voxel, never a silent wrap.
        /// </summary>
        public static Array FromFloat64(double[] values, NiftiDataType type, double slope = 1.0, double inter = 0.0, string path = null)
        {
            var dst = NiftiDataTypes.Allocate(type, values.LongLength);
            bool integer = NiftiDataTypes.IsInteger(type);
            NiftiDataTypes.Range(type, out double min, out double max);
            // 2^63 and 2^64 are representable doubles just above long/ulong range: compare with <.
            double upper = type == NiftiDataType.Int64 ? 9223372036854775808.0 : type == NiftiDataType.UInt64 ? 18446744073709551616.0 : double.NaN;
            long n = values.LongLength;
            long blocks = (n + Block - 1) / Block;
            var firstBad = new long[blocks];
            byte[] u8 = dst as byte[]; sbyte[] i8 = dst as sbyte[]; short[] i16 = dst as short[]; ushort[] u16 = dst as ushort[];
            int[] i32 = dst as int[]; uint[] u32 = dst as uint[]; long[] i64 = dst as long[]; ulong[] u64 = dst as ulong[];
            float[] f32 = dst as float[]; double[] f64 = dst as double[];
            Parallel.For(0L, blocks, [MethodImpl(JitHints.Optimized)] (bi) =>
            {
                long b = bi * Block, e = Math.Min(n, b + Block);
                firstBad[bi] = -1;
                for (long i = b; i < e; i++)
                {
                    double v = (values[i] - inter) / slope;
                    if (integer)
                    {
                        if (double.IsNaN(v)) { firstBad[bi] = i; return; }
                        v = Math.Round(v, MidpointRounding.AwayFromZero);
                        if (v < min || (double.IsNaN(upper) ? v > max : v >= upper)) { firstBad[bi] = i; return; }
                    }
                    else if (type == NiftiDataType.Float32 && !double.IsNaN(v) && !double.IsInfinity(v) && (v < min || v > max)) { firstBad[bi] = i; return; }
                    switch (type)
                    {
                        case NiftiDataType.UInt8: u8[i] = (byte)v; break;
                        case NiftiDataType.Int8: i8[i] = (sbyte)v; break;
                        case NiftiDataType.Int16: i16[i] = (short)v; break;
                        case NiftiDataType.UInt16: u16[i] = (ushort)v; break;
                        case NiftiDataType.Int32: i32[i] = (int)v; break;
                        case NiftiDataType.UInt32: u32[i] = (uint)v; break;
                        case NiftiDataType.Int64: i64[i] = (long)v; break;
                        case NiftiDataType.UInt64: u64[i] = (ulong)v; break;
                        case NiftiDataType.Float32: f32[i] = (float)v; break;
                        case NiftiDataType.Float64: f64[i] = v; break;
                        default: throw new NiftiFormatException(NiftiErrorKind.UnsupportedDataType, path, "cannot store values as " + type);
                    }
                }
            });
            for (long bi = 0; bi < blocks; bi++)
            {
                long bad = firstBad[bi];
                if (bad < 0) continue;
                throw new NiftiFormatException(NiftiErrorKind.ValueOutOfRange, path,
                    "value " + values[bad].ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " at voxel " + bad + " does not fit datatype " + type);
            }
            return dst;
        }
    }
}
