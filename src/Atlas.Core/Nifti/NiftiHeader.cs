using System;
using System.Collections.Generic;
using System.Text;
using System.Buffers.Binary;

namespace Atlas.Core.Nifti
{
    public enum NiftiFormat { Nifti1, Nifti2, Analyze75 }

    /// <summary>One NIfTI header extension (esize is derived: 8 + data rounded up to 16).</summary>
    public sealed class NiftiExtension
    {
        public NiftiExtension(int code, byte[] data) { Code = code; Data = data ?? new byte[0]; }
        public int Code { get; }
        public byte[] Data { get; }
        /// <summary>Bytes on disk: 8-byte esize/ecode plus data, padded to a multiple of 16.</summary>
        public int SizeOnDisk => (8 + Data.Length + 15) / 16 * 16;
    }

    /// <summary>
    /// The NIfTI-1 / NIfTI-2 / Analyze 7.5 header as fields. Values are held in the widest type of
    /// either version (NIfTI-1 floats convert to double exactly, so a NIfTI-1 round trip is bit-exact).
    /// Field names follow nifti1.h / nifti2.h.
    /// </summary>
    public sealed class NiftiHeader
    {
        public const int Nifti1HeaderSize = 348;
        public const int Nifti2HeaderSize = 540;

        public NiftiFormat Format { get; set; } = NiftiFormat.Nifti1;
        /// <summary>True when the header was stored little-endian (the byte order the writer keeps unless told).</summary>
        public bool LittleEndian { get; set; } = true;
        /// <summary>True for a single file (n+1 / n+2), false for a .hdr/.img pair (ni1 / ni2 or Analyze).</summary>
        public bool SingleFile { get; set; } = true;

        // Analyze legacy fields (kept for round trips).
        public byte[] DataTypeName { get; set; } = new byte[10];
        public byte[] DbName { get; set; } = new byte[18];
        public int Extents { get; set; }
        public short SessionError { get; set; }
        public byte Regular { get; set; }
        public int GlMax { get; set; }
        public int GlMin { get; set; }

        public byte DimInfo { get; set; }
        public long[] Dim { get; set; } = new long[8];
        public double IntentP1 { get; set; }
        public double IntentP2 { get; set; }
        public double IntentP3 { get; set; }
        public short IntentCode { get; set; }
        public NiftiDataType DataType { get; set; } = NiftiDataType.Float32;
        public short BitPix { get; set; } = 32;
        public long SliceStart { get; set; }
        public double[] PixDim { get; set; } = new double[8];
        public double VoxOffset { get; set; }
        public double SclSlope { get; set; }
        public double SclInter { get; set; }
        public long SliceEnd { get; set; }
        public int SliceCode { get; set; }
        public int XyztUnits { get; set; }
        public double CalMax { get; set; }
        public double CalMin { get; set; }
        public double SliceDuration { get; set; }
        public double TOffset { get; set; }
        public string Descrip { get; set; } = "";
        public string AuxFile { get; set; } = "";
        public int QFormCode { get; set; }
        public int SFormCode { get; set; }
        public double QuaternB { get; set; }
        public double QuaternC { get; set; }
        public double QuaternD { get; set; }
        public double QOffsetX { get; set; }
        public double QOffsetY { get; set; }
        public double QOffsetZ { get; set; }
        public double[] SRowX { get; set; } = new double[4];
        public double[] SRowY { get; set; } = new double[4];
        public double[] SRowZ { get; set; } = new double[4];
        public string IntentName { get; set; } = "";
        public string Magic { get; set; } = "n+1";
        public List<NiftiExtension> Extensions { get; private set; } = new List<NiftiExtension>();

        public int NDim => (int)Math.Max(0, Math.Min(7, Dim[0]));

        /// <summary>Size of dimension d (1-based as in dim[]); 1 when beyond ndim or not positive.</summary>
        public long DimSize(int d) => d <= NDim && Dim[d] > 0 ? Dim[d] : 1;

        public long VoxelsPerFrame => DimSize(1) * DimSize(2) * DimSize(3);

        /// <summary>Product of dims 4..7: the frames of a 4D-7D image.</summary>
        public long FrameCount
        {
            get { long n = 1; for (int d = 4; d <= 7; d++) n *= DimSize(d); return n; }
        }

        public long TotalVoxels => VoxelsPerFrame * FrameCount;

        /// <summary>
        /// True when scaling applies and is not the identity. scl_slope applies when finite and
        /// non-zero (nifti1.h; nibabel and nifti_clib agree); otherwise the stored values are used and
        /// scl_inter is ignored too. A usable slope with a non-finite scl_inter uses 0 for it (nifti_clib).
        /// </summary>
        public bool HasScaling => IsUsableSlope && (SclSlope != 1.0 || EffectiveIntercept != 0.0);

        public double EffectiveSlope => IsUsableSlope ? SclSlope : 1.0;
        public double EffectiveIntercept => IsUsableSlope && !double.IsNaN(SclInter) && !double.IsInfinity(SclInter) ? SclInter : 0.0;
        private bool IsUsableSlope => !double.IsNaN(SclSlope) && !double.IsInfinity(SclSlope) && SclSlope != 0.0;

        public int HeaderSize => Format == NiftiFormat.Nifti2 ? Nifti2HeaderSize : Nifti1HeaderSize;

        public NiftiHeader Clone()
        {
            var h = (NiftiHeader)MemberwiseClone();
            h.DataTypeName = (byte[])DataTypeName.Clone();
            h.DbName = (byte[])DbName.Clone();
            h.Dim = (long[])Dim.Clone();
            h.PixDim = (double[])PixDim.Clone();
            h.SRowX = (double[])SRowX.Clone();
            h.SRowY = (double[])SRowY.Clone();
            h.SRowZ = (double[])SRowZ.Clone();
            h.Extensions = new List<NiftiExtension>(Extensions);
            return h;
        }

        // ---------------------------------------------------------------- parsing

        /// <summary>
        /// Decides version and byte order from the first bytes of a header, as nifti_clib does:
        /// sizeof_hdr 348 or 540 in either order; a dim[0] outside 1..7 means the other byte order.
        /// Returns false when the bytes are not a NIfTI/Analyze header.
        /// </summary>
        public static bool TryDetect(ReadOnlySpan<byte> b, out NiftiFormat format, out bool littleEndian)
        {
            format = NiftiFormat.Nifti1; littleEndian = true;
            if (b.Length < 4) return false;
            int le = BinaryPrimitives.ReadInt32LittleEndian(b);
            int be = BinaryPrimitives.ReadInt32BigEndian(b);
            int size;
            if (le == Nifti1HeaderSize || le == Nifti2HeaderSize) { size = le; littleEndian = true; }
            else if (be == Nifti1HeaderSize || be == Nifti2HeaderSize) { size = be; littleEndian = false; }
            else return false;
            if (size == Nifti2HeaderSize)
            {
                if (b.Length < 24) return false;
                format = NiftiFormat.Nifti2;
                long d0 = littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(b.Slice(16)) : BinaryPrimitives.ReadInt64BigEndian(b.Slice(16));
                if (d0 < 1 || d0 > 7)
                {
                    long d0o = littleEndian ? BinaryPrimitives.ReadInt64BigEndian(b.Slice(16)) : BinaryPrimitives.ReadInt64LittleEndian(b.Slice(16));
                    if (d0o >= 1 && d0o <= 7) littleEndian = !littleEndian;
                }
                return true;
            }
            if (b.Length < 42) return false;
            short s0 = littleEndian ? BinaryPrimitives.ReadInt16LittleEndian(b.Slice(40)) : BinaryPrimitives.ReadInt16BigEndian(b.Slice(40));
            if (s0 < 1 || s0 > 7)
            {
                short so = littleEndian ? BinaryPrimitives.ReadInt16BigEndian(b.Slice(40)) : BinaryPrimitives.ReadInt16LittleEndian(b.Slice(40));
                if (so >= 1 && so <= 7) littleEndian = !littleEndian;
            }
            format = NiftiFormat.Nifti1;
            if (b.Length >= 348)
            {
                string magic = Encoding.ASCII.GetString(b.Slice(344, 4).ToArray()).TrimEnd('\0');
                if (magic != "n+1" && magic != "ni1") format = NiftiFormat.Analyze75;
            }
            return true;
        }

        /// <summary>Parses a header (348 or 540 bytes); throws <see cref="NiftiFormatException"/> when it is not one.</summary>
        public static NiftiHeader Parse(ReadOnlySpan<byte> b, string path = null)
        {
            if (!TryDetect(b, out var format, out var le))
                throw new NiftiFormatException(NiftiErrorKind.BadMagic, path, "not a NIfTI or Analyze header (sizeof_hdr is neither 348 nor 540 in either byte order)");
            var r = new Reader(b, le);
            var h = new NiftiHeader { Format = format, LittleEndian = le };
            if (format == NiftiFormat.Nifti2)
            {
                if (b.Length < Nifti2HeaderSize) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the NIfTI-2 header is shorter than 540 bytes");
                h.Magic = Encoding.ASCII.GetString(b.Slice(4, 8).ToArray()).Split('\0')[0];
                if (h.Magic != "n+2" && h.Magic != "ni2")
                    throw new NiftiFormatException(NiftiErrorKind.BadMagic, path, "wrong magic '" + Printable(h.Magic) + "' for a 540-byte NIfTI-2 header");
                h.SingleFile = h.Magic == "n+2";
                h.DataType = (NiftiDataType)r.I16(12);
                h.BitPix = r.I16(14);
                for (int i = 0; i < 8; i++) h.Dim[i] = r.I64(16 + 8 * i);
                h.IntentP1 = r.F64(80); h.IntentP2 = r.F64(88); h.IntentP3 = r.F64(96);
                for (int i = 0; i < 8; i++) h.PixDim[i] = r.F64(104 + 8 * i);
                h.VoxOffset = r.I64(168);
                h.SclSlope = r.F64(176); h.SclInter = r.F64(184);
                h.CalMax = r.F64(192); h.CalMin = r.F64(200);
                h.SliceDuration = r.F64(208); h.TOffset = r.F64(216);
                h.SliceStart = r.I64(224); h.SliceEnd = r.I64(232);
                h.Descrip = Str(b.Slice(240, 80)); h.AuxFile = Str(b.Slice(320, 24));
                h.QFormCode = r.I32(344); h.SFormCode = r.I32(348);
                h.QuaternB = r.F64(352); h.QuaternC = r.F64(360); h.QuaternD = r.F64(368);
                h.QOffsetX = r.F64(376); h.QOffsetY = r.F64(384); h.QOffsetZ = r.F64(392);
                for (int i = 0; i < 4; i++) { h.SRowX[i] = r.F64(400 + 8 * i); h.SRowY[i] = r.F64(432 + 8 * i); h.SRowZ[i] = r.F64(464 + 8 * i); }
                h.SliceCode = r.I32(496); h.XyztUnits = r.I32(500); h.IntentCode = (short)r.I32(504);
                h.IntentName = Str(b.Slice(508, 16));
                h.DimInfo = b[524];
            }
            else
            {
                if (b.Length < Nifti1HeaderSize) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the header is shorter than 348 bytes");
                h.DataTypeName = b.Slice(4, 10).ToArray();
                h.DbName = b.Slice(14, 18).ToArray();
                h.Extents = r.I32(32);
                h.SessionError = r.I16(36);
                h.Regular = b[38];
                h.DimInfo = b[39];
                for (int i = 0; i < 8; i++) h.Dim[i] = r.I16(40 + 2 * i);
                h.IntentP1 = r.F32(56); h.IntentP2 = r.F32(60); h.IntentP3 = r.F32(64);
                h.IntentCode = r.I16(68);
                h.DataType = (NiftiDataType)r.I16(70);
                h.BitPix = r.I16(72);
                h.SliceStart = r.I16(74);
                for (int i = 0; i < 8; i++) h.PixDim[i] = r.F32(76 + 4 * i);
                h.VoxOffset = r.F32(108);
                h.SclSlope = Decimal32(r.F32(112)); h.SclInter = Decimal32(r.F32(116));
                h.SliceEnd = r.I16(120);
                h.SliceCode = b[122]; h.XyztUnits = b[123];
                h.CalMax = r.F32(124); h.CalMin = r.F32(128);
                h.SliceDuration = r.F32(132); h.TOffset = r.F32(136);
                h.GlMax = r.I32(140); h.GlMin = r.I32(144);
                h.Descrip = Str(b.Slice(148, 80)); h.AuxFile = Str(b.Slice(228, 24));
                if (format == NiftiFormat.Nifti1)
                {
                    h.QFormCode = r.I16(252); h.SFormCode = r.I16(254);
                    h.QuaternB = r.F32(256); h.QuaternC = r.F32(260); h.QuaternD = r.F32(264);
                    h.QOffsetX = r.F32(268); h.QOffsetY = r.F32(272); h.QOffsetZ = r.F32(276);
                    for (int i = 0; i < 4; i++) { h.SRowX[i] = r.F32(280 + 4 * i); h.SRowY[i] = r.F32(296 + 4 * i); h.SRowZ[i] = r.F32(312 + 4 * i); }
                    h.IntentName = Str(b.Slice(328, 16));
                    h.Magic = Str(b.Slice(344, 4));
                    h.SingleFile = h.Magic == "n+1";
                }
                else
                {
                    // Analyze 7.5: no qform/sform, no scaling semantics beyond what nifti_clib keeps.
                    h.Magic = "";
                    h.SingleFile = false;
                }
            }
            if (h.Dim[0] < 1 || h.Dim[0] > 7)
                throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "dim[0] = " + h.Dim[0] + " is outside 1..7");
            for (int d = 1; d <= h.Dim[0]; d++)
                if (h.Dim[d] < 0) throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "dim[" + d + "] = " + h.Dim[d] + " is negative");
            return h;
        }

        /// <summary>
        /// A NIfTI-1 scl_slope/scl_inter as the shortest decimal that round-trips the float32 (0.01f
        /// becomes 0.01, not 0.009999999776), so an old MRIcron VOI storing 100 with slope 0.01 reads
        /// as exactly 1. Converting back to float32 gives the same bits, so round trips stay exact.
        /// </summary>
        internal static double Decimal32(float f)
        {
            if (float.IsNaN(f) || float.IsInfinity(f)) return f;
            double d = double.Parse(f.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            return (float)d == f ? d : f;
        }

        private static string Printable(string s)
        {
            var sb = new StringBuilder();
            foreach (char c in s) sb.Append(c >= 32 && c < 127 ? c.ToString() : "\\x" + ((int)c).ToString("x2"));
            return sb.ToString();
        }

        private static string Str(ReadOnlySpan<byte> b)
        {
            int n = b.IndexOf((byte)0);
            if (n < 0) n = b.Length;
            return Encoding.ASCII.GetString(b.Slice(0, n).ToArray());
        }

        private readonly ref struct Reader
        {
            private readonly ReadOnlySpan<byte> _b; private readonly bool _le;
            public Reader(ReadOnlySpan<byte> b, bool le) { _b = b; _le = le; }
            public short I16(int o) => _le ? BinaryPrimitives.ReadInt16LittleEndian(_b.Slice(o)) : BinaryPrimitives.ReadInt16BigEndian(_b.Slice(o));
            public int I32(int o) => _le ? BinaryPrimitives.ReadInt32LittleEndian(_b.Slice(o)) : BinaryPrimitives.ReadInt32BigEndian(_b.Slice(o));
            public long I64(int o) => _le ? BinaryPrimitives.ReadInt64LittleEndian(_b.Slice(o)) : BinaryPrimitives.ReadInt64BigEndian(_b.Slice(o));
            public float F32(int o) => BitConverterEx.Int32BitsToSingle(I32(o));
            public double F64(int o) => BitConverter.Int64BitsToDouble(I64(o));
        }

        // ---------------------------------------------------------------- serialising

        /// <summary>
        /// The header bytes as they go on disk (348 or 540 bytes, then the 4-byte extender and the
        /// extensions when <paramref name="withExtensions"/>), in <see cref="LittleEndian"/> order.
        /// </summary>
        public byte[] ToBytes(bool withExtensions = true)
        {
            int hs = HeaderSize;
            int extBytes = 0;
            foreach (var e in Extensions) extBytes += e.SizeOnDisk;
            bool writeExtender = withExtensions && Format != NiftiFormat.Analyze75;
            var buf = new byte[hs + (writeExtender ? 4 + extBytes : 0)];
            var w = new Writer(buf, LittleEndian);
            if (Format == NiftiFormat.Nifti2)
            {
                w.I32(0, Nifti2HeaderSize);
                var magic = SingleFile ? new byte[] { (byte)'n', (byte)'+', (byte)'2', 0, 0x0D, 0x0A, 0x1A, 0x0A }
                                       : new byte[] { (byte)'n', (byte)'i', (byte)'2', 0, 0x0D, 0x0A, 0x1A, 0x0A };
                Array.Copy(magic, 0, buf, 4, 8);
                w.I16(12, (short)DataType); w.I16(14, BitPix);
                for (int i = 0; i < 8; i++) w.I64(16 + 8 * i, Dim[i]);
                w.F64(80, IntentP1); w.F64(88, IntentP2); w.F64(96, IntentP3);
                for (int i = 0; i < 8; i++) w.F64(104 + 8 * i, PixDim[i]);
                w.I64(168, (long)VoxOffset);
                w.F64(176, SclSlope); w.F64(184, SclInter); w.F64(192, CalMax); w.F64(200, CalMin);
                w.F64(208, SliceDuration); w.F64(216, TOffset); w.I64(224, SliceStart); w.I64(232, SliceEnd);
                PutStr(buf, 240, 80, Descrip); PutStr(buf, 320, 24, AuxFile);
                w.I32(344, QFormCode); w.I32(348, SFormCode);
                w.F64(352, QuaternB); w.F64(360, QuaternC); w.F64(368, QuaternD);
                w.F64(376, QOffsetX); w.F64(384, QOffsetY); w.F64(392, QOffsetZ);
                for (int i = 0; i < 4; i++) { w.F64(400 + 8 * i, SRowX[i]); w.F64(432 + 8 * i, SRowY[i]); w.F64(464 + 8 * i, SRowZ[i]); }
                w.I32(496, SliceCode); w.I32(500, XyztUnits); w.I32(504, IntentCode);
                PutStr(buf, 508, 16, IntentName);
                buf[524] = DimInfo;
            }
            else
            {
                w.I32(0, Nifti1HeaderSize);
                Array.Copy(DataTypeName, 0, buf, 4, Math.Min(10, DataTypeName.Length));
                Array.Copy(DbName, 0, buf, 14, Math.Min(18, DbName.Length));
                w.I32(32, Extents); w.I16(36, SessionError); buf[38] = Regular; buf[39] = DimInfo;
                for (int i = 0; i < 8; i++)
                {
                    if (Dim[i] > short.MaxValue) throw new InvalidOperationException("dim[" + i + "] = " + Dim[i] + " does not fit NIfTI-1; write NIfTI-2.");
                    w.I16(40 + 2 * i, (short)Dim[i]);
                }
                w.F32(56, IntentP1); w.F32(60, IntentP2); w.F32(64, IntentP3);
                w.I16(68, IntentCode); w.I16(70, (short)DataType); w.I16(72, BitPix); w.I16(74, (short)SliceStart);
                for (int i = 0; i < 8; i++) w.F32(76 + 4 * i, PixDim[i]);
                w.F32(108, VoxOffset); w.F32(112, SclSlope); w.F32(116, SclInter);
                w.I16(120, (short)SliceEnd); buf[122] = (byte)SliceCode; buf[123] = (byte)XyztUnits;
                w.F32(124, CalMax); w.F32(128, CalMin); w.F32(132, SliceDuration); w.F32(136, TOffset);
                w.I32(140, GlMax); w.I32(144, GlMin);
                PutStr(buf, 148, 80, Descrip); PutStr(buf, 228, 24, AuxFile);
                if (Format == NiftiFormat.Nifti1)
                {
                    w.I16(252, (short)QFormCode); w.I16(254, (short)SFormCode);
                    w.F32(256, QuaternB); w.F32(260, QuaternC); w.F32(264, QuaternD);
                    w.F32(268, QOffsetX); w.F32(272, QOffsetY); w.F32(276, QOffsetZ);
                    for (int i = 0; i < 4; i++) { w.F32(280 + 4 * i, SRowX[i]); w.F32(296 + 4 * i, SRowY[i]); w.F32(312 + 4 * i, SRowZ[i]); }
                    PutStr(buf, 328, 16, IntentName);
                    PutStr(buf, 344, 4, SingleFile ? "n+1" : "ni1");
                }
            }
            if (writeExtender)
            {
                int o = hs;
                buf[o] = (byte)(Extensions.Count > 0 ? 1 : 0);
                o += 4;
                foreach (var e in Extensions)
                {
                    w.I32(o, e.SizeOnDisk); w.I32(o + 4, e.Code);
                    Array.Copy(e.Data, 0, buf, o + 8, e.Data.Length);
                    o += e.SizeOnDisk;
                }
            }
            return buf;
        }

        private static void PutStr(byte[] buf, int offset, int len, string s)
        {
            if (string.IsNullOrEmpty(s)) return;
            var bytes = Encoding.ASCII.GetBytes(s);
            Array.Copy(bytes, 0, buf, offset, Math.Min(len, bytes.Length));
        }

        private readonly struct Writer
        {
            private readonly byte[] _b; private readonly bool _le;
            public Writer(byte[] b, bool le) { _b = b; _le = le; }
            public void I16(int o, short v) { if (_le) BinaryPrimitives.WriteInt16LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt16BigEndian(_b.AsSpan(o), v); }
            public void I32(int o, int v) { if (_le) BinaryPrimitives.WriteInt32LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt32BigEndian(_b.AsSpan(o), v); }
            public void I64(int o, long v) { if (_le) BinaryPrimitives.WriteInt64LittleEndian(_b.AsSpan(o), v); else BinaryPrimitives.WriteInt64BigEndian(_b.AsSpan(o), v); }
            public void F32(int o, double v) => I32(o, BitConverterEx.SingleToInt32Bits((float)v));
            public void F64(int o, double v) => I64(o, BitConverter.DoubleToInt64Bits(v));
        }
    }

    internal static class BitConverterEx
    {
        public static unsafe float Int32BitsToSingle(int v) => *(float*)&v;
        public static unsafe int SingleToInt32Bits(float v) => *(int*)&v;
    }
}
