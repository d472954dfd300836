using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>Every datatype × both byte orders × .nii / .nii.gz / .hdr+.img / .hdr.gz+.img.gz, from hand-built bytes.</summary>
    public class NiftiReadDataTypeTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        // A 3x2x2 grid: 12 voxels whose values include each type's extremes.
        public static Array Values(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: return new byte[] { 0, 1, 2, 3, 100, 127, 128, 200, 254, 255, 7, 9 };
                case NiftiDataType.Int8: return new sbyte[] { 0, 1, -1, 2, -2, 127, -128, 50, -50, 99, -99, 5 };
                case NiftiDataType.Int16: return new short[] { 0, 1, -1, 256, -256, 32767, -32768, 1000, -1000, 12345, -12345, 7 };
                case NiftiDataType.UInt16: return new ushort[] { 0, 1, 2, 256, 65535, 32768, 1000, 40000, 12345, 513, 65534, 7 };
                case NiftiDataType.Int32: return new int[] { 0, 1, -1, 65536, -65536, int.MaxValue, int.MinValue, 1000000, -1000000, 123456789, -123456789, 7 };
                case NiftiDataType.UInt32: return new uint[] { 0, 1, 2, 65536, uint.MaxValue, 2147483648u, 1000000, 4000000000u, 123456789, 513, 7, 9 };
                case NiftiDataType.Int64: return new long[] { 0, 1, -1, 1L << 40, -(1L << 40), long.MaxValue, long.MinValue, 1000000, -1000000, 1234567890123L, -1234567890123L, 7 };
                case NiftiDataType.UInt64: return new ulong[] { 0, 1, 2, 1UL << 40, ulong.MaxValue, 1UL << 63, 1000000, 18000000000000000000UL, 1234567890123UL, 513, 7, 9 };
                case NiftiDataType.Float32: return new float[] { 0f, 1f, -1f, 0.5f, -0.25f, 3.4e38f, -3.4e38f, 1e-30f, float.NaN, 1234.5678f, -0.0f, 7f };
                case NiftiDataType.Float64: return new double[] { 0, 1, -1, 0.5, -0.25, 1.7e308, -1.7e308, 1e-300, double.NaN, 1234.5678, 1.0 / 3, 7 };
                case NiftiDataType.Rgb24: { var b = new byte[36]; for (int i = 0; i < 36; i++) b[i] = (byte)(i * 7); return b; }
                case NiftiDataType.Rgba32: { var b = new byte[48]; for (int i = 0; i < 48; i++) b[i] = (byte)(255 - i * 5); return b; }
                default: throw new ArgumentException(t.ToString());
            }
        }

        public static readonly NiftiDataType[] Scalars =
        {
            NiftiDataType.UInt8, NiftiDataType.Int8, NiftiDataType.Int16, NiftiDataType.UInt16, NiftiDataType.Int32,
            NiftiDataType.UInt32, NiftiDataType.Int64, NiftiDataType.UInt64, NiftiDataType.Float32, NiftiDataType.Float64,
            NiftiDataType.Rgb24, NiftiDataType.Rgba32,
        };

        public static IEnumerable<object[]> Cases()
        {
            foreach (var t in Scalars)
                foreach (var le in new[] { true, false })
                    foreach (var c in new[] { "nii", "nii.gz", "pair", "pair.gz" })
                        yield return new object[] { t, le, c };
        }

        private static short Bits(NiftiDataType t) => (short)(NiftiDataTypes.BytesPerVoxel(t) * 8);

        /// <summary>Writes the case to disk by hand and returns the path to read.</summary>
        internal static string Make(TempDir tmp, string name, Raw1 h, byte[] data, string container)
        {
            switch (container)
            {
                case "nii":
                    File.WriteAllBytes(tmp.File(name + ".nii"), RawFiles.Single(h.Bytes(), data));
                    return tmp.File(name + ".nii");
                case "nii.gz":
                    File.WriteAllBytes(tmp.File(name + ".nii.gz"), RawFiles.Gzip(RawFiles.Single(h.Bytes(), data)));
                    return tmp.File(name + ".nii.gz");
                case "pair":
                    h.Magic = h.Magic == null ? null : "ni1"; h.VoxOffset = 0;
                    File.WriteAllBytes(tmp.File(name + ".hdr"), h.Bytes());
                    File.WriteAllBytes(tmp.File(name + ".img"), data);
                    return tmp.File(name + ".hdr");
                case "pair.gz":
                    h.Magic = h.Magic == null ? null : "ni1"; h.VoxOffset = 0;
                    File.WriteAllBytes(tmp.File(name + ".hdr.gz"), RawFiles.Gzip(h.Bytes()));
                    File.WriteAllBytes(tmp.File(name + ".img.gz"), RawFiles.Gzip(data));
                    return tmp.File(name + ".img.gz");
                default: throw new ArgumentException(container);
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Reads_every_datatype_in_both_byte_orders_and_every_container(NiftiDataType t, bool le, string container)
        {
            var expected = Values(t);
            var h = new Raw1 { LittleEndian = le, Dim = new short[] { 3, 3, 2, 2, 1, 1, 1, 1 }, DataType = (short)t, BitPix = Bits(t) };
            string path = Make(_tmp, "v", h, RawFiles.Encode(expected, le), container);

            var v = NiftiReader.Read(path);

            Assert.Equal(t, v.DataType);
            Assert.Equal(le, v.Header.LittleEndian);
            Assert.Equal(new[] { 3, 2, 2 }, v.Dimensions);
            Assert.Equal(expected.GetType(), v.Data.GetType());
            Assert.Equal(expected, v.Data); // element-wise, NaN equal to NaN
            if (t == NiftiDataType.Rgb24 || t == NiftiDataType.Rgba32)
            {
                int c = t == NiftiDataType.Rgb24 ? 3 : 4;
                var src = (byte[])expected;
                for (int ch = 0; ch < c; ch++)
                {
                    var got = v.ToChannel(ch);
                    for (int i = 0; i < 12; i++) Assert.Equal(src[i * c + ch], got[i]);
                }
                Assert.Throws<NotSupportedException>(() => v.GetValue(0, 0, 0));
            }
            else
            {
                // voxel (2,1,1) is index 2 + 3*(1 + 2*1) = 11, (1,0,1) is 1 + 3*(0+2) = 7
                Assert.Equal(Convert.ToDouble(expected.GetValue(11)), v.GetValue(2, 1, 1));
                Assert.Equal(Convert.ToDouble(expected.GetValue(7)), v.GetValue(1, 0, 1));
                // index 2 holds -1 for signed types and 2 for unsigned ones: an int[]/uint[] mix-up shows here.
                Assert.Equal(Convert.ToDouble(expected.GetValue(2)), v.GetValue(2, 0, 0));
                var all = v.ToFloat64();
                for (int i = 0; i < 12; i++) Assert.Equal(Convert.ToDouble(expected.GetValue(i)), all[i]);
                var f32 = v.ToFloat32();
                for (int i = 0; i < 12; i++) Assert.Equal((float)Convert.ToDouble(expected.GetValue(i)), f32[i]);
            }
        }

        [Fact]
        public void Gzip_is_detected_by_magic_not_by_name()
        {
            var h = new Raw1 { Dim = new short[] { 3, 2, 1, 1, 1, 1, 1, 1 }, DataType = 4, BitPix = 16 };
            var raw = RawFiles.Single(h.Bytes(), RawFiles.Encode(new short[] { -5, 6 }, true));
            File.WriteAllBytes(_tmp.File("zipped.nii"), RawFiles.Gzip(raw));  // gzip named .nii
            File.WriteAllBytes(_tmp.File("plain.nii.gz"), raw);                // plain named .nii.gz
            Assert.Equal(new short[] { -5, 6 }, NiftiReader.Read(_tmp.File("zipped.nii")).Data);
            Assert.Equal(new short[] { -5, 6 }, NiftiReader.Read(_tmp.File("plain.nii.gz")).Data);
        }

        [Fact]
        public void Multi_member_gzip_is_read_to_the_end()
        {
            var data = new short[3000];
            for (int i = 0; i < data.Length; i++) data[i] = (short)(i * 7 - 9000);
            var h = new Raw1 { Dim = new short[] { 3, 30, 10, 10, 1, 1, 1, 1 }, DataType = 4, BitPix = 16 };
            var raw = RawFiles.Single(h.Bytes(), RawFiles.Encode(data, true));
            // Three members cut at arbitrary places (inside the header, inside the data), as pigz/bgzip write.
            var gz = RawFiles.Concat(RawFiles.Gzip(raw[..100]), RawFiles.Gzip(raw[100..2001]), RawFiles.Gzip(raw[2001..]));
            File.WriteAllBytes(_tmp.File("multi.nii.gz"), gz);
            Assert.Equal(data, NiftiReader.Read(_tmp.File("multi.nii.gz")).Data);
        }

        [Fact]
        public void Analyze_75_pair_reads_with_pixdim_scaling_affine()
        {
            // Analyze: no magic, no qform/sform; big-endian int16 as old SPM wrote it.
            var h = new Raw1 { Magic = null, LittleEndian = false, Dim = new short[] { 3, 2, 2, 1, 1, 1, 1, 1 }, DataType = 4, BitPix = 16, PixDim = new float[] { 0, 0.9f, 0.8f, 3f, 0, 0, 0, 0 } };
            string path = Make(_tmp, "analyze", h, RawFiles.Encode(new short[] { 1, -2, 300, -400 }, false), "pair");
            var v = NiftiReader.Read(_tmp.File("analyze.img"));
            Assert.Equal(NiftiFormat.Analyze75, v.Header.Format);
            Assert.Equal(new short[] { 1, -2, 300, -400 }, v.Data);
            // nifti_clib "method 1": diag(pixdim), no offset.
            var a = v.Affine;
            Assert.Equal((double)0.9f, a[0, 0]); Assert.Equal((double)0.8f, a[1, 1]); Assert.Equal(3.0, a[2, 2]);
            Assert.Equal(0.0, a[0, 3]); Assert.Equal(0.0, a[0, 1]);
            Assert.Equal("RAS", v.Orientation);
        }

        [Theory]
        [InlineData(true, "pair")]
        [InlineData(false, "pair.gz")]
        [InlineData(true, "pair.gz")]
        public void Analyze_75_in_both_byte_orders_gzipped_or_not(bool le, string container)
        {
            var h = new Raw1 { Magic = null, LittleEndian = le, Dim = new short[] { 3, 3, 2, 2, 1, 1, 1, 1 }, DataType = 16, BitPix = 32 };
            var expected = (float[])Values(NiftiDataType.Float32);
            string path = Make(_tmp, "az", h, RawFiles.Encode(expected, le), container);
            var v = NiftiReader.Read(path);
            Assert.Equal(NiftiFormat.Analyze75, v.Header.Format);
            Assert.Equal(le, v.Header.LittleEndian);
            Assert.Equal(expected, v.Data);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Nifti2_pair_ni2_reads_from_the_img(bool le)
        {
            var h = new Raw2 { LittleEndian = le, SingleFile = false, VoxOffset = 0, Dim = new long[] { 3, 2, 2, 1, 1, 1, 1, 1 }, DataType = 1024, BitPix = 64 };
            File.WriteAllBytes(_tmp.File("n2.hdr"), h.Bytes());
            File.WriteAllBytes(_tmp.File("n2.img.gz"), RawFiles.Gzip(RawFiles.Encode(new long[] { -1, 1L << 50, 3, long.MinValue }, le)));
            var v = NiftiReader.Read(_tmp.File("n2.hdr"));
            Assert.Equal(NiftiFormat.Nifti2, v.Header.Format);
            Assert.False(v.Header.SingleFile);
            Assert.Equal(new long[] { -1, 1L << 50, 3, long.MinValue }, v.Data);
        }

        [Fact]
        public void Complex_is_an_error_unless_magnitude_is_asked()
        {
            var h = new Raw1 { Dim = new short[] { 3, 2, 1, 1, 1, 1, 1, 1 }, DataType = 32, BitPix = 64 };
            File.WriteAllBytes(_tmp.File("c.nii"), RawFiles.Single(h.Bytes(), RawFiles.Encode(new float[] { 3, 4, -5, 12 }, true)));
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(_tmp.File("c.nii")));
            Assert.Equal(NiftiErrorKind.UnsupportedDataType, ex.Kind);
            Assert.Equal(_tmp.File("c.nii"), ex.FilePath);
            Assert.Contains("-Magnitude", ex.Message); // tells the user the switch to use
            var v = NiftiReader.Read(_tmp.File("c.nii"), new NiftiReadOptions { ComplexAsMagnitude = true });
            Assert.Equal(NiftiDataType.Float32, v.DataType);
            Assert.Equal(new float[] { 5, 13 }, v.Data);

            var h2 = new Raw1 { LittleEndian = false, Dim = new short[] { 3, 1, 1, 1, 1, 1, 1, 1 }, DataType = 1792, BitPix = 128 };
            File.WriteAllBytes(_tmp.File("c128.nii"), RawFiles.Single(h2.Bytes(), RawFiles.Encode(new double[] { 6, 8 }, false)));
            var v2 = NiftiReader.Read(_tmp.File("c128.nii"), new NiftiReadOptions { ComplexAsMagnitude = true });
            Assert.Equal(new double[] { 10 }, v2.Data);
        }
    }
}
