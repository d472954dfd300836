using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>Scaling, errors, round trips, NIfTI-2, 4D frames, extensions and .voi, on hand-built files.</summary>
    public class NiftiFileTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        private string WriteNii(string name, Raw1 h, byte[] data, byte[] extender = null)
        {
            string p = _tmp.File(name);
            File.WriteAllBytes(p, RawFiles.Concat(h.Bytes(), extender ?? new byte[4], data));
            return p;
        }

        private static Raw1 Int16Header(short nx, short ny, short nz, bool le = true) =>
            new Raw1 { LittleEndian = le, Dim = new short[] { 3, nx, ny, nz, 1, 1, 1, 1 }, DataType = 4, BitPix = 16 };

        // ------------------------------------------------------------------ scaling

        [Theory]
        [InlineData(2f, 3f, true, 2 * -7 + 3.0)]          // y = 2x + 3
        [InlineData(0f, 3f, false, -7.0)]                 // slope 0: stored values, inter ignored too
        [InlineData(float.NaN, 3f, false, -7.0)]          // non-finite slope: ignored
        [InlineData(float.PositiveInfinity, 3f, false, -7.0)]
        [InlineData(1f, 0f, false, -7.0)]                 // identity: applies but is not "scaling"
        [InlineData(-0.5f, 0f, true, 3.5)]                // negative slope is a real slope
        [InlineData(1f, float.NaN, false, -7.0)]          // non-finite inter is taken as 0 (nifti_clib)
        public void Scaling_rules(float slope, float inter, bool hasScaling, double expected)
        {
            var h = Int16Header(1, 1, 1); h.SclSlope = slope; h.SclInter = inter;
            var v = NiftiReader.Read(WriteNii("s.nii", h, RawFiles.Encode(new short[] { -7 }, true)));
            Assert.Equal(hasScaling, v.Header.HasScaling);
            Assert.Equal(expected, v.GetValue(0, 0, 0));
            Assert.Equal(expected, v.ToFloat64()[0]);
            Assert.Equal((float)expected, v.ToFloat32()[0]);
            Assert.Equal(new short[] { -7 }, v.Data); // the stored values stay as stored
        }

        [Fact]
        public void Old_MRIcron_voi_storing_100_with_slope_0_01_reads_as_exactly_1()
        {
            var h = new Raw1 { Dim = new short[] { 3, 2, 2, 1, 1, 1, 1, 1 }, DataType = 2, BitPix = 8, SclSlope = 0.01f, IntentName = "B" };
            File.WriteAllBytes(_tmp.File("old.voi"), RawFiles.Gzip(RawFiles.Single(h.Bytes(), new byte[] { 0, 100, 100, 0 })));
            var v = NiftiReader.Read(_tmp.File("old.voi"));
            Assert.Equal(1.0, v.GetValue(1, 0, 0));
            Assert.Equal(new double[] { 0, 1, 1, 0 }, v.ToFloat64());
            Assert.Equal(new byte[] { 0, 1, 1, 0 }, v.ToMask());
            // written back as a .voi: uint8, slope 1, inter 0, values 0/1, intent name "B", gzipped
            NiftiWriter.Write(v, _tmp.File("new.voi"));
            var raw = RawFiles.Gunzip(File.ReadAllBytes(_tmp.File("new.voi")));
            Assert.Equal(2, BitConverter.ToInt16(raw, 70));
            Assert.Equal(1f, BitConverter.ToSingle(raw, 112));
            Assert.Equal(0f, BitConverter.ToSingle(raw, 116));
            Assert.Equal((byte)'B', raw[328]);
            Assert.Equal(352f, BitConverter.ToSingle(raw, 108));
            Assert.Equal(new byte[] { 0, 1, 1, 0 }, raw[352..]);
        }

        // ------------------------------------------------------------------ errors

        private NiftiFormatException Fails(string path, NiftiErrorKind kind, NiftiReadOptions o = null)
        {
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(path, o));
            Assert.Equal(kind, ex.Kind);
            Assert.Equal(path, ex.FilePath);
            Assert.Contains(Path.GetFileName(path), ex.Message);
            return ex;
        }

        private byte[] GoodNii() => RawFiles.Single(Int16Header(4, 4, 4).Bytes(), RawFiles.Encode(new short[64], true));

        [Fact]
        public void Missing_file_is_NotFound() => Fails(_tmp.File("nope.nii.gz"), NiftiErrorKind.NotFound);

        [Fact]
        public void A_folder_is_InvalidArgument_saying_so()
        {
            Directory.CreateDirectory(_tmp.File("scan.nii.gz"));
            var ex = Fails(_tmp.File("scan.nii.gz"), NiftiErrorKind.InvalidArgument);
            Assert.Contains("is a folder", ex.Message);
        }

        [Fact]
        public void Empty_and_truncated_header_are_Truncated()
        {
            File.WriteAllBytes(_tmp.File("empty.nii"), new byte[0]);
            Fails(_tmp.File("empty.nii"), NiftiErrorKind.Truncated);
            File.WriteAllBytes(_tmp.File("half.nii"), GoodNii()[..200]);
            Fails(_tmp.File("half.nii"), NiftiErrorKind.Truncated);
        }

        [Fact]
        public void Data_shorter_than_the_header_says_is_SizeMismatch()
        {
            File.WriteAllBytes(_tmp.File("short.nii"), GoodNii()[..400]);
            Fails(_tmp.File("short.nii"), NiftiErrorKind.SizeMismatch);
            // a complete gzip whose content is too short: the file is whole, the header is wrong
            File.WriteAllBytes(_tmp.File("short.nii.gz"), RawFiles.Gzip(GoodNii()[..400]));
            Fails(_tmp.File("short.nii.gz"), NiftiErrorKind.SizeMismatch);
        }

        [Fact]
        public void Truncated_gzip_is_Truncated_and_corrupt_gzip_is_CorruptGzip()
        {
            var rnd = new Random(5);
            var data = new short[64 * 64 * 16];
            for (int i = 0; i < data.Length; i++) data[i] = (short)rnd.Next(-30000, 30000);
            var gz = RawFiles.Gzip(RawFiles.Single(Int16Header(64, 64, 16).Bytes(), RawFiles.Encode(data, true)));
            File.WriteAllBytes(_tmp.File("cut.nii.gz"), gz[..(gz.Length / 2)]);
            Fails(_tmp.File("cut.nii.gz"), NiftiErrorKind.Truncated);
            // Damage inside compressed blocks: the inflater fails.
            var smooth = new short[64 * 64 * 16];
            for (int i = 0; i < smooth.Length; i++) smooth[i] = (short)(i % 64 * (i / 4096));
            var sgz = RawFiles.Gzip(RawFiles.Single(Int16Header(64, 64, 16).Bytes(), RawFiles.Encode(smooth, true)));
            var bad = (byte[])sgz.Clone();
            for (int i = sgz.Length / 2; i < sgz.Length / 2 + 40; i++) bad[i] ^= 0x5A;
            File.WriteAllBytes(_tmp.File("bad.nii.gz"), bad);
            Fails(_tmp.File("bad.nii.gz"), NiftiErrorKind.CorruptGzip);
            // Damage in stored (incompressible) data is only seen by the CRC-32 in the gzip trailer.
            bad = (byte[])gz.Clone();
            bad[gz.Length / 2] ^= 0x5A;
            File.WriteAllBytes(_tmp.File("crc.nii.gz"), bad);
            Fails(_tmp.File("crc.nii.gz"), NiftiErrorKind.CorruptGzip);
            File.WriteAllBytes(_tmp.File("hdrcut.nii.gz"), RawFiles.Gzip(GoodNii())[..30]);
            Fails(_tmp.File("hdrcut.nii.gz"), NiftiErrorKind.Truncated);
        }

        [Fact]
        public void Vox_offset_beyond_the_file_or_inside_the_header_is_BadOffset()
        {
            var h = Int16Header(2, 1, 1); h.VoxOffset = 100000;
            Fails(WriteNii("far.nii", h, new byte[4]), NiftiErrorKind.BadOffset);
            File.WriteAllBytes(_tmp.File("far.nii.gz"), RawFiles.Gzip(RawFiles.Single(h.Bytes(), new byte[4])));
            Fails(_tmp.File("far.nii.gz"), NiftiErrorKind.BadOffset);
            h.VoxOffset = 200;
            Fails(WriteNii("inside.nii", h, new byte[4]), NiftiErrorKind.BadOffset);
        }

        [Fact]
        public void Wrong_magic_and_wrong_sizeof_hdr_are_BadMagic()
        {
            var h = Int16Header(1, 1, 1); h.Magic = "xyz";
            Fails(WriteNii("magic.nii", h, new byte[2]), NiftiErrorKind.BadMagic);
            var b = GoodNii(); b[0] = 0x99;
            File.WriteAllBytes(_tmp.File("size.nii"), b);
            Fails(_tmp.File("size.nii"), NiftiErrorKind.BadMagic);
            File.WriteAllText(_tmp.File("text.nii.gz"), "hello, this is not an image at all, not even gzip");
            Fails(_tmp.File("text.nii.gz"), NiftiErrorKind.BadMagic);
        }

        [Theory]
        [InlineData((short)3)]     // not a NIfTI code
        [InlineData((short)1536)]  // float128
        [InlineData((short)2048)]  // complex256
        [InlineData((short)1)]     // binary (1 bit)
        public void Unsupported_datatype_is_UnsupportedDataType(short code)
        {
            var h = Int16Header(1, 1, 1); h.DataType = code; h.BitPix = 128;
            Fails(WriteNii("dt.nii", h, new byte[32]), NiftiErrorKind.UnsupportedDataType);
        }

        [Fact]
        public void Bad_dim0_in_both_byte_orders_is_BadHeader()
        {
            var h = Int16Header(1, 1, 1); h.Dim[0] = 0;
            Fails(WriteNii("dim0.nii", h, new byte[2]), NiftiErrorKind.BadHeader);
        }

        [Fact]
        public void Byte_order_is_decided_by_dim0_even_when_sizeof_hdr_disagrees()
        {
            // A big-endian header whose sizeof_hdr was written little-endian (seen from broken writers):
            // nifti_clib trusts dim[0] (3 in big-endian order), so do we.
            var h = Int16Header(2, 1, 1, le: false);
            var b = RawFiles.Single(h.Bytes(), RawFiles.Encode(new short[] { 258, -2 }, false));
            BitConverter.GetBytes(348).CopyTo(b, 0);
            File.WriteAllBytes(_tmp.File("mixed.nii"), b);
            var v = NiftiReader.Read(_tmp.File("mixed.nii"));
            Assert.False(v.Header.LittleEndian);
            Assert.Equal(new short[] { 258, -2 }, v.Data);
        }

        // ------------------------------------------------------------------ round trips

        [Theory]
        [InlineData(true, "nii")]
        [InlineData(false, "nii")]
        [InlineData(true, "nii.gz")]
        [InlineData(false, "nii.gz")]
        public void Read_then_write_gives_the_same_bytes(bool le, string ext)
        {
            var h = new Raw1
            {
                LittleEndian = le, Dim = new short[] { 4, 3, 2, 2, 2, 1, 1, 1 }, DataType = 16, BitPix = 32,
                PixDim = new float[] { -1, 0.9f, 1.1f, 3, 2.5f, 0, 0, 0 }, SclSlope = 0.5f, SclInter = -3,
                QFormCode = 1, SFormCode = 4, QuaternC = 1, QOffsetX = 90, QOffsetY = -126, QOffsetZ = -72,
                SRow = new float[] { -0.9f, 0, 0, 90, 0, 1.1f, 0, -126, 0, 0, 3, -72 },
                Descrip = "hand-built test image", IntentCode = 1002, IntentName = "labels", XyztUnits = 10, CalMin = -1, CalMax = 99, GlMax = 7,
            };
            var data = new float[24];
            for (int i = 0; i < 24; i++) data[i] = i * 1.25f - 7;
            var raw = RawFiles.Single(h.Bytes(), RawFiles.Encode(data, le));
            string src = _tmp.File("src." + ext), dst = _tmp.File("dst." + ext);
            File.WriteAllBytes(src, ext == "nii" ? raw : RawFiles.Gzip(raw));
            NiftiWriter.Write(NiftiReader.Read(src), dst);
            var back = File.ReadAllBytes(dst);
            Assert.Equal(raw, ext == "nii" ? back : RawFiles.Gunzip(back));
        }

        [Fact]
        public void Extensions_are_parsed_kept_and_written_with_vox_offset_rounded_to_16()
        {
            var h = Int16Header(2, 1, 1); h.VoxOffset = 352 + 32 + 48;
            var ext = RawFiles.Concat(new byte[] { 1, 0, 0, 0 },
                BitConverter.GetBytes(32), BitConverter.GetBytes(4), new byte[24],      // ecode 4 (AFNI), 24 data bytes
                BitConverter.GetBytes(48), BitConverter.GetBytes(6), new byte[40]);     // ecode 6 (comment)
            ext[12] = (byte)'<'; ext[40 + 8] = (byte)'h'; ext[40 + 9] = (byte)'i';
            var raw = RawFiles.Concat(h.Bytes(), ext, RawFiles.Encode(new short[] { 5, -6 }, true));
            File.WriteAllBytes(_tmp.File("ext.nii"), raw);
            var v = NiftiReader.Read(_tmp.File("ext.nii"));
            Assert.Equal(2, v.Header.Extensions.Count);
            Assert.Equal(4, v.Header.Extensions[0].Code); Assert.Equal(24, v.Header.Extensions[0].Data.Length); Assert.Equal((byte)'<', v.Header.Extensions[0].Data[0]);
            Assert.Equal(6, v.Header.Extensions[1].Code); Assert.Equal(40, v.Header.Extensions[1].Data.Length); Assert.Equal((byte)'i', v.Header.Extensions[1].Data[1 + 4]);
            Assert.Equal(new short[] { 5, -6 }, v.Data);
            NiftiWriter.Write(v, _tmp.File("ext2.nii"));
            Assert.Equal(raw, File.ReadAllBytes(_tmp.File("ext2.nii")));

            // An extension of 20 data bytes takes 32 on disk: 352 + 32 = 384.
            var h2 = v.Header.Clone();
            h2.Extensions.Clear(); h2.Extensions.Add(new NiftiExtension(6, new byte[20]));
            NiftiWriter.Write(new AtlasVolume(h2, v.Data), _tmp.File("ext3.nii"));
            var b3 = File.ReadAllBytes(_tmp.File("ext3.nii"));
            Assert.Equal(384f, BitConverter.ToSingle(b3, 108));
            Assert.Equal(32, BitConverter.ToInt32(b3, 352)); Assert.Equal(6, BitConverter.ToInt32(b3, 356));
            Assert.Equal(384 + 4, b3.Length);
        }

        [Fact]
        public void Pair_files_round_trip_header_and_image_bytes()
        {
            var h = Int16Header(2, 2, 1, le: false); h.Magic = "ni1"; h.VoxOffset = 0;
            var img = RawFiles.Encode(new short[] { 1, 2, 3, -4 }, false);
            File.WriteAllBytes(_tmp.File("p.hdr"), RawFiles.Concat(h.Bytes(), new byte[4]));
            File.WriteAllBytes(_tmp.File("p.img"), img);
            var v = NiftiReader.Read(_tmp.File("p.img"));
            Assert.Equal(new short[] { 1, 2, 3, -4 }, v.Data);
            NiftiWriter.Write(v, _tmp.File("q.hdr"));
            Assert.Equal(File.ReadAllBytes(_tmp.File("p.hdr")), File.ReadAllBytes(_tmp.File("q.hdr")));
            Assert.Equal(img, File.ReadAllBytes(_tmp.File("q.img")));
            NiftiWriter.Write(v, _tmp.File("r.img.gz"));
            Assert.Equal(img, RawFiles.Gunzip(File.ReadAllBytes(_tmp.File("r.img.gz"))));
            Assert.Equal(new short[] { 1, 2, 3, -4 }, NiftiReader.Read(_tmp.File("r.hdr.gz")).Data);
        }

        // ------------------------------------------------------------------ conversion on write

        private AtlasVolume Doubles(params double[] values) =>
            AtlasVolume.FromArray(Grid.Create(values.Length, 1, 1), values, NiftiDataType.Float64);

        [Fact]
        public void Conversion_rounds_half_away_from_zero()
        {
            NiftiWriter.Write(Doubles(2.5, -2.5, 0.49, -0.51, 32767.4, -32768), _tmp.File("r.nii"), new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
            var v = NiftiReader.Read(_tmp.File("r.nii"));
            Assert.Equal(new short[] { 3, -3, 0, -1, 32767, -32768 }, v.Data);
            Assert.Equal(1.0, v.Header.SclSlope); Assert.Equal(0.0, v.Header.SclInter);
        }

        [Theory]
        [InlineData(NiftiDataType.UInt8, 255.5)]
        [InlineData(NiftiDataType.UInt8, -0.5)]
        [InlineData(NiftiDataType.Int8, 127.5)]
        [InlineData(NiftiDataType.Int16, 32767.5)]
        [InlineData(NiftiDataType.UInt16, 65536)]
        [InlineData(NiftiDataType.Int32, 2147483648.0)]
        [InlineData(NiftiDataType.UInt32, -1)]
        [InlineData(NiftiDataType.Int64, 9223372036854775808.0)]
        [InlineData(NiftiDataType.UInt64, 18446744073709551616.0)]
        [InlineData(NiftiDataType.Int16, double.NaN)]
        [InlineData(NiftiDataType.Float32, 1e39)]
        public void Values_that_do_not_fit_are_an_error_and_nothing_is_written(NiftiDataType t, double bad)
        {
            string p = _tmp.File("bad.nii.gz");
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiWriter.Write(Doubles(0, 1, bad), p, new NiftiWriteOptions { DataType = t }));
            Assert.Equal(NiftiErrorKind.ValueOutOfRange, ex.Kind);
            Assert.Contains("voxel 2", ex.Message);
            Assert.Empty(Directory.GetFiles(_tmp.Path));
        }

        [Fact]
        public void Rgb_keeps_its_channels_and_refuses_conversion()
        {
            var h = new Raw1 { Dim = new short[] { 3, 2, 1, 1, 1, 1, 1, 1 }, DataType = 128, BitPix = 24 };
            var raw = RawFiles.Single(h.Bytes(), new byte[] { 1, 2, 3, 4, 5, 6 });
            File.WriteAllBytes(_tmp.File("rgb.nii"), raw);
            var v = NiftiReader.Read(_tmp.File("rgb.nii"));
            NiftiWriter.Write(v, _tmp.File("rgb2.nii"));
            Assert.Equal(raw, File.ReadAllBytes(_tmp.File("rgb2.nii")));
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiWriter.Write(v, _tmp.File("rgb3.nii"), new NiftiWriteOptions { DataType = NiftiDataType.Float32 }));
            Assert.Equal(NiftiErrorKind.InvalidArgument, ex.Kind);
            Assert.Throws<NiftiFormatException>(() => NiftiWriter.Write(v, _tmp.File("rgb.voi")));
        }

        [Fact]
        public void Masks_are_written_as_uint8_slope_1_inter_0()
        {
            var g = Grid.Create(3, 1, 1, 2, 2, 2);
            NiftiWriter.Write(AtlasVolume.FromMask(g, new byte[] { 0, 1, 1 }), _tmp.File("m.nii.gz"));
            var raw = RawFiles.Gunzip(File.ReadAllBytes(_tmp.File("m.nii.gz")));
            Assert.Equal(2, BitConverter.ToInt16(raw, 70));
            Assert.Equal(8, BitConverter.ToInt16(raw, 72));
            Assert.Equal(1f, BitConverter.ToSingle(raw, 112));
            Assert.Equal(0f, BitConverter.ToSingle(raw, 116));
            Assert.Equal(new byte[] { 0, 1, 1 }, raw[352..]);
        }

        // ------------------------------------------------------------------ NIfTI-2

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Nifti2_reads_and_round_trips(bool le)
        {
            var h = new Raw2
            {
                LittleEndian = le, Dim = new long[] { 3, 3, 1, 1, 1, 1, 1, 1 }, DataType = 512, BitPix = 16,
                PixDim = new double[] { -1, 0.7, 0.8, 0.9, 0, 0, 0, 0 }, SclSlope = 0.1, SclInter = 1,
                SFormCode = 4, SRow = new double[] { -0.7, 0, 0, 10.125, 0, 0.8, 0, -20.0625, 0, 0, 0.9, 30.5 }, Descrip = "n2", XyztUnits = 2,
            };
            var raw = RawFiles.Concat(h.Bytes(), new byte[4], RawFiles.Encode(new ushort[] { 10, 65535, 20 }, le));
            File.WriteAllBytes(_tmp.File("n2.nii"), raw);
            var v = NiftiReader.Read(_tmp.File("n2.nii"));
            Assert.Equal(NiftiFormat.Nifti2, v.Header.Format);
            Assert.Equal(new ushort[] { 10, 65535, 20 }, v.Data);
            Assert.Equal(0.1 * 65535 + 1, v.GetValue(1, 0, 0), 9);
            Assert.Equal(-0.7, v.Affine[0, 0]); Assert.Equal(30.5, v.Affine[2, 3]);
            Assert.Equal("LAS", v.Orientation);
            NiftiWriter.Write(v, _tmp.File("n2b.nii"), new NiftiWriteOptions { Nifti2 = true });
            Assert.Equal(raw, File.ReadAllBytes(_tmp.File("n2b.nii")));
        }

        [Fact]
        public void A_dimension_over_32767_is_written_as_Nifti2()
        {
            var g = Grid.Create(40000, 1, 1);
            var m = new byte[40000]; m[39999] = 1;
            NiftiWriter.Write(AtlasVolume.FromMask(g, m), _tmp.File("long.nii.gz"));
            var raw = RawFiles.Gunzip(File.ReadAllBytes(_tmp.File("long.nii.gz")));
            Assert.Equal(540, BitConverter.ToInt32(raw, 0));
            Assert.Equal(40000L, BitConverter.ToInt64(raw, 24));
            Assert.Equal(544L, BitConverter.ToInt64(raw, 168));
            var v = NiftiReader.Read(_tmp.File("long.nii.gz"));
            Assert.Equal(40000, v.Dimensions[0]);
            Assert.Equal((byte)1, ((byte[])v.Data)[39999]);
        }

        // ------------------------------------------------------------------ 4D

        [Theory]
        [InlineData("nii")]
        [InlineData("nii.gz")]
        public void Frames_of_a_4D_image_are_selected_0_based(string ext)
        {
            var h = new Raw1 { Dim = new short[] { 4, 2, 2, 1, 3, 1, 1, 1 }, DataType = 4, BitPix = 16, SclSlope = 2 };
            var data = new short[12];
            for (int i = 0; i < 12; i++) data[i] = (short)(100 * (i / 4) + i % 4); // frame f holds 100f + 0..3
            var raw = RawFiles.Single(h.Bytes(), RawFiles.Encode(data, true));
            string p = _tmp.File("f." + ext);
            File.WriteAllBytes(p, ext == "nii" ? raw : RawFiles.Gzip(raw));

            var all = NiftiReader.Read(p);
            Assert.Equal(3, all.FrameCount); Assert.Equal(3, all.FramesLoaded);
            Assert.Equal(2 * 203.0, all.GetValue(1, 1, 0, 2));

            var f1 = NiftiReader.Read(p, new NiftiReadOptions { Frame = 1 });
            Assert.Equal(new short[] { 100, 101, 102, 103 }, f1.Data);
            Assert.Equal(3, f1.FrameCount); Assert.Equal(1, f1.FramesLoaded); Assert.Equal(1, f1.Frame);
            Assert.Equal(new double[] { 200, 202, 204, 206 }, f1.ToFloat64());
            Assert.Throws<ArgumentOutOfRangeException>(() => f1.ToFloat64(1)); // only frame 1 was read, held as frame 0

            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p, new NiftiReadOptions { Frame = 3 }));
            Assert.Equal(NiftiErrorKind.InvalidArgument, ex.Kind);

            // a frame written alone is a 3D image
            NiftiWriter.Write(f1, _tmp.File("frame1.nii"));
            var back = NiftiReader.Read(_tmp.File("frame1.nii"));
            Assert.Equal(1, back.FrameCount); Assert.Equal(3, back.Header.Dim[0]);
            Assert.Equal(new short[] { 100, 101, 102, 103 }, back.Data);
        }

        [Fact]
        public void Header_only_reads_no_voxels()
        {
            var v = NiftiReader.Read(WriteNii("h.nii", Int16Header(4, 4, 4), new byte[0]), new NiftiReadOptions { HeaderOnly = true });
            Assert.False(v.HasData);
            Assert.Equal(new[] { 4, 4, 4 }, v.Dimensions);
        }
    }
}
