using System;
using System.Buffers.Binary;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// Moves voxel bytes between streams and typed arrays without an intermediate copy where the
    /// runtime allows it. Atlas.Core targets netstandard2.0, whose Stream has no Span overloads; on
    /// .NET Core (PowerShell 7) the runtime's Stream.Read(Span)/Write(ReadOnlySpan) exist, and
    /// GZipStream inflates straight into the span. They are bound once by reflection; on .NET
    /// Framework (Windows PowerShell) the byte[] chunk path is used.
    /// </summary>
    internal static class StreamIO
    {
        private const int Chunk = 1 << 18;
        // A read asks for at most this much at once, so a huge array never needs an int-sized span.
        private const int MaxSpan = 1 << 30;

        private delegate int SpanRead(Stream s, Span<byte> buffer);
        private delegate void SpanWrite(Stream s, ReadOnlySpan<byte> buffer);

        private static readonly SpanRead s_read = Bind<SpanRead>("Read", typeof(Span<byte>));
        private static readonly SpanWrite s_write = Bind<SpanWrite>("Write", typeof(ReadOnlySpan<byte>));

        private static T Bind<T>(string name, Type arg) where T : class
        {
            try
            {
                var mi = typeof(Stream).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, null, new[] { arg }, null);
                return mi == null ? null : Delegate.CreateDelegate(typeof(T), mi, false) as T;
            }
            catch (ArgumentException) { return null; }
            catch (MemberAccessException) { return null; }
        }

        /// <summary>True when reads and writes go straight between the stream and the array.</summary>
        public static bool Direct => s_read != null && s_write != null;

        public static int ReadUpTo(Stream s, byte[] buf, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = s.Read(buf, offset + total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        /// <summary>
        /// Reads exactly <paramref name="count"/> bytes at file offset <paramref name="at"/> into memory at
        /// <paramref name="p"/>; false if the stream ends first. Only where <see cref="Direct"/>.
        /// </summary>
        public static unsafe bool ReadAt(Stream s, long at, byte* p, int count)
        {
            s.Position = at;
            int done = 0;
            while (done < count)
            {
                int n = s_read(s, new Span<byte>(p + done, count - done));
                if (n <= 0) return false;
                done += n;
            }
            return true;
        }

        /// <summary>Fills the first <paramref name="bytes"/> bytes of a typed array from the stream; returns the bytes read (fewer at end of stream).</summary>
        public static long ReadInto(Stream s, Array dst, long bytes) => ReadInto(s, dst, 0, bytes);

        /// <summary>Fills <paramref name="bytes"/> bytes of a typed array from byte <paramref name="dstOffset"/> on; returns the bytes read.</summary>
        public static unsafe long ReadInto(Stream s, Array dst, long dstOffset, long bytes)
        {
            if (bytes == 0) return 0;
            var handle = GCHandle.Alloc(dst, GCHandleType.Pinned);
            try
            {
                byte* p = (byte*)handle.AddrOfPinnedObject() + dstOffset;
                long done = 0;
                if (s_read != null)
                {
                    while (done < bytes)
                    {
                        int want = (int)Math.Min(MaxSpan, bytes - done);
                        int n = s_read(s, new Span<byte>(p + done, want));
                        if (n <= 0) break;
                        done += n;
                    }
                    return done;
                }
                var buf = new byte[(int)Math.Min(Chunk, bytes)];
                while (done < bytes)
                {
                    int want = (int)Math.Min(buf.Length, bytes - done);
                    int n = s.Read(buf, 0, want);
                    if (n <= 0) break;
                    Marshal.Copy(buf, 0, new IntPtr(p + done), n);
                    done += n;
                }
                return done;
            }
            finally { handle.Free(); }
        }

        private const long HugePageMin = 4L << 20;
        private const long HugePage = 2L << 20;
        private const int MADV_HUGEPAGE = 14;

        [DllImport("libc", EntryPoint = "madvise")]
        private static extern int madvise(IntPtr addr, UIntPtr length, int advice);

        /// <summary>
        /// A freshly allocated large array is not yet backed by memory, and in a VM the first write
        /// to each 4 KiB page costs over a microsecond: for a 7 MB mask that is several times the
        /// inflation itself. On Linux with transparent huge pages in "madvise" mode, asking for huge
        /// pages on the array's 2 MiB-aligned interior turns 512 faults into one. Advice only: where
        /// it is unsupported, or the pages are already there, nothing changes.
        /// </summary>
        public static unsafe void AdviseHugePages(Array fresh)
        {
            long bytes = Buffer.ByteLength(fresh);
            if (bytes < HugePageMin || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8) return;
            var handle = GCHandle.Alloc(fresh, GCHandleType.Pinned);
            try { AdviseHugePages((byte*)handle.AddrOfPinnedObject(), bytes); }
            finally { handle.Free(); }
        }

        private static unsafe void AdviseHugePages(byte* p, long bytes)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8) return;
            long start = ((long)p + HugePage - 1) & ~(HugePage - 1);
            long end = ((long)p + bytes) & ~(HugePage - 1);
            if (end <= start) return;
            try { madvise(new IntPtr(start), new UIntPtr((ulong)(end - start)), MADV_HUGEPAGE); }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }

        /// <summary>Writes a typed array's bytes, swapping each element's byte order when asked.</summary>
        public static unsafe void WriteFrom(Stream s, Array data, int elementSize, bool swap)
        {
            long bytes = Buffer.ByteLength(data);
            if (bytes == 0) return;
            var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            try { WriteFrom(s, (byte*)handle.AddrOfPinnedObject(), bytes, elementSize, swap); }
            finally { handle.Free(); }
        }

        /// <summary>
        /// Writes <paramref name="bytes"/> bytes from pinned memory, swapping each element's byte order
        /// when asked (the range starts on an element boundary).
        /// </summary>
        public static unsafe void WriteFrom(Stream s, byte* p, long bytes, int elementSize, bool swap)
        {
            swap = swap && elementSize > 1;
            long done = 0;
            if (!swap && s_write != null)
            {
                while (done < bytes)
                {
                    int n = (int)Math.Min(MaxSpan, bytes - done);
                    s_write(s, new ReadOnlySpan<byte>(p + done, n));
                    done += n;
                }
                return;
            }
            var buf = new byte[(int)Math.Min(Chunk, bytes)];
            while (done < bytes)
            {
                int n = (int)Math.Min(buf.Length, bytes - done);
                Marshal.Copy(new IntPtr(p + done), buf, 0, n);
                if (swap) SwapBytes(buf, n, elementSize);
                s.Write(buf, 0, n);
                done += n;
            }
        }

        private static void SwapBytes(byte[] buf, int n, int elementSize)
        {
            for (int i = 0; i + elementSize <= n; i += elementSize)
                for (int a = i, b = i + elementSize - 1; a < b; a++, b--) { byte t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
        }

        /// <summary>Reverses the byte order of every element (2, 4, 8 or 16 bytes), in parallel blocks.</summary>
        public static unsafe void SwapInPlace(Array data, int elementSize)
        {
            if (elementSize <= 1) return;
            var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                byte* basePtr = (byte*)handle.AddrOfPinnedObject();
                long n = (long)Buffer.ByteLength(data) / elementSize;
                const long block = 1 << 16;
                long blocks = (n + block - 1) / block;
                IntPtr bp = new IntPtr(basePtr);
                Parallel.For(0L, blocks, bi =>
                {
                    byte* p = (byte*)bp;
                    long b = bi * block, e = Math.Min(n, b + block);
                    switch (elementSize)
                    {
                        case 2: { ushort* q = (ushort*)p; for (long i = b; i < e; i++) q[i] = BinaryPrimitives.ReverseEndianness(q[i]); break; }
                        case 4: { uint* q = (uint*)p; for (long i = b; i < e; i++) q[i] = BinaryPrimitives.ReverseEndianness(q[i]); break; }
                        case 8: { ulong* q = (ulong*)p; for (long i = b; i < e; i++) q[i] = BinaryPrimitives.ReverseEndianness(q[i]); break; }
                        default:
                            for (long i = b; i < e; i++)
                            {
                                byte* x = p + i * elementSize;
                                for (int u = 0, v = elementSize - 1; u < v; u++, v--) { byte t = x[u]; x[u] = x[v]; x[v] = t; }
                            }
                            break;
                    }
                });
            }
            finally { handle.Free(); }
        }
    }
}
