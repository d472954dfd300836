using System;
using System.Runtime.InteropServices;

namespace Atlas.Core
{
    /// <summary>
    /// The native heap under zlib, on Linux with glibc. Every gzip file read or written makes a zlib stream whose
    /// buffers (about 330 KiB for a deflate stream) are malloc'ed and freed again. glibc serves blocks of 128 KiB
    /// and more as mappings of their own at first, but each time it frees one it raises that threshold to the
    /// block's size (and the trim threshold to twice that), after which such blocks are carved from the calling
    /// thread's arena and stay there when freed. A pipeline's work runs on a dozen threads, each with its arena:
    /// about 10 MB of a 190 MB process held that way in the pipeline benchmark of issue 15.
    /// <see cref="KeepLargeBlocksMapped"/> sets glibc's M_MMAP_THRESHOLD to its documented default, 128 KiB, which
    /// also stops the adjustment: a large block the arena cannot serve from memory it already holds gets a mapping
    /// of its own and goes back to the system when freed, and the arenas no longer grow for such blocks, at the cost of a mapping per block
    /// (a few microseconds against the milliseconds a file takes). Elsewhere (Windows, macOS, musl, whose mallopt
    /// ignores the setting) nothing is changed.
    /// </summary>
    public static class NativeHeap
    {
        private const int M_MMAP_THRESHOLD = -3;         // glibc's malloc.h
        private const int DefaultMmapThreshold = 128 * 1024; // glibc's DEFAULT_MMAP_THRESHOLD_MIN, its initial value

        [DllImport("libc", EntryPoint = "mallopt")]
        private static extern int Mallopt(int parameter, int value);

        [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
        private static extern IntPtr GlibcVersion();

        private static readonly object s_gate = new object();
        private static bool? s_applied;

        /// <summary>True on Linux with glibc (the allocator this tunes).</summary>
        public static bool IsGlibc
        {
            get
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
                try { return GlibcVersion() != IntPtr.Zero; }
                catch (Exception ex) when (ex is EntryPointNotFoundException || ex is DllNotFoundException) { return false; }
            }
        }

        /// <summary>
        /// Fixes glibc's mmap threshold at 128 KiB (once per process; later calls return the first answer).
        /// True when it was set; false where the allocator is not glibc's.
        /// </summary>
        public static bool KeepLargeBlocksMapped()
        {
            lock (s_gate)
            {
                if (s_applied == null)
                {
                    bool ok = false;
                    try { ok = IsGlibc && Mallopt(M_MMAP_THRESHOLD, DefaultMmapThreshold) == 1; }
                    catch (Exception ex) when (ex is EntryPointNotFoundException || ex is DllNotFoundException) { }
                    s_applied = ok;
                }
                return s_applied.Value;
            }
        }
    }
}
