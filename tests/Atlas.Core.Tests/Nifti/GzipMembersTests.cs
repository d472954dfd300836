using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>
    /// .nii.gz as several gzip members (issue 15): the writer's layout, the reader giving the same
    /// bytes whatever the layout, damage in one member, and peers (gzip, nibabel, nifti_tool) reading
    /// what the writer makes.
    /// </summary>
    public sealed class GzipMembersTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        // A 4D int16 image, 24×20×9 voxels × 3 frames (8,640 data bytes from 352), values from a fixed LCG.
        private static byte[] RawImage(bool littleEndian, out short[] values)
        {
            var h = new Raw1 { LittleEndian = littleEndian, Dim = new short[] { 4, 24, 20, 9, 3, 1, 1, 1 }, DataType = 4, BitPix = 16, Descrip = "gzip members" };
            values = new short[24 * 20 * 9 * 3];
            uint state = 12345;
            for (int i = 0; i < values.Length; i++) { state = state * 1664525 + 1013904223; values[i] = (short)(state >> 16); }
            return RawFiles.Single(h.Bytes(), RawFiles.Encode(values, littleEndian));
        }

        /// <summary>The bytes as a chain of members, one per segment between the cuts (each carries the 'AP' field).</summary>
        private static byte[] Members(byte[] raw, params int[] cuts)
        {
            var ms = new MemoryStream();
            int start = 0;
            foreach (int end in cuts.Concat(new[] { raw.Length }))
            {
                if (end <= start) continue;
                var seg = new byte[end - start];
                Array.Copy(raw, start, seg, 0, seg.Length);
                GzipMembers.Write(ms, seg, null, 1, false, CompressionLevel.Fastest);
                start = end;
            }
            return ms.ToArray();
        }

        private static int[] Every(int step, int length)
        {
            var cuts = new List<int>();
            for (int c = step; c < length; c += step) cuts.Add(c);
            return cuts.ToArray();
        }

        private static GzipMembers.Member[] Index(string path)
        {
            using (var fs = File.OpenRead(path)) return GzipMembers.TryIndex(fs);
        }

        [Fact]
        public void The_writer_makes_a_header_member_then_members_of_the_set_size()
        {
            var g = Grid.Create(64, 64, 16);
            var data = new float[g.VoxelCount];
            for (int i = 0; i < data.Length; i++) data[i] = (float)Math.Sin(i * 0.001) * 100 + i % 7;
            var v = AtlasVolume.FromFloat32(g, data);
            string gz = _tmp.File("w.nii.gz"), nii = _tmp.File("w.nii");
            NiftiWriter.Write(v, gz, new NiftiWriteOptions { GzipMemberBytes = 65536 });
            NiftiWriter.Write(v, nii);

            // 262,144 data bytes in members of 65,536, after the 352-byte header member.
            var members = Index(gz);
            Assert.NotNull(members);
            Assert.Equal(new[] { 352, 65536, 65536, 65536, 65536 }, members.Select(m => m.RawLength).ToArray());
            var bytes = File.ReadAllBytes(gz);
            long at = 0;
            foreach (var m in members)
            {
                Assert.Equal(at, m.Offset);
                Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 4 }, bytes.Skip((int)at).Take(4).ToArray()); // magic, deflate, FEXTRA
                at += m.Length;
            }
            Assert.Equal(bytes.Length, at);
            // As one stream the members inflate to exactly the uncompressed file.
            Assert.Equal(File.ReadAllBytes(nii), RawFiles.Gunzip(bytes));
            Assert.Equal(data, NiftiReader.Read(gz).Data);
        }

        // A header member of up to 1 KiB is one stored block (BFINAL 1, BTYPE 00: byte 0x01 after the 24-byte gzip
        // header, then LEN and NLEN, then the header's bytes as they are); a header with a 4 KiB extension is deflated.
        [Theory]
        [InlineData(0, true)]
        [InlineData(4096, false)]
        public void A_small_header_member_is_stored_a_large_one_deflated(int extensionBytes, bool stored)
        {
            var g = Grid.Create(32, 32, 8);
            var v = AtlasVolume.FromMask(g, new byte[g.VoxelCount]);
            if (extensionBytes > 0) v.Header.Extensions.Add(new NiftiExtension(6, new byte[extensionBytes - 8]));
            string gz = _tmp.File("h" + extensionBytes + ".nii.gz"), nii = _tmp.File("h" + extensionBytes + ".nii");
            NiftiWriter.Write(v, gz);
            NiftiWriter.Write(v, nii);
            var members = Index(gz);
            var bytes = File.ReadAllBytes(gz);
            var plain = File.ReadAllBytes(nii);
            int head = members[0].RawLength;
            Assert.Equal(extensionBytes == 0 ? 352 : 352 + extensionBytes, head);
            Assert.Equal(stored, bytes[24] == 0x01 && bytes[25] == (byte)head && bytes[26] == (byte)(head >> 8)
                && bytes.Skip(29).Take(head).SequenceEqual(plain.Take(head)));
            if (stored) Assert.Equal(24 + 5 + head + 8, members[0].Length);
            Assert.Equal(plain, RawFiles.Gunzip(bytes));
            Assert.Equal(new byte[g.VoxelCount], NiftiReader.Read(gz).Data);
        }

        [Fact]
        public void Incompressible_members_are_stored_never_larger_than_raw_plus_block_headers()
        {
            // 600,000 random bytes: zlib-ng's level 1 would expand them; stored blocks add 5 bytes each
            // (RFC 1951 3.2.4; zlib emits one per 16 KiB, its pending buffer) to the 24-byte header and
            // 8-byte trailer of each member.
            var g = Grid.Create(100, 100, 60);
            var data = new byte[g.VoxelCount];
            new Random(7).NextBytes(data);
            var v = AtlasVolume.FromArray(g, data, NiftiDataType.UInt8);
            string p = _tmp.File("noise.nii.gz");
            NiftiWriter.Write(v, p, new NiftiWriteOptions { GzipMemberBytes = 262144 });
            var members = Index(p);
            Assert.Equal(new[] { 352, 262144, 262144, 75712 }, members.Select(m => m.RawLength).ToArray());
            for (int k = 1; k < members.Length; k++)
            {
                int raw = members[k].RawLength;
                Assert.True(members[k].Length <= raw + 5 * (raw / 16384 + 1) + 32, "member " + k + ": " + members[k].Length + " bytes for " + raw);
            }
            Assert.Equal(data, NiftiReader.Read(p).Data);
        }

        /// <summary>A 4D float32 image of noise in every mantissa bit (64×64×16 × 3 frames, 786,432 data bytes) and its file in members of 256 KiB.</summary>
        private string WriteNoise(out float[] data)
        {
            data = new float[64 * 64 * 16 * 3];
            var rnd = new Random(15);
            for (int i = 0; i < data.Length; i++) data[i] = 1000f + (float)rnd.NextDouble() * 50f;
            var h = new Raw1 { Dim = new short[] { 4, 64, 64, 16, 3, 1, 1, 1 }, DataType = 16, BitPix = 32 };
            string nii = _tmp.File("noise4d.nii"), p = _tmp.File("noise4d.nii.gz");
            File.WriteAllBytes(nii, RawFiles.Single(h.Bytes(), RawFiles.Encode(data, true)));
            NiftiWriter.Write(NiftiReader.Read(nii), p, new NiftiWriteOptions { GzipMemberBytes = 262144 });
            return p;
        }

        [Fact]
        public void Noise_members_are_stored_in_blocks_of_65535_bytes_without_deflating_them()
        {
            string p = WriteNoise(out var data);
            var members = Index(p);
            Assert.Equal(new[] { 352, 262144, 262144, 262144 }, members.Select(m => m.RawLength).ToArray());
            var bytes = File.ReadAllBytes(p);
            for (int k = 1; k < members.Length; k++)
            {
                // 24-byte header, four full stored blocks and a last one of 262,144 - 4 × 65,535 = 4 bytes
                // (5 bytes each: BFINAL/BTYPE 00, LEN, NLEN), CRC-32 and ISIZE: 262,144 + 24 + 25 + 8.
                var m = members[k];
                Assert.Equal(262144 + 24 + 25 + 8, m.Length);
                int at = (int)m.Offset + 24;
                for (int b = 0; b < 5; b++)
                {
                    int len = b < 4 ? 65535 : 4;
                    Assert.Equal(b < 4 ? 0 : 1, bytes[at]);
                    Assert.Equal(len, bytes[at + 1] | bytes[at + 2] << 8);
                    Assert.Equal(len ^ 0xFFFF, bytes[at + 3] | bytes[at + 4] << 8);
                    at += 5 + len;
                }
                // The trailer's CRC-32 and ISIZE, as zlib's own gzip of the same bytes gives them.
                var raw = new byte[262144];
                Buffer.BlockCopy(data, (k - 1) * 262144, raw, 0, raw.Length);
                var zlibMember = RawFiles.Gzip(raw);
                Assert.Equal(zlibMember.Skip(zlibMember.Length - 8).ToArray(), bytes.Skip(at).Take(8).ToArray());
            }
            // gzip's own reader (.NET's zlib) and ours agree on every frame; the whole read takes the
            // stored members straight from the file (three of them at least; other tests may add theirs).
            Assert.Equal(352 + data.Length * 4, RawFiles.Gunzip(bytes).Length);
            long before = GzipMembers.StoredMembersRead;
            Assert.Equal(data, NiftiReader.Read(p).Data);
            Assert.True(GzipMembers.StoredMembersRead - before >= 3);
            for (int f = 0; f < 3; f++)
                Assert.Equal(data.Skip(f * 65536).Take(65536).ToArray(), NiftiReader.Read(p, new NiftiReadOptions { Frame = f }).Data);
        }

        [Fact]
        public void A_member_with_compressible_parts_is_still_deflated()
        {
            // Noise in the first half of each 256 KiB member, zeros in the second: one of the four probe
            // pieces deflates, so the member is deflated (to well under its raw size) and not stored.
            var g = Grid.Create(256, 256, 4);
            var data = new float[g.VoxelCount];
            var rnd = new Random(3);
            for (int i = 0; i < data.Length; i++) data[i] = (i / 32768) % 2 == 0 ? (float)rnd.NextDouble() : 0f;
            string p = _tmp.File("half.nii.gz");
            NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), p, new NiftiWriteOptions { GzipMemberBytes = 262144 });
            var members = Index(p);
            var bytes = File.ReadAllBytes(p);
            for (int k = 1; k < members.Length; k++)
            {
                Assert.True(members[k].Length < 0.6 * 262144, "member " + k + ": " + members[k].Length + " bytes");
                Assert.NotEqual(0, bytes[members[k].Offset + 24] & 0x06); // first block is not stored
            }
            Assert.Equal(data, NiftiReader.Read(p).Data);
        }

        [Fact]
        public void Damage_in_a_stored_member_is_named_as_zlib_names_it()
        {
            string p = WriteNoise(out var data);
            var members = Index(p);
            var good = File.ReadAllBytes(p);
            var m = members[2];

            // A bad CRC-32: corrupt, naming the member.
            var bad = (byte[])good.Clone();
            bad[m.Offset + m.Length - 8] ^= 0x5a;
            File.WriteAllBytes(p, bad);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains("member 3 of 4", ex.Message);

            // A voxel byte changed inside a stored block: only the CRC-32 can see it.
            bad = (byte[])good.Clone();
            bad[m.Offset + 24 + 5 + 70000] ^= 1;
            File.WriteAllBytes(p, bad);
            ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains("member 3 of 4", ex.Message);

            // NLEN that is not the complement of LEN in the second block.
            bad = (byte[])good.Clone();
            bad[m.Offset + 24 + 5 + 65535 + 3] ^= 0x10;
            File.WriteAllBytes(p, bad);
            ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains("member 3 of 4", ex.Message);

            // Cut inside the stored member's third block: truncated.
            File.WriteAllBytes(p, good.Take((int)m.Offset + 24 + 2 * 65540 + 1000).ToArray());
            ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.Truncated, ex.Kind);

            File.WriteAllBytes(p, good);
            Assert.Equal(data, NiftiReader.Read(p).Data);
        }

        [Fact]
        public void Members_of_zeros_are_one_known_member_and_read_as_zeros_without_inflating()
        {
            // A mask-like float volume: a blob in the third 256 KiB member, zeros everywhere else.
            var g = Grid.Create(64, 64, 64);
            var data = new float[g.VoxelCount];
            for (int i = 2 * 65536 + 1000; i < 2 * 65536 + 3000; i++) data[i] = 1;
            string p = _tmp.File("zeros.nii.gz");
            NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), p, new NiftiWriteOptions { GzipMemberBytes = 262144 });
            var members = Index(p);
            Assert.Equal(5, members.Length);
            var bytes = File.ReadAllBytes(p);
            byte[] Member(int k) => bytes.Skip((int)members[k].Offset).Take(members[k].Length).ToArray();
            // Members 1, 2 and 4 hold only zeros: the same bytes, which inflate to 262,144 zeros (.NET's zlib).
            Assert.Equal(Member(1), Member(2));
            Assert.Equal(Member(1), Member(4));
            Assert.NotEqual(Member(1), Member(3));
            Assert.Equal(new byte[262144], RawFiles.Gunzip(Member(1)));
            // Read back: the same voxels, with the members of zeros cleared rather than inflated.
            long before = GzipMembers.ZeroMembersRead;
            Assert.Equal(data, NiftiReader.Read(p).Data);
            Assert.True(GzipMembers.ZeroMembersRead - before >= 3);

            // One byte of a zero member's deflate data changed: no longer the known member, so it is inflated,
            // and the damage is found and named.
            var bad = (byte[])bytes.Clone();
            bad[members[2].Offset + 30] ^= 0x21;
            File.WriteAllBytes(p, bad);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains("member 3 of 5", ex.Message);

            // Zeros written at another level are other bytes (known here, as this process wrote them): same voxels.
            NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), p, new NiftiWriteOptions { GzipMemberBytes = 262144, Compression = System.IO.Compression.CompressionLevel.Optimal });
            Assert.Equal(data, NiftiReader.Read(p).Data);
        }

        [Fact]
        public unsafe void Crc32_gives_the_standard_check_value_and_the_same_value_on_both_paths()
        {
            var check = System.Text.Encoding.ASCII.GetBytes("123456789");
            var bytes = new byte[1 << 20];
            new Random(5).NextBytes(bytes);
            fixed (byte* c = check)
            fixed (byte* b = bytes)
            {
                Assert.Equal(0xCBF43926u, Crc32.Append(0, c, 9));        // RFC 3720 B.4 / zlib's check value
                Assert.Equal(0xCBF43926u, Crc32.AppendManaged(0, c, 9));
                Assert.Equal(0u, Crc32.Append(0, c, 0));
                foreach (int n in new[] { 1, 7, 8, 9, 63, 64, 65, 1000, 65535, 1 << 20 })
                {
                    uint whole = Crc32.Append(0, b, n);
                    Assert.Equal(whole, Crc32.AppendManaged(0, b, n));
                    Assert.Equal(whole, Crc32.Append(Crc32.AppendManaged(0, b, n / 3), b + n / 3, n - n / 3)); // continued
                    // zlib's gzip trailer of the same bytes holds the same CRC-32.
                    var seg = new byte[n];
                    Array.Copy(bytes, seg, n);
                    var gz = RawFiles.Gzip(seg);
                    Assert.Equal(whole, BitConverter.ToUInt32(gz, gz.Length - 8));
                }
            }
            Assert.True(Crc32.Native || !System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET 10"),
                "on .NET 10 the runtime's zlib-ng computes the CRC");
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void The_reader_gives_the_same_bytes_whatever_the_member_layout(bool littleEndian)
        {
            var raw = RawImage(littleEndian, out var values);
            var layouts = new Dictionary<string, byte[]>
            {
                ["one member, another tool's"] = RawFiles.Gzip(raw),
                ["every 16 bytes"] = Members(raw, Every(16, raw.Length)),
                ["every 1000 bytes"] = Members(raw, Every(1000, raw.Length)),
                ["inside the header"] = Members(raw, 7, 100, 348, 351),
                ["at vox_offset and in a frame"] = Members(raw, 352, 3000),
                ["across a frame boundary"] = Members(raw, 352 + 2880 - 5, 352 + 2880 + 5),
                ["header and data in one, then the rest"] = Members(raw, 5000),
            };
            string plain = _tmp.File("plain.nii");
            File.WriteAllBytes(plain, raw);
            var expected = NiftiReader.Read(plain);
            Assert.Equal(values, expected.Data);
            foreach (var layout in layouts)
            {
                string p = _tmp.File("layout.nii.gz");
                File.WriteAllBytes(p, layout.Value);
                if (layout.Key.StartsWith("one")) Assert.Null(Index(p)); // read serially
                else Assert.NotNull(Index(p));                            // read member by member
                var all = NiftiReader.Read(p);
                Assert.True(values.SequenceEqual((short[])all.Data), layout.Key);
                Assert.Equal("gzip members", all.Header.Descrip);
                for (int f = 0; f < 3; f++)
                {
                    var one = NiftiReader.Read(p, new NiftiReadOptions { Frame = f });
                    Assert.True(values.Skip(f * 4320).Take(4320).SequenceEqual((short[])one.Data), layout.Key + ", frame " + f);
                }
                NiftiFiles.CheckIntegrity(p);
            }
        }

        [Fact]
        public void A_member_boundary_inside_a_header_extension_keeps_the_extension()
        {
            var h = new Raw1 { Dim = new short[] { 3, 10, 10, 10, 1, 1, 1, 1 }, DataType = 2, BitPix = 8, VoxOffset = 384 };
            var ext = new byte[32];
            ext[0] = 32; ext[4] = 6; // esize 32, ecode 6 (comment)
            var text = System.Text.Encoding.ASCII.GetBytes("split across members");
            Array.Copy(text, 0, ext, 8, text.Length);
            var data = new byte[1000];
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7);
            var raw = RawFiles.Concat(h.Bytes(), new byte[] { 1, 0, 0, 0 }, ext, data);
            string p = _tmp.File("ext.nii.gz");
            File.WriteAllBytes(p, Members(raw, 350, 360, 370, 390, 700));
            var v = NiftiReader.Read(p);
            Assert.Single(v.Header.Extensions);
            Assert.Equal(6, v.Header.Extensions[0].Code);
            Assert.Equal("split across members", System.Text.Encoding.ASCII.GetString(v.Header.Extensions[0].Data, 0, text.Length));
            Assert.Equal(data, v.Data);
        }

        [Fact]
        public void A_truncated_member_is_reported_as_truncated()
        {
            var raw = RawImage(true, out _);
            var gz = Members(raw, Every(1000, raw.Length));
            string p = _tmp.File("cut.nii.gz");
            var members = Index(WriteTo(p, gz));
            var middle = members[members.Length / 2];

            // Cut inside a member, and cut exactly after one (the chain is whole, the data are short).
            foreach (long cut in new[] { middle.Offset + middle.Length / 2, middle.Offset + middle.Length })
            {
                File.WriteAllBytes(p, gz.Take((int)cut).ToArray());
                var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
                Assert.Equal(NiftiErrorKind.Truncated, ex.Kind);
                Assert.Contains(p, ex.Message);
                Assert.Throws<NiftiFormatException>(() => NiftiFiles.CheckIntegrity(p));
            }
        }

        [Fact]
        public void A_bad_crc_in_a_middle_member_is_reported_as_corrupt()
        {
            var raw = RawImage(true, out _);
            var gz = Members(raw, Every(1000, raw.Length));
            string p = _tmp.File("crc.nii.gz");
            var members = Index(WriteTo(p, gz));
            int k = members.Length / 2;
            var bad = (byte[])gz.Clone();
            bad[members[k].Offset + members[k].Length - 8] ^= 0x5a; // first byte of that member's CRC-32
            File.WriteAllBytes(p, bad);
            Assert.Throws<InvalidDataException>(() => RawFiles.Gunzip(bad)); // the damage is real: .NET's own inflater rejects it
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains(p, ex.Message);
            Assert.Contains("member " + (k + 1) + " of " + members.Length, ex.Message);
        }

        [Fact]
        public void Member_fields_that_disagree_with_the_data_are_caught_or_bypassed()
        {
            var raw = RawImage(true, out var values);
            var gz = Members(raw, Every(1000, raw.Length));
            string p = _tmp.File("field.nii.gz");
            var members = Index(WriteTo(p, gz));
            int k = members.Length / 2;

            // An inflated length that lies (the member holds 1,000 bytes, the field says 1,016): corrupt.
            var lie = (byte[])gz.Clone();
            lie[members[k].Offset + 20] += 16;
            File.WriteAllBytes(p, lie);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(p));
            Assert.Equal(NiftiErrorKind.CorruptGzip, ex.Kind);
            Assert.Contains("1016", ex.Message);

            // A compressed length that lies breaks the chain: the file is read serially, as any gzip.
            var broken = (byte[])gz.Clone();
            broken[members[k].Offset + 16] += 1;
            File.WriteAllBytes(p, broken);
            Assert.Null(Index(p));
            Assert.Equal(values, NiftiReader.Read(p).Data);
        }

        private static string WriteTo(string path, byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }

        // ------------------------------------------------------------------ peers

        /// <summary>A float32 volume big enough for several default-size members (2.2 MB: header + 3).</summary>
        private string WriteForPeers(out float[] data)
        {
            var g = Grid.Create(96, 80, 70, 1.5, 1.5, 2);
            data = new float[g.VoxelCount];
            uint state = 99;
            for (int i = 0; i < data.Length; i++) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; data[i] = (state % 100000) / 7f - 3000; }
            string p = _tmp.File("peer.nii.gz");
            // Half the slices noise (stored members, written without zlib), half a smooth ramp (deflated members):
            // the peers read both kinds.
            for (int i = data.Length / 2; i < data.Length; i++) data[i] = (i / 96) % 80;
            NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), p);
            var members = Index(p);
            Assert.Equal(4, members.Length);
            var bytes = File.ReadAllBytes(p);
            Assert.Equal(0, bytes[members[1].Offset + 24]);             // stored, not final
            Assert.NotEqual(0, bytes[members[3].Offset + 24] & 0x06);   // deflated
            return p;
        }

        private static (int Code, string Out, string Err) Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using (var proc = Process.Start(psi))
            {
                var err = proc.StandardError.ReadToEndAsync();
                string o = proc.StandardOutput.ReadToEnd();
                proc.WaitForExit();
                return (proc.ExitCode, o.Trim(), err.Result.Trim());
            }
        }

        private static string Sha256(float[] data)
        {
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length); // little-endian, as the file
            using (var sha = SHA256.Create()) return BitConverter.ToString(sha.ComputeHash(bytes)).Replace("-", "").ToLowerInvariant();
        }

        [SkippableFact]
        public void Gzip_tests_the_members_clean()
        {
            Skip.If(!File.Exists("/usr/bin/gzip") && !File.Exists("/bin/gzip"), "gzip not installed");
            string p = WriteForPeers(out _);
            var t = Run("gzip", "-t", "-v", p);
            Assert.True(t.Code == 0, "gzip -t failed: " + t.Err);
            Assert.EndsWith("OK", t.Err);
        }

        [SkippableFact]
        public void Nibabel_reads_the_same_voxels()
        {
            Skip.If(Peers.Python == null, "/usr/bin/python3 (nibabel) not installed");
            string p = WriteForPeers(out var data);
            var r = Run(Peers.Python, "-c", "import hashlib,sys,numpy as np,nibabel as nib; i=nib.load(sys.argv[1]); a=np.asanyarray(i.dataobj); print(a.shape, a.dtype, hashlib.sha256(a.astype('<f4').tobytes(order='F')).hexdigest())", p);
            Skip.If(r.Code != 0 && r.Err.Contains("No module named"), "nibabel not installed");
            Assert.True(r.Code == 0, "nibabel failed: " + r.Err);
            Assert.Equal("(96, 80, 70) float32 " + Sha256(data), r.Out);
        }

        [SkippableFact]
        public void Nifti_tool_reads_the_same_voxels()
        {
            Skip.If(!File.Exists("/usr/bin/nifti_tool"), "nifti_tool (Debian nifti-bin) not installed");
            string p = WriteForPeers(out var data);
            string copy = _tmp.File("copy.nii");
            var r = Run("/usr/bin/nifti_tool", "-copy_im", "-prefix", copy, "-infiles", p);
            Assert.True(r.Code == 0 && File.Exists(copy), "nifti_tool -copy_im failed: " + r.Err + r.Out);
            // nifti_clib inflated it through zlib's gzread and wrote it uncompressed: compare the bytes.
            var bytes = File.ReadAllBytes(copy);
            int voxOffset = (int)BitConverter.ToSingle(bytes, 108);
            var back = new float[data.Length];
            Assert.Equal(voxOffset + data.Length * 4, bytes.Length);
            Buffer.BlockCopy(bytes, voxOffset, back, 0, data.Length * 4);
            Assert.Equal(data, back);
        }
    }
}
