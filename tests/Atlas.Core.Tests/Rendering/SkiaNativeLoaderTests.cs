using System.IO;
using System.Runtime.InteropServices;
using Atlas.Core.Rendering;
using Xunit;

namespace Atlas.Core.Tests.Rendering
{
    public class SkiaNativeLoaderTests
    {
        [Fact]
        public void FindsThePlatformLibraryUnderRuntimesUnlessACopyIsBesideTheDll()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
            using (var tmp = new TempDir())
            {
                Assert.Null(SkiaNativeLoader.FindNative(tmp.Path));
                string native = Path.Combine(tmp.Path, "runtimes", "linux-x64", "native");
                Directory.CreateDirectory(native);
                File.WriteAllText(Path.Combine(tmp.Path, "runtimes", "win-x64.txt"), "");
                File.WriteAllText(Path.Combine(native, "libSkiaSharp.so"), "");
                Assert.Equal(Path.Combine(native, "libSkiaSharp.so"), SkiaNativeLoader.FindNative(tmp.Path));
                File.WriteAllText(Path.Combine(tmp.Path, "libSkiaSharp.so"), "");
                Assert.Null(SkiaNativeLoader.FindNative(tmp.Path)); // .NET finds the copy beside the dll itself
            }
        }
    }
}
