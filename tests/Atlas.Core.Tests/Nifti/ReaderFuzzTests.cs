using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>
    /// A deterministic fuzz of the reader: a few thousand hostile files made from small valid ones
    /// (NIfTI-1 and NIfTI-2, plain and gzipped, with an extension) by setting header fields to
    /// 0 / -1 / 32767 / NaN / Inf / 1e30, flipping header bytes, cutting the file short, giving the
    /// extension a hostile esize, and cutting or damaging the gzip stream. Every read must either
    /// succeed or throw the module's own exception naming the file, finish (no hang), and allocate no
    /// more than the file's size can justify (deflate inflates at most 1032:1, RFC 1951), so a
    /// header claiming 2^40 voxels in a 1 KB file fails before any allocation.
    /// </summary>
    public class ReaderFuzzTests
    {
        private const int Seed = 20261201;
        private readonly ITestOutputHelper _out;
        public ReaderFuzzTests(ITestOutputHelper output) { _out = output; }

        // Field offsets of nifti1.h (offset, size in bytes, float?) that the reader interprets.
        private static readonly (int Offset, int Size, bool Float, string Name)[] Nifti1Fields =
        {
            (0, 4, false, "sizeof_hdr"), (40, 2, false, "dim[0]"), (42, 2, false, "dim[1]"), (44, 2, false, "dim[2]"), (46, 2, false, "dim[3]"),
            (48, 2, false, "dim[4]"), (50, 2, false, "dim[5]"), (56, 4, true, "intent_p1"), (68, 2, false, "intent_code"), (70, 2, false, "datatype"),
            (72, 2, false, "bitpix"), (74, 2, false, "slice_start"), (76, 4, true, "pixdim[0]"), (80, 4, true, "pixdim[1]"), (84, 4, true, "pixdim[2]"),
            (88, 4, true, "pixdim[3]"), (92, 4, true, "pixdim[4]"), (108, 4, true, "vox_offset"), (112, 4, true, "scl_slope"), (116, 4, true, "scl_inter"),
            (120, 2, false, "slice_end"), (124, 4, true, "cal_max"), (128, 4, true, "cal_min"), (252, 2, false, "qform_code"), (254, 2, false, "sform_code"),
            (256, 4, true, "quatern_b"), (260, 4, true, "quatern_c"), (264, 4, true, "quatern_d"), (268, 4, true, "qoffset_x"),
            (280, 4, true, "srow_x[0]"), (284, 4, true, "srow_x[1]"), (292, 4, true, "srow_x[3]"), (300, 4, true, "srow_y[1]"), (320, 4, true, "srow_z[2]"),
        };

        // nifti2.h: dims and vox_offset are int64, floats are float64.
        private static readonly (int Offset, int Size, bool Float, string Name)[] Nifti2Fields =
        {
            (0, 4, false, "sizeof_hdr"), (12, 2, false, "datatype"), (14, 2, false, "bitpix"), (16, 8, false, "dim[0]"), (24, 8, false, "dim[1]"),
            (32, 8, false, "dim[2]"), (40, 8, false, "dim[3]"), (48, 8, false, "dim[4]"), (104, 8, true, "pixdim[0]"), (112, 8, true, "pixdim[1]"),
            (168, 8, false, "vox_offset"), (176, 8, true, "scl_slope"), (184, 8, true, "scl_inter"), (344, 4, false, "qform_code"), (348, 4, false, "sform_code"),
            (352, 8, true, "quatern_b"), (400, 8, true, "srow_x[0]"), (432, 8, true, "srow_y[0]"), (488, 8, true, "srow_z[3]"),
        };

        private static readonly long[] IntValues = { 0, -1, 1, 2, 7, 8, 32767, -32768, int.MaxValue, int.MinValue, 1L << 40, long.MaxValue };
        private static readonly double[] FloatValues = { 0, -1, 32767, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e30, -1e30, 1e-30, 348, 351, 352 };
        private static readonly int[] HostileEsize = { 0, -16, 8, 15, 17, 32, 1 << 30, int.MaxValue, int.MinValue, 4096 };

        private sealed class Case
        {
            public string Name;
            public byte[] Bytes;
        }

        /// <summary>The valid files the cases start from (a 5x4x3 int16 T1 and a 4x4x2x3 float32 4D image).</summary>
        private static List<(string Name, byte[] Bytes, bool Gz, int HeaderSize)> Bases(TempDir t)
        {
            var result = new List<(string, byte[], bool, int)>();
            var g = Grid.Create(5, 4, 3, 1, 1.5, 2);
            var s = new short[g.VoxelCount];
            for (int i = 0; i < s.Length; i++) s[i] = (short)(i * 37 % 1000);
            var t1 = AtlasVolume.FromArray(g, s, NiftiDataType.Int16);
            t1.Header.Extensions.Add(new NiftiExtension(6, System.Text.Encoding.ASCII.GetBytes("fuzz-extension-comment-24".PadRight(24))));
            foreach (bool gz in new[] { false, true })
            {
                string p = t.File("t1" + (gz ? ".nii.gz" : ".nii"));
                NiftiWriter.Write(t1, p);
                result.Add(("t1" + (gz ? ".gz" : ""), File.ReadAllBytes(p), gz, 348));
            }
            // A 4x4x2 float32 image of 3 frames, written field by field.
            var f = new float[4 * 4 * 2 * 3];
            for (int i = 0; i < f.Length; i++) f[i] = i * 0.25f;
            var h4 = new Raw1 { DataType = 16, BitPix = 32, Dim = new short[] { 4, 4, 4, 2, 3, 1, 1, 1 }, PixDim = new float[] { 1, 2, 2, 2, 1, 0, 0, 0 } };
            var four = RawFiles.Single(h4.Bytes(), RawFiles.Encode(f, true));
            result.Add(("4d", four, false, 348));
            result.Add(("4d.gz", RawFiles.Gzip(four), true, 348));
            // NIfTI-2 of the T1, uncompressed: the 540-byte header written field by field.
            var h2 = new Raw2 { DataType = 4, BitPix = 16, Dim = new long[] { 3, 5, 4, 3, 1, 1, 1, 1 }, PixDim = new double[] { 1, 1, 1.5, 2, 0, 0, 0, 0 }, VoxOffset = 544 };
            result.Add(("nifti2", RawFiles.Concat(h2.Bytes(), new byte[4], RawFiles.Encode(s, true)), false, 540));
            return result;
        }

        private static IEnumerable<Case> Cases(List<(string Name, byte[] Bytes, bool Gz, int HeaderSize)> bases)
        {
            var rng = new Random(Seed);
            foreach (var b in bases)
            {
                // Header fields set to hostile values (in the inflated bytes, then gzipped again).
                byte[] raw = b.Gz ? RawFiles.Gunzip(b.Bytes) : b.Bytes;
                var fields = b.HeaderSize == 540 ? Nifti2Fields : Nifti1Fields;
                foreach (var fd in fields)
                {
                    if (fd.Float)
                        foreach (var v in FloatValues) yield return Make(b, raw, fd.Name + "=" + v, x => PutFloat(x, fd.Offset, fd.Size, v));
                    else
                        foreach (var v in IntValues) yield return Make(b, raw, fd.Name + "=" + v, x => PutInt(x, fd.Offset, fd.Size, v));
                }
                // Several fields at once: a header claiming 2^40 voxels (NIfTI-1: 32767^3 * 32767 frames).
                yield return Make(b, raw, "huge dims", x =>
                {
                    if (b.HeaderSize == 540) { PutInt(x, 16, 8, 4); for (int d = 1; d <= 4; d++) PutInt(x, 16 + 8 * d, 8, 1 << 10); }
                    else { PutInt(x, 40, 2, 4); for (int d = 1; d <= 4; d++) PutInt(x, 40 + 2 * d, 2, 32767); }
                });
                // Byte flips in the header.
                for (int n = 0; n < 120; n++)
                {
                    int flips = 1 + rng.Next(4);
                    var at = new int[flips]; var val = new byte[flips];
                    for (int k = 0; k < flips; k++) { at[k] = rng.Next(b.HeaderSize); val[k] = (byte)rng.Next(256); }
                    yield return Make(b, raw, "flip " + string.Join(",", at), x => { for (int k = 0; k < flips; k++) x[at[k]] ^= (byte)(val[k] | 1); });
                }
                // Hostile extension sizes (the extender byte set so the reader looks).
                foreach (int es in HostileEsize)
                    yield return Make(b, raw, "esize=" + es, x => { x[b.HeaderSize] = 1; PutInt(x, b.HeaderSize + 4, 4, es); });
                // Truncations of the (inflated) file, re-gzipped when the base was gzipped.
                for (int n = 0; n < 40; n++)
                {
                    int len = n < 8 ? new[] { 0, 1, 3, 4, 100, b.HeaderSize - 1, b.HeaderSize, b.HeaderSize + 5 }[n] : rng.Next(raw.Length);
                    yield return new Case { Name = b.Name + " cut inflated at " + len, Bytes = b.Gz ? RawFiles.Gzip(raw[..len]) : raw[..len] };
                }
                if (!b.Gz) continue;
                // Truncated and damaged gzip streams.
                for (int n = 0; n < 60; n++)
                {
                    int len = rng.Next(b.Bytes.Length);
                    yield return new Case { Name = b.Name + " gzip cut at " + len, Bytes = b.Bytes[..len] };
                }
                for (int n = 0; n < 60; n++)
                {
                    var x = (byte[])b.Bytes.Clone();
                    int at = rng.Next(x.Length);
                    x[at] ^= (byte)(1 + rng.Next(255));
                    yield return new Case { Name = b.Name + " gzip byte " + at + " damaged", Bytes = x };
                }
            }
        }

        private static Case Make((string Name, byte[] Bytes, bool Gz, int HeaderSize) b, byte[] raw, string what, Action<byte[]> change)
        {
            var x = (byte[])raw.Clone();
            change(x);
            return new Case { Name = b.Name + " " + what, Bytes = b.Gz ? RawFiles.Gzip(x) : x };
        }

        private static void PutInt(byte[] x, int o, int size, long v)
        {
            if (size == 2) System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(x.AsSpan(o), (short)Math.Max(short.MinValue, Math.Min(short.MaxValue, v)));
            else if (size == 4) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(x.AsSpan(o), (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, v)));
            else System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(x.AsSpan(o), v);
        }

        private static void PutFloat(byte[] x, int o, int size, double v)
        {
            if (size == 4) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(x.AsSpan(o), BitConverter.SingleToInt32Bits((float)v));
            else System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(x.AsSpan(o), BitConverter.DoubleToInt64Bits(v));
        }

        /// <summary>What a read may allocate: buffers of the reader and streams, plus the largest data the file can hold.</summary>
        private static long AllocationBound(long fileBytes, bool gz) => (1 << 20) + 8 * (gz ? 1032 * fileBytes : fileBytes);

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_header_claiming_2_to_the_40_voxels_in_a_1_KB_file_fails_before_allocating(bool gz)
        {
            using var t = new TempDir();
            // 1024^4 = 2^40 uint8 voxels (NIfTI-2), then 100 bytes of data.
            var h = new Raw2 { Dim = new long[] { 4, 1024, 1024, 1024, 1024, 1, 1, 1 } };
            var bytes = RawFiles.Concat(h.Bytes(), new byte[4], new byte[100]);
            if (gz) bytes = RawFiles.Gzip(bytes);
            Assert.True(bytes.Length < 1024);
            string path = t.File(gz ? "huge.nii.gz" : "huge.nii");
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(path));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(path, e.FilePath);
            Assert.Equal(NiftiErrorKind.SizeMismatch, e.Kind);
            Assert.True(allocated < 1 << 20, "allocated " + allocated + " bytes");
            // One frame of it is 2^30 voxels: still more than the file can hold.
            e = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(path, new NiftiReadOptions { Frame = 3 }));
            Assert.Equal(NiftiErrorKind.SizeMismatch, e.Kind);
        }

        [Fact]
        public void A_non_finite_sform_is_a_bad_header_naming_the_file()
        {
            using var t = new TempDir();
            var h = new Raw1 { Dim = new short[] { 3, 2, 2, 2, 1, 1, 1, 1 }, SFormCode = 1 };
            h.SRow[0] = float.PositiveInfinity; h.SRow[5] = 1; h.SRow[10] = 1;
            string path = t.File("inf.nii");
            File.WriteAllBytes(path, RawFiles.Single(h.Bytes(), new byte[8]));
            var e = Assert.Throws<NiftiFormatException>(() => NiftiReader.ReadHeader(path));
            Assert.Equal(NiftiErrorKind.BadHeader, e.Kind);
            Assert.Equal(path, e.FilePath);
            Assert.Contains("sform", e.Reason);
        }

        [Fact]
        public void HostileFilesFailWithTheModulesOwnErrorNamingTheFile()
        {
            using var t = new TempDir();
            var bases = Bases(t);
            int n = 0, ok = 0, failed = 0;
            var problems = new List<string>();
            var kinds = new SortedDictionary<string, int>();
            foreach (var c in Cases(bases))
            {
                n++;
                string path = t.File("case" + n + (c.Bytes.Length > 2 && c.Bytes[0] == 0x1f && c.Bytes[1] == 0x8b ? ".nii.gz" : ".nii"));
                File.WriteAllBytes(path, c.Bytes);
                foreach (bool headerOnly in new[] { true, false })
                {
                    // Each read on its own thread so that a hang is reported, not waited for.
                    Exception thrown = null; long allocated = 0;
                    var task = Task.Factory.StartNew(() =>
                    {
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        try
                        {
                            var v = NiftiReader.Read(path, new NiftiReadOptions { HeaderOnly = headerOnly });
                            // What a user sees first: geometry and, with data, the scaled values.
                            _ = v.Orientation; _ = v.Dimensions; _ = v.VoxelSizeMm;
                            if (v.HasData && NiftiDataTypes.ElementsPerVoxel(v.DataType) == 1) _ = v.ToFloat64();
                        }
                        catch (Exception ex) { thrown = ex; }
                        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    }, TaskCreationOptions.LongRunning);
                    if (!task.Wait(TimeSpan.FromSeconds(60))) { problems.Add(c.Name + ": no answer after 60 s (hang)"); continue; }
                    long bound = AllocationBound(c.Bytes.Length, path.EndsWith(".gz", StringComparison.Ordinal));
                    if (allocated > bound) problems.Add(c.Name + (headerOnly ? " (header only)" : "") + ": allocated " + allocated + " bytes for a " + c.Bytes.Length + "-byte file");
                    if (thrown == null) { ok++; continue; }
                    failed++;
                    if (thrown is NiftiFormatException nf)
                    {
                        kinds[nf.Kind.ToString()] = kinds.TryGetValue(nf.Kind.ToString(), out int k) ? k + 1 : 1;
                        if (nf.FilePath != path || !nf.Message.Contains(path)) problems.Add(c.Name + ": the error names " + nf.FilePath + ", not the file");
                    }
                    else if (thrown is GeometryException ge)
                    {
                        kinds["Geometry." + ge.Kind] = kinds.TryGetValue("Geometry." + ge.Kind, out int k) ? k + 1 : 1;
                        if (ge.FilePath != path || !ge.Message.Contains(path)) problems.Add(c.Name + ": the error names " + ge.FilePath + ", not the file");
                    }
                    else problems.Add(c.Name + (headerOnly ? " (header only)" : "") + ": " + thrown.GetType().Name + ": " + thrown.Message + " " + thrown.StackTrace?.Split('\n')[0]);
                }
                File.Delete(path);
            }
            _out.WriteLine(n + " files, " + ok + " reads succeeded, " + failed + " failed with the module's errors: " + string.Join(", ", kinds));
            Assert.True(n >= 2000, "only " + n + " cases");
            Assert.True(problems.Count == 0, problems.Count + " problems:\n" + string.Join("\n", problems.GetRange(0, Math.Min(40, problems.Count))));
            Assert.True(failed > n / 3, "too few cases were rejected to be hostile");
        }
    }
}
