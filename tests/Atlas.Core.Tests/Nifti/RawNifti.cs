using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>
    /// NIfTI-1 / NIfTI-2 / Analyze headers written field by field at the offsets of nifti1.h and
    /// nifti2.h, independently of NiftiHeader.ToBytes, so the reader is checked against the format
    /// and not against our own writer.
    /// </summary>
    internal sealed class Raw1
    {
        public bool LittleEndian = true;
        public short[] Dim = { 3, 1, 1, 1, 1, 1, 1, 1 };
        public short DataType = 2;
        public short BitPix = 8;
        public float[] PixDim = { 1, 1, 1, 1, 0, 0, 0, 0 };
        public float VoxOffset = 352;
        public float SclSlope = 1, SclInter;
        public short QFormCode, SFormCode;
        public float QuaternB, QuaternC, QuaternD, QOffsetX, QOffsetY, QOffsetZ;
        public float[] SRow = new float[12];
        public short IntentCode;
        public float IntentP1;
        public string IntentName = "";
        public string Descrip = "";
        public byte XyztUnits;
        public float CalMin, CalMax;
        public int GlMax, GlMin;
        /// <summary>"n+1", "ni1", or null for Analyze 7.5 (four zero bytes).</summary>
        public string Magic = "n+1";

        public byte[] Bytes()
        {
            var b = new byte[348];
            var w = new Put(b, LittleEndian);
            w.I32(0, 348);
            b[38] = (byte)'r';
            for (int i = 0; i < 8; i++) w.I16(40 + 2 * i, Dim[i]);
            w.F32(56, IntentP1);
            w.I16(68, IntentCode);
            w.I16(70, DataType);
            w.I16(72, BitPix);
            for (int i = 0; i < 8; i++) w.F32(76 + 4 * i, PixDim[i]);
            w.F32(108, VoxOffset);
            w.F32(112, SclSlope);
            w.F32(116, SclInter);
            b[123] = XyztUnits;
            w.F32(124, CalMax);
            w.F32(128, CalMin);
            w.I32(140, GlMax);
            w.I32(144, GlMin);
            Ascii(b, 148, 80, Descrip);
            if (Magic != null)
            {
                w.I16(252, QFormCode);
                w.I16(254, SFormCode);
                w.F32(256, QuaternB); w.F32(260, QuaternC); w.F32(264, QuaternD);
                w.F32(268, QOffsetX); w.F32(272, QOffsetY); w.F32(276, QOffsetZ);
                for (int i = 0; i < 12; i++) w.F32(280 + 4 * i, SRow[i]);
                Ascii(b, 328, 16, IntentName);
                Ascii(b, 344, 4, Magic);
            }
            return b;
        }

        internal static void Ascii(byte[] b, int o, int len, string s)
        {
            var x = Encoding.ASCII.GetBytes(s ?? "");
            Array.Copy(x, 0, b, o, Math.Min(len, x.Length));
        }
    }

    internal sealed class Raw2
    {
        public bool LittleEndian = true;
        public long[] Dim = { 3, 1, 1, 1, 1, 1, 1, 1 };
        public short DataType = 2;
        public short BitPix = 8;
        public double[] PixDim = { 1, 1, 1, 1, 0, 0, 0, 0 };
        public long VoxOffset = 544;
        public double SclSlope = 1, SclInter;
        public int QFormCode, SFormCode;
        public double QuaternB, QuaternC, QuaternD, QOffsetX, QOffsetY, QOffsetZ;
        public double[] SRow = new double[12];
        public string Descrip = "";
        public int XyztUnits, IntentCode;
        public bool SingleFile = true;

        public byte[] Bytes()
        {
            var b = new byte[540];
            var w = new Put(b, LittleEndian);
            w.I32(0, 540);
            var magic = new byte[] { (byte)'n', (byte)(SingleFile ? '+' : 'i'), (byte)'2', 0, 0x0D, 0x0A, 0x1A, 0x0A };
            Array.Copy(magic, 0, b, 4, 8);
            w.I16(12, DataType);
            w.I16(14, BitPix);
            for (int i = 0; i < 8; i++) w.I64(16 + 8 * i, Dim[i]);
            for (int i = 0; i < 8; i++) w.F64(104 + 8 * i, PixDim[i]);
            w.I64(168, VoxOffset);
            w.F64(176, SclSlope);
            w.F64(184, SclInter);
            Raw1.Ascii(b, 240, 80, Descrip);
            w.I32(344, QFormCode);
            w.I32(348, SFormCode);
            w.F64(352, QuaternB); w.F64(360, QuaternC); w.F64(368, QuaternD);
            w.F64(376, QOffsetX); w.F64(384, QOffsetY); w.F64(392, QOffsetZ);
            for (int i = 0; i < 12; i++) w.F64(400 + 8 * i, SRow[i]);
            w.I32(500, XyztUnits);
            w.I32(504, IntentCode);
            return b;
        }
    }

    internal readonly struct Put
    {
        private readonly byte[] _b; private readonly bool _le;
        public Put(byte[] b, bool le) { _b = b; _le = le; }
        public void I16(int o, short v) { if (_le) BinaryPrimitives.WriteInt16LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt16BigEndian(_b.AsSpan(o), v); }
        public void I32(int o, int v) { if (_le) BinaryPrimitives.WriteInt32LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt32BigEndian(_b.AsSpan(o), v); }
        public void I64(int o, long v) { if (_le) BinaryPrimitives.WriteInt64LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt64BigEndian(_b.AsSpan(o), v); }
        public void F32(int o, float v) => I32(o, BitConverter.SingleToInt32Bits(v));
        public void F64(int o, double v) => I64(o, BitConverter.DoubleToInt64Bits(v));
    }

    internal static class RawFiles
    {
        /// <summary>Element bytes of a typed array in the given byte order (channels/complex parts element by element).</summary>
        public static byte[] Encode(Array a, bool le)
        {
            switch (a)
            {
                case byte[] x: return (byte[])x.Clone();
                case sbyte[] x: { var b = new byte[x.Length]; for (int i = 0; i < x.Length; i++) b[i] = (byte)x[i]; return b; }
                case short[] x: { var b = new byte[2 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I16(2 * i, x[i]); return b; }
                case ushort[] x: { var b = new byte[2 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I16(2 * i, (short)x[i]); return b; }
                case int[] x: { var b = new byte[4 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I32(4 * i, x[i]); return b; }
                case uint[] x: { var b = new byte[4 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I32(4 * i, (int)x[i]); return b; }
                case long[] x: { var b = new byte[8 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I64(8 * i, x[i]); return b; }
                case ulong[] x: { var b = new byte[8 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.I64(8 * i, (long)x[i]); return b; }
                case float[] x: { var b = new byte[4 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.F32(4 * i, x[i]); return b; }
                case double[] x: { var b = new byte[8 * x.Length]; var w = new Put(b, le); for (int i = 0; i < x.Length; i++) w.F64(8 * i, x[i]); return b; }
                default: throw new ArgumentException(a.GetType().Name);
            }
        }

        public static byte[] Concat(params byte[][] parts)
        {
            var ms = new MemoryStream();
            foreach (var p in parts) ms.Write(p, 0, p.Length);
            return ms.ToArray();
        }

        public static byte[] Gzip(byte[] raw)
        {
            var ms = new MemoryStream();
            using (var z = new GZipStream(ms, CompressionLevel.Optimal, true)) z.Write(raw, 0, raw.Length);
            return ms.ToArray();
        }

        public static byte[] Gunzip(byte[] gz)
        {
            using (var z = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress))
            {
                var ms = new MemoryStream();
                z.CopyTo(ms);
                return ms.ToArray();
            }
        }

        /// <summary>A single-file image: header, 4-byte extender (zero), data at 352.</summary>
        public static byte[] Single(byte[] header348, byte[] data) => Concat(header348, new byte[4], data);
    }
}
