using System;
using System.IO;
using System.IO.Compression;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    public class ParallelGzipTests
    {
        private static byte[] Data(int n, int seed)
        {
            // Compressible but not trivial: a slow ramp with noise, like an image row.
            var r = new Random(seed);
            var b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte)((i / 1000) % 200 + r.Next(8));
            return b;
        }

        [Theory]
        [InlineData(0)]
        [InlineData(100)]
        [InlineData(1 << 20)]          // exactly one piece
        [InlineData((3 << 20) + 12345)] // several pieces and a partial one
        public void OneGzipMemberThatInflatesToTheSameBytes(int n)
        {
            var data = Data(n, n);
            var ms = new MemoryStream();
            using (var z = new ParallelGzipStream(ms, CompressionLevel.Fastest))
            {
                // Odd-sized writes cross the piece boundaries.
                for (int o = 0; o < n; o += 70001) z.Write(data, o, Math.Min(70001, n - o));
            }
            var gz = ms.ToArray();
            Assert.Equal(0x1f, gz[0]); Assert.Equal(0x8b, gz[1]);
            // The trailer: CRC-32 of all data (checked against a bit-by-bit CRC) and the length.
            Assert.Equal(BitwiseCrc(data), BitConverter.ToUInt32(gz, gz.Length - 8));
            Assert.Equal((uint)n, BitConverter.ToUInt32(gz, gz.Length - 4));
            var back = new MemoryStream();
            using (var d = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) d.CopyTo(back);
            Assert.Equal(data, back.ToArray());
        }

        [Fact]
        public void CrcCombineEqualsTheCrcOfTheConcatenation()
        {
            var a = Data(5000, 1); var b = Data(7777, 2);
            var ab = new byte[a.Length + b.Length];
            a.CopyTo(ab, 0); b.CopyTo(ab, a.Length);
            Assert.Equal(BitwiseCrc(ab), Crc32.Combine(Crc32.Compute(a, 0, a.Length), Crc32.Compute(b, 0, b.Length), b.Length));
            Assert.Equal(0xCBF43926u, Crc32.Compute(System.Text.Encoding.ASCII.GetBytes("123456789"), 0, 9)); // the standard check value
        }

        [SkippableFact]
        public void NibabelReadsAWrittenNiftiGz()
        {
            Skip.If(Peers.Python == null, "/usr/bin/python3 with nibabel not installed");
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(128, 96, 80);
                var v = new short[g.VoxelCount];
                for (int i = 0; i < v.Length; i++) v[i] = (short)(i % 3001 - 1500);
                string f = tmp.File("big.nii.gz");
                NiftiWriter.Write(AtlasVolume.FromArray(g, v, NiftiDataType.Int16), f);
                // Sum of |values| computed by nibabel (through Python's gzip) and here.
                long expected = 0; foreach (var x in v) expected += Math.Abs((int)x);
                string o = Spatial.SpatialTestData.Run(Peers.Python, "-c", "import nibabel as nib, numpy as np, sys; print(int(np.abs(np.asarray(nib.load(sys.argv[1]).dataobj, dtype=np.int64)).sum()))", f);
                Assert.Equal(expected.ToString(), o.Trim());
                Assert.Equal(v, (short[])NiftiReader.Read(f).Data);
            }
        }

        private static uint BitwiseCrc(byte[] data)
        {
            uint c = 0xFFFFFFFF;
            foreach (var b in data) { c ^= b; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1; }
            return ~c;
        }
    }
}
