using System;
using System.Runtime.InteropServices;
using Xunit;

namespace Atlas.Core.Tests
{
    public class NativeHeapTests
    {
        [DllImport("libc", EntryPoint = "malloc")] private static extern IntPtr Malloc(UIntPtr size);
        [DllImport("libc", EntryPoint = "free")] private static extern void Free(IntPtr p);

        // glibc keeps a chunk's size in the word before the pointer; bit 1 (IS_MMAPPED) marks a chunk that is a
        // mapping of its own, unmapped when freed (malloc/malloc.c, "chunk representations"). Read per block, so
        // other tests' allocations running at the same time do not matter.
        private static bool IsMapped(IntPtr p) => (Marshal.ReadIntPtr(p, -IntPtr.Size).ToInt64() & 2) != 0;

        // Unset, glibc's free of a 30 MiB mapped block raises the mmap threshold to 30 MiB, and the next 24 MiB block
        // is carved from the thread's arena; with the threshold kept at 128 KiB it is a mapping of its own. (malloc
        // takes a free chunk of the arena first when one is large enough, which no arena here holds at 24 MiB; a
        // smaller block may be served that way whatever the threshold, so the sizes are large.)
        [SkippableFact]
        public void LargeBlocksStayMappedAfterALargerOneIsFreed()
        {
            Skip.If(!NativeHeap.IsGlibc, "not Linux with glibc: the setting does not apply");
            Assert.True(NativeHeap.KeepLargeBlocksMapped());
            Assert.True(NativeHeap.KeepLargeBlocksMapped()); // once per process, same answer
            IntPtr big = Malloc((UIntPtr)(30 << 20));
            Assert.True(IsMapped(big));
            Free(big);
            IntPtr p = Malloc((UIntPtr)(24 << 20));
            IntPtr small = Malloc((UIntPtr)(64 << 10));
            try
            {
                Assert.True(IsMapped(p));
                Assert.False(IsMapped(small)); // below the threshold: never a mapping of its own
            }
            finally { Free(p); Free(small); }
        }
    }
}
