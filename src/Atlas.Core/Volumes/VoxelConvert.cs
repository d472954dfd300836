using System;
using System.Threading.Tasks;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>Typed array conversions with scaling; one tight loop per element type, parallel over blocks.</summary>
    public static class VoxelConvert
    {
        private const int Block = 1 << 16;

        private static void Blocks(long n, Action<long, long> body)
        {
            long blocks = (n + Block - 1) / Block;
            if (blocks <= 1) { body(0, n); return; }
            Parallel.For(0L, blocks, b => body(b * Block, Math.Min(n, (b + 1) * Block)));
        }

        public static void ToFloat32(Array src, long offset, float[] dst, double slope, double inter)
        {
            bool scale = slope != 1.0 || inter != 0.0;
            float s = (float)slope, c = (float)inter;
            long n = dst.LongLength;
            switch (src)
            {
                case byte[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = scale ? (float)(a[offset + i] * slope + inter) : a[offset + i]; }); break;
                case sbyte[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = scale ? (float)(a[offset + i] * slope + inter) : a[offset + i]; }); break;
                case short[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = scale ? (float)(a[offset + i] * slope + inter) : a[offset + i]; }); break;
                case ushort[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = scale ? (float)(a[offset + i] * slope + inter) : a[offset + i]; }); break;
                case int[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case uint[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case long[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case ulong[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                case float[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = scale ? (float)(a[offset + i] * slope + inter) : a[offset + i]; }); break;
                case double[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = (float)(a[offset + i] * slope + inter); }); break;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        public static void ToFloat64(Array src, long offset, double[] dst, double slope, double inter)
        {
            long n = dst.LongLength;
            switch (src)
            {
                case byte[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case sbyte[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case short[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case ushort[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case int[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case uint[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case long[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case ulong[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case float[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                case double[] a: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] * slope + inter; }); break;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        /// <summary>1 where slope*raw+inter is non-zero and not NaN.</summary>
        public static void ToMask(Array src, long offset, byte[] dst, double slope, double inter)
        {
            long n = dst.LongLength;
            bool plain = slope == 1.0 && inter == 0.0;
            switch (src)
            {
                case byte[] a when plain: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] != 0 ? (byte)1 : (byte)0; }); break;
                case short[] a when plain: Blocks(n, (b, e) => { for (long i = b; i < e; i++) dst[i] = a[offset + i] != 0 ? (byte)1 : (byte)0; }); break;
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
        /// for integer types; a value outside the type's range is an error, never a silent wrap.
        /// </summary>
        public static Array FromFloat64(double[] values, NiftiDataType type, double slope = 1.0, double inter = 0.0, string path = null)
        {
            var dst = NiftiDataTypes.Allocate(type, values.LongLength);
            bool integer = NiftiDataTypes.IsInteger(type);
            NiftiDataTypes.Range(type, out double min, out double max);
            long bad = -1;
            for (long i = 0; i < values.LongLength; i++)
            {
                double v = (values[i] - inter) / slope;
                if (integer)
                {
                    if (double.IsNaN(v)) { bad = i; break; }
                    v = Math.Round(v, MidpointRounding.AwayFromZero);
                }
                if (integer && (v < min || v > max)) { bad = i; break; }
                if (type == NiftiDataType.Float32 && !double.IsNaN(v) && !double.IsInfinity(v) && (v < min || v > max)) { bad = i; break; }
                switch (dst)
                {
                    case byte[] a: a[i] = (byte)v; break;
                    case sbyte[] a: a[i] = (sbyte)v; break;
                    case short[] a: a[i] = (short)v; break;
                    case ushort[] a: a[i] = (ushort)v; break;
                    case int[] a: a[i] = (int)v; break;
                    case uint[] a: a[i] = (uint)v; break;
                    case long[] a: a[i] = (long)v; break;
                    case ulong[] a: a[i] = (ulong)v; break;
                    case float[] a: a[i] = (float)v; break;
                    case double[] a: a[i] = v; break;
                }
            }
            if (bad >= 0)
                throw new NiftiFormatException(NiftiErrorKind.ValueOutOfRange, path,
                    "value " + values[bad].ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " at voxel " + bad + " does not fit datatype " + type);
            return dst;
        }
    }
}
