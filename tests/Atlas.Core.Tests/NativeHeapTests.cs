using System;
using System.Runtime.InteropServices;
using Xunit;

namespace Atlas.Core.Tests
{
    public class NativeHeapTests
    {
        [DllImport("libc", EntryPoint = "malloc")] private static extern IntPtr Malloc(UIntPtr size);
        [DllImport("libc", EntryPoint = "free")] private static extern void Free(IntPtr p);

        // glibc's mallinfo2 (2.33+): the second field (hblks) counts blocks held in mappings of their own.
        [StructLayout(LayoutKind.Sequential)]
        private struct MallInfo2 { public UIntPtr Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost; }
        [DllImport("libc", EntryPoint = "mallinfo2")] private static extern MallInfo2 Mallinfo2();

        // Unset, glibc's free of a 4 MiB mapped block raises the mmap threshold to 4 MiB, and the next 400 KiB block
        // comes from the arena; with the threshold kept at 128 KiB it is a mapping of its own (hblks + 1) and goes
        // back to the system when freed (hblks as before).
        [SkippableFact]
        public void LargeBlocksStayMappedAfterALargerOneIsFreed()
        {
            Skip.If(!NativeHeap.IsGlibc, "not Linux with glibc: the setting does not apply");
            try { Mallinfo2(); } catch (EntryPointNotFoundException) { Skip.If(true, "glibc older than 2.33 (no mallinfo2)"); }
            Assert.True(NativeHeap.KeepLargeBlocksMapped());
            Assert.True(NativeHeap.KeepLargeBlocksMapped()); // once per process, same answer
            Free(Malloc((UIntPtr)(4 << 20)));
            ulong before = (ulong)Mallinfo2().Hblks;
            IntPtr p = Malloc((UIntPtr)(400 << 10));
            try { Assert.Equal(before + 1, (ulong)Mallinfo2().Hblks); }
            finally { Free(p); }
            Assert.Equal(before, (ulong)Mallinfo2().Hblks);
        }
    }
}
