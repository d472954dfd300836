using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>NiftiFiles.CheckIntegrity on whole and damaged files of every kind.</summary>
    public class NiftiIntegrityTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        // 16 x 16 x 12 float32 with varied values, so the gzip stream is long enough to cut.
        private string WriteImage(string name)
        {
            var g = Grid.Create(16, 16, 12, 1, 1, 1);
            var data = new float[g.VoxelCount];
            var rng = new Random(7);
            for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble() * 1000;
            string p = _tmp.File(name);
            NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), p);
            return p;
        }

        private static void Truncate(string path, long keep)
        {
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write)) fs.SetLength(keep);
        }

        [Theory]
        [InlineData("t1.nii.gz")]
        [InlineData("t1.nii")]
        [InlineData("t1.hdr")]
        [InlineData("mask.voi")]
        public void A_whole_file_passes(string name)
        {
            NiftiFiles.CheckIntegrity(WriteImage(name));
        }

        [Fact]
        public void A_truncated_nii_gz_fails_naming_the_file()
        {
            string p = WriteImage("cut.nii.gz");
            Truncate(p, new FileInfo(p).Length * 2 / 3);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiFiles.CheckIntegrity(p));
            Assert.Equal(p, ex.FilePath);
            Assert.Equal(NiftiErrorKind.Truncated, ex.Kind);
        }

        [Fact]
        public void A_nii_gz_cut_inside_the_header_fails()
        {
            string p = WriteImage("cut-early.nii.gz");
            Truncate(p, 40);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiFiles.CheckIntegrity(p));
            Assert.Equal(p, ex.FilePath);
        }

        [Fact]
        public void A_truncated_plain_nii_fails_with_the_sizes()
        {
            string p = WriteImage("cut.nii");
            long full = new FileInfo(p).Length;
            Truncate(p, full - 100);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiFiles.CheckIntegrity(p));
            Assert.Equal(p, ex.FilePath);
            Assert.Equal(NiftiErrorKind.Truncated, ex.Kind);
            Assert.Contains(full.ToString(), ex.Message);
            Assert.Contains((full - 100).ToString(), ex.Message);
        }

        [Fact]
        public void A_truncated_img_of_a_pair_fails_naming_the_img()
        {
            string hdr = WriteImage("pair.hdr");
            string img = Path.ChangeExtension(hdr, ".img");
            Truncate(img, new FileInfo(img).Length - 4);
            var ex = Assert.Throws<NiftiFormatException>(() => NiftiFiles.CheckIntegrity(hdr));
            Assert.Equal(img, ex.FilePath);
        }

        [Fact]
        public void A_multi_member_gzip_passes_although_its_last_ISIZE_is_one_member()
        {
            // bgzip-style: the same bytes as two gzip members one after the other.
            string whole = WriteImage("one.nii.gz");
            var raw = RawFiles.Gunzip(File.ReadAllBytes(whole));
            int half = raw.Length / 2;
            var a = RawFiles.Gzip(raw.AsSpan(0, half).ToArray());
            var b = RawFiles.Gzip(raw.AsSpan(half).ToArray());
            string p = _tmp.File("two.nii.gz");
            File.WriteAllBytes(p, RawFiles.Concat(a, b));
            NiftiFiles.CheckIntegrity(p);
        }
    }
}
