using System;
using System.IO;
using Atlas.Core.Nifti;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>AtomicFile: a failed write names the target, never the temporary file; long names still work.</summary>
    public class AtomicFileTests : IDisposable
    {
        private readonly TempDir _tmp = new TempDir();
        public void Dispose() => _tmp.Dispose();

        [Fact]
        public void A_failed_write_names_the_target_not_the_temporary_file()
        {
            // A name no file system takes: the temporary file (which carries the name) fails first.
            string target = _tmp.File(new string('a', 300) + ".png");
            var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(target, new byte[] { 1, 2, 3 }));
            Assert.Contains(target, ex.Message);
            Assert.DoesNotContain(".tmp", ex.Message);
            Assert.Equal(target, AtomicFile.TargetOf(ex));
            Assert.Empty(Directory.GetFiles(_tmp.Path));
        }

        [Fact]
        public void A_failed_rename_names_the_target()
        {
            string target = _tmp.File("taken.nii");
            Directory.CreateDirectory(target); // a folder where the file should go
            var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(target, new byte[] { 1 }));
            Assert.DoesNotContain(".tmp", ex.Message);
            Assert.Equal(target, AtomicFile.TargetOf(ex));
            Assert.Empty(Directory.GetFiles(_tmp.Path));
        }

        [Fact]
        public void A_long_name_the_file_system_takes_is_written_although_its_temporary_name_would_be_too_long()
        {
            string target = _tmp.File(new string('b', 245) + ".nii");
            Assert.True(Path.GetFileName(AtomicFile.TempPathFor(target)).Length <= 255);
            AtomicFile.WriteAllBytes(target, new byte[] { 4, 5 });
            Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(target));
            Assert.Single(Directory.GetFiles(_tmp.Path));
        }
    }
}
