using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Nifti
{
    /// <summary>Makes the bytes from <paramref name="firstByte"/> on of data written piece by piece, filling <paramref name="destination"/>.</summary>
    public delegate void ByteFill(long firstByte, Span<byte> destination);

    /// <summary>
    /// gzip written and read as several members on all cores. RFC 1952 lets a gzip file be a series
    /// of members, each a complete gzip stream; gzip, zlib's gzread, Python's gzip (nibabel) and
    /// nifti_clib read them as one stream, as they read the output of <c>cat a.gz b.gz</c>. Each
    /// member compresses its own range of the file, so the members are compressed, and inflated,
    /// independently on different cores (the idea of pigz --independent and of BGZF, whose 'BC' field
    /// gives each block's size).
    ///
    /// Member boundaries are found from the members themselves: every member written here carries in
    /// its gzip header an extra field (FEXTRA, RFC 1952 section 2.3.1.1) with subfield id 'A','P' and
    /// 8 bytes: the member's compressed length (whole member, header and trailer included) and its
    /// inflated length, both little-endian uint32. Readers that do not know the subfield skip it, as
    /// RFC 1952 requires. A reader walks the chain of headers from byte 0 (one small read per member);
    /// a file whose members do not all carry the subfield, or whose chain does not end exactly at the end
    /// of the file, is read serially, the way any gzip is. No index is kept in the NIfTI header, so
    /// the image's header and extensions are the same as in a one-member file.
    /// </summary>
    internal static class GzipMembers
    {
        /// <summary>
        /// Inflated bytes per member. Small enough that two to sixteen cores share a 256³ volume
        /// evenly, large enough that the restart of the 32 KiB deflate window and the 42 bytes of
        /// header and trailer per member cost well under 1 % of the size. Fixed, so a file's bytes do
        /// not depend on the machine that wrote it.
        /// </summary>
        public const int DefaultMemberBytes = 1 << 20;

        private const byte SubfieldId1 = (byte)'A', SubfieldId2 = (byte)'P';
        private const int FieldLength = 8;
        private const int ExtraLength = 4 + FieldLength;           // SI1 SI2 LEN(2) + data
        private const int HeaderLength = 10 + 2 + ExtraLength;     // fixed header, XLEN, extra field
        private const int PlainHeaderLength = 10;                  // what zlib's deflate writes, FLG = 0
        private const byte FlagExtra = 0x04;

        /// <summary>One member: where it lies in the file and which inflated bytes it holds.</summary>
        public struct Member
        {
            public long Offset;       // first byte of the member in the file
            public int Length;        // compressed length, header and trailer included
            public long RawOffset;    // first inflated byte it holds
            public int RawLength;     // inflated bytes it holds
        }

        // ------------------------------------------------------------------ writing

        /// <summary>
        /// Writes <paramref name="head"/> (may be null) as one member, then the bytes of the pinned
        /// <paramref name="data"/> in members of <paramref name="memberBytes"/> inflated bytes, compressed
        /// on all cores and written in order. At most about two members per core wait in memory.
        /// </summary>
        public static unsafe void Write(Stream output, byte[] head, Array data, int elementSize, bool swap, CompressionLevel level, int memberBytes = DefaultMemberBytes)
        {
            if (memberBytes <= 0 || memberBytes % 16 != 0) throw new ArgumentOutOfRangeException(nameof(memberBytes), "a positive multiple of 16");
            long dataBytes = data == null ? 0 : Buffer.ByteLength(data);
            var handle = data == null ? default(GCHandle) : GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                byte* p = data == null ? null : (byte*)handle.AddrOfPinnedObject();
                WriteMembers(output, head, p, dataBytes, elementSize, swap, level, memberBytes);
            }
            finally { if (handle.IsAllocated) handle.Free(); }
        }

        /// <summary>
        /// As <see cref="Write(Stream, byte[], Array, int, bool, CompressionLevel, int)"/> for bytes that are never
        /// held whole: each member's <paramref name="dataBytes"/> range is made by <paramref name="fill"/> (first byte,
        /// destination) into a pooled buffer of one member, on the core that compresses it.
        /// </summary>
        public static unsafe void Write(Stream output, byte[] head, long dataBytes, ByteFill fill, CompressionLevel level, int memberBytes = DefaultMemberBytes)
        {
            if (memberBytes <= 0 || memberBytes % 16 != 0) throw new ArgumentOutOfRangeException(nameof(memberBytes), "a positive multiple of 16");
            if (fill == null) throw new ArgumentNullException(nameof(fill));
            WriteMembers(output, head, null, dataBytes, 1, false, level, memberBytes, fill);
        }

        private static unsafe void WriteMembers(Stream output, byte[] head, byte* data, long dataBytes, int elementSize, bool swap, CompressionLevel level, int memberBytes, ByteFill fill = null)
        {
            int headCount = head != null && head.Length > 0 ? 1 : 0;
            long dataCount = (dataBytes + memberBytes - 1) / memberBytes;
            long count = headCount + dataCount;
            if (count == 0)
            {
                var empty = Compress(new byte[0], null, 0, 1, false, level);
                output.Write(empty.Buffer, 0, empty.Length);
                empty.Release();
                return;
            }
            IntPtr basePtr = new IntPtr(data);

            // Workers take members in order from a shared counter; whoever finishes a member writes
            // out the ready run of members that follow the last one written, so the file grows in
            // order while every core compresses.
            var done = new Packed[count];
            var writeback = EarlyWriteback.For(output);
            long next = -1, written = 0;
            var gate = new object();
            ExceptionDispatchInfo failure = null;
            Action work = () =>
            {
                try
                {
                    while (Volatile.Read(ref failure) == null)
                    {
                        long i = Interlocked.Increment(ref next);
                        if (i >= count) return;
                        Packed member;
                        if (i < headCount && head.Length <= StoredHeadMax) fixed (byte* h = head) member = Store(h, head.Length);
                        else if (i < headCount) member = Compress(head, null, 0, 0, false, level);
                        else
                        {
                            long d = i - headCount, start = d * memberBytes;
                            int len = (int)Math.Min(memberBytes, dataBytes - start);
                            if (fill == null) member = Compress(null, (byte*)basePtr + start, len, elementSize, swap, level);
                            else
                            {
                                var piece = ArrayPool<byte>.Shared.Rent(len);
                                try
                                {
                                    fill(start, new Span<byte>(piece, 0, len));
                                    fixed (byte* b = piece) member = Compress(null, b, len, 1, false, level);
                                }
                                finally { ArrayPool<byte>.Shared.Return(piece); }
                            }
                        }
                        lock (gate)
                        {
                            done[i] = member;
                            while (written < count && done[written].Buffer != null)
                            {
                                output.Write(done[written].Buffer, 0, done[written].Length);
                                writeback?.Wrote(done[written].Length);
                                done[written].Release();
                                done[written] = default(Packed);
                                written++;
                            }
                        }
                    }
                }
                catch (Exception ex) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null); }
            };
            int workers = (int)Math.Min(Environment.ProcessorCount, count);
            RunWorkers(work, workers);
            foreach (var d in done) d.Release(); // members left unwritten after a failure
            failure?.Throw();
        }

        /// <summary>Runs <paramref name="workers"/> copies of a loop, one on this thread.</summary>
        private static void RunWorkers(Action work, int workers)
        {
            var tasks = new Task[Math.Max(0, workers - 1)];
            for (int t = 0; t < tasks.Length; t++) tasks[t] = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
            work();
            Task.WaitAll(tasks);
        }

        /// <summary>A member's bytes: the first <see cref="Length"/> bytes of an array rented from the shared pool.</summary>
        private struct Packed
        {
            public byte[] Buffer;
            public int Length;
            public void Release() { if (Buffer != null) ArrayPool<byte>.Shared.Return(Buffer); }
        }

        /// <summary>
        /// One gzip member of the given bytes, its header carrying the 'AP' field: a copy of the known member of
        /// zeros (<see cref="ZeroMember"/>), stored blocks where a probe shows deflate would not shrink the bytes
        /// (<see cref="Store"/>), else deflated (<see cref="Deflated"/>).
        /// </summary>
        private static unsafe Packed Compress(byte[] bytes, byte* p, int length, int elementSize, bool swap, CompressionLevel level)
        {
            int raw = bytes != null ? bytes.Length : length;
            if (bytes == null && level != CompressionLevel.NoCompression && length >= ZeroMemberMin && VoxelConvert.AllZero(new ReadOnlySpan<byte>(p, length)))
                return Copy(ZeroMember(length, level));
            if (bytes == null && !swap && level != CompressionLevel.NoCompression && LooksIncompressible(p, length, level))
                return Store(p, length);
            return Deflated(bytes, p, length, elementSize, swap, level);
        }

        private static Packed Copy(byte[] member)
        {
            var m = ArrayPool<byte>.Shared.Rent(member.Length);
            Buffer.BlockCopy(member, 0, m, 0, member.Length);
            return new Packed { Buffer = m, Length = member.Length };
        }

        // ------------------------------------------------------------------ members of zeros

        /// <summary>Smallest member of zeros worth recognising (smaller ones are deflated and inflated as any other).</summary>
        private const int ZeroMemberMin = 4096;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int, CompressionLevel), byte[]> s_zeroMembers =
            new System.Collections.Concurrent.ConcurrentDictionary<(int, CompressionLevel), byte[]>();

        /// <summary>
        /// The member holding <paramref name="rawLength"/> zeros deflated at <paramref name="level"/>: the same bytes
        /// every time, made once per process. A mask's slices away from its lesion and a head's background are such
        /// members; the writer copies this one instead of deflating a megabyte of zeros again, and the reader, finding
        /// a member byte for byte equal to it, clears the voxels instead of inflating it. Equal bytes are the same
        /// member, CRC-32 and all, so nothing goes unchecked; a member that differs in one byte is inflated as usual.
        /// </summary>
        private static unsafe byte[] ZeroMember(int rawLength, CompressionLevel level) =>
            s_zeroMembers.GetOrAdd((rawLength, level), key =>
            {
                var zeros = new byte[key.Item1];
                fixed (byte* z = zeros)
                {
                    var packed = Deflated(null, z, key.Item1, 1, false, key.Item2);
                    try
                    {
                        var m = new byte[packed.Length];
                        Buffer.BlockCopy(packed.Buffer, 0, m, 0, packed.Length);
                        return m;
                    }
                    finally { packed.Release(); }
                }
            });

        private static long s_zeroReads;

        /// <summary>Members read as zeros, not inflated, in this process (for tests).</summary>
        internal static long ZeroMembersRead => Interlocked.Read(ref s_zeroReads);

        /// <summary>
        /// True when the member's bytes (<paramref name="bytes"/>, read from the file) are, byte for byte, the member
        /// of zeros of its length at the default level, or at a level this process has written: its voxels are then
        /// zeros. Asked only of members small for their length (zeros deflate to about 1/1000 of their size).
        /// </summary>
        private static bool IsZeroMember(Member mb, byte[] bytes)
        {
            byte[] zero = ZeroMember(mb.RawLength, CompressionLevel.Fastest);
            if (zero.Length != mb.Length)
            {
                zero = null;
                foreach (var kv in s_zeroMembers)
                    if (kv.Key.Item1 == mb.RawLength && kv.Value.Length == mb.Length) { zero = kv.Value; break; }
                if (zero == null) return false;
            }
            return new ReadOnlySpan<byte>(bytes, 0, mb.Length).SequenceEqual(zero);
        }

        /// <summary>
        /// The bytes deflated by the runtime's zlib. zlib writes a fixed 10-byte header with no flags; it is
        /// written 14 bytes into the buffer, and the 24-byte header with FEXTRA set is then written over it, so
        /// the deflate data, CRC-32 and ISIZE are not copied. Where deflate makes the bytes larger (zlib-ng's
        /// level 1 codes with fixed Huffman tables, which expand noise-like data by ~5 %), the member is written
        /// again as stored blocks, as zlib's deflate itself does block by block: 5 bytes per 16 KiB block above
        /// the raw size.
        /// </summary>
        private static unsafe Packed Deflated(byte[] bytes, byte* p, int length, int elementSize, bool swap, CompressionLevel level)
        {
            int raw = bytes != null ? bytes.Length : length;
            long stored = raw + 5L * (raw / 16384 + 1) + 8; // zlib stores in blocks of up to 16 KiB, 5 bytes each
            // Start small and grow: a mask's 1 MiB member deflates to a few KiB, and pooled buffers sized for
            // the worst case (2 MiB each) were 32 MB of a pipeline's memory.
            var ms = new PooledBuffer(HeaderLength - PlainHeaderLength, Math.Min(raw + raw / 16 + 4096, 1 << 16));
            try
            {
                Deflate(ms, bytes, p, length, elementSize, swap, level);
                if (ms.Length - HeaderLength - 8 > stored && level != CompressionLevel.NoCompression)
                {
                    ms.Reset();
                    Deflate(ms, bytes, p, length, elementSize, swap, CompressionLevel.NoCompression);
                }
                byte[] m = ms.Buffer;
                int at = HeaderLength - PlainHeaderLength;
                if (ms.Length < HeaderLength + 8 || m[at] != 0x1f || m[at + 1] != 0x8b || m[at + 3] != 0)
                    throw new InvalidOperationException("unexpected gzip header from the runtime's compressor");
                Buffer.BlockCopy(m, at, m, 0, PlainHeaderLength);
                WriteExtraField(m, (int)ms.Length, raw);
                var packed = new Packed { Buffer = m, Length = (int)ms.Length };
                ms = null;
                return packed;
            }
            finally { ms?.Release(); }
        }

        /// <summary>Bytes deflated from each of <see cref="ProbePieces"/> places in a member to judge it.</summary>
        private const int ProbeBytes = 8192, ProbePieces = 4;

        /// <summary>
        /// Whether deflate would make this member larger: four 8 KiB pieces spread over it (3 % of a 1 MiB
        /// member) are deflated at the member's level, and if together they come out no smaller than they
        /// went in, the member is stored without deflating the rest. A float T1 with noise in every
        /// mantissa is like this: zlib-ng's level 1 spends most of a serial write making it ~5 % larger.
        /// Where any piece is compressible (background, a mask, a smooth image) the whole member is
        /// deflated, and still stored if it then comes out larger; a piece of zeros (a mask's or a head's
        /// background) decides that without deflating anything.
        /// </summary>
        private static unsafe bool LooksIncompressible(byte* p, int length, CompressionLevel level)
        {
            if (length < 4 * ProbeBytes * ProbePieces) return false;
            for (int k = 0; k < ProbePieces; k++)
                if (VoxelConvert.AllZero(new ReadOnlySpan<byte>(p + (long)(length - ProbeBytes) * k / (ProbePieces - 1), ProbeBytes))) return false; // a mask's background: deflate it
            var sink = new PooledBuffer(0, ProbeBytes * ProbePieces + 4096);
            try
            {
                using (var z = new DeflateStream(sink, level, true))
                    for (int k = 0; k < ProbePieces; k++)
                        StreamIO.WriteFrom(z, p + (long)(length - ProbeBytes) * k / (ProbePieces - 1), ProbeBytes, 1, false);
                return sink.Length >= ProbeBytes * ProbePieces;
            }
            finally { sink.Release(); }
        }

        /// <summary>
        /// The header member (the NIfTI header and any extensions) is stored when it is this small: deflating a few
        /// hundred bytes takes a deflate stream of its own (a 330 KiB state allocated and cleared, most of a small
        /// mask's write) to save about 270 bytes.
        /// </summary>
        private const int StoredHeadMax = 1024;

        /// <summary>Largest stored block deflate allows (RFC 1951 section 3.2.4: LEN is 16 bits).</summary>
        private const int MaxStoredBlock = 65535;

        /// <summary>
        /// One member of stored blocks (RFC 1951 BTYPE 00) of up to 65,535 bytes, written here rather
        /// than by zlib so that a reader finds the voxels in few, large runs (<see cref="TryReadStored"/>);
        /// 5 bytes per block and the 32 bytes of header and trailer above the raw size.
        /// </summary>
        private static unsafe Packed Store(byte* p, int length)
        {
            int blocks = Math.Max(1, (length + MaxStoredBlock - 1) / MaxStoredBlock);
            int total = HeaderLength + length + 5 * blocks + 8;
            byte[] m = ArrayPool<byte>.Shared.Rent(total);
            m[0] = 0x1f; m[1] = 0x8b; m[2] = 8;
            m[4] = m[5] = m[6] = m[7] = 0; // no modification time, as zlib's deflate writes it
            m[8] = 0; m[9] = 255;          // no extra flags, OS unknown
            WriteExtraField(m, total, length);
            int at = HeaderLength, done = 0;
            fixed (byte* q = m)
            {
                for (int b = 0; b < blocks; b++)
                {
                    int n = Math.Min(MaxStoredBlock, length - done);
                    m[at] = (byte)(b == blocks - 1 ? 1 : 0);
                    m[at + 1] = (byte)n; m[at + 2] = (byte)(n >> 8);
                    m[at + 3] = (byte)~n; m[at + 4] = (byte)(~n >> 8);
                    Buffer.MemoryCopy(p + done, q + at + 5, n, n);
                    at += 5 + n; done += n;
                }
            }
            WriteUInt32(m, at, Crc32.Append(0, p, length));
            WriteUInt32(m, at + 4, (uint)length);
            return new Packed { Buffer = m, Length = total };
        }

        private static unsafe void Deflate(Stream s, byte[] bytes, byte* p, int length, int elementSize, bool swap, CompressionLevel level)
        {
            using (var z = new GZipStream(s, level, true))
            {
                if (bytes != null) z.Write(bytes, 0, bytes.Length);
                else StreamIO.WriteFrom(z, p, length, elementSize, swap);
            }
        }

        /// <summary>
        /// A write-only stream into an array rented from the shared pool, from a fixed start offset; it
        /// grows by renting a larger one. Fresh large arrays per member (zeroed, page-faulted) cost as
        /// much as a tenth of the compression.
        /// </summary>
        private sealed class PooledBuffer : Stream
        {
            private readonly int _start;
            private int _end;
            public byte[] Buffer { get; private set; }

            public PooledBuffer(int start, int capacity)
            {
                _start = _end = start;
                Buffer = ArrayPool<byte>.Shared.Rent(start + capacity);
            }

            public void Reset() => _end = _start;
            public void Release() { if (Buffer != null) ArrayPool<byte>.Shared.Return(Buffer); Buffer = null; }

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (_end + count > Buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, _end + count));
                    System.Buffer.BlockCopy(Buffer, 0, bigger, 0, _end);
                    ArrayPool<byte>.Shared.Return(Buffer);
                    Buffer = bigger;
                }
                System.Buffer.BlockCopy(buffer, offset, Buffer, _end, count);
                _end += count;
            }

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => _end;
            public override long Position { get => _end; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }

        /// <summary>Sets FEXTRA in a member's fixed header and writes the 'AP' field after it: the member's length and its inflated length.</summary>
        private static void WriteExtraField(byte[] m, int memberLength, int rawLength)
        {
            m[3] = FlagExtra;
            m[10] = (byte)ExtraLength; m[11] = 0;
            m[12] = SubfieldId1; m[13] = SubfieldId2;
            m[14] = FieldLength; m[15] = 0;
            WriteUInt32(m, 16, (uint)memberLength);
            WriteUInt32(m, 20, (uint)rawLength);
        }

        private static void WriteUInt32(byte[] b, int at, uint v)
        {
            b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); b[at + 2] = (byte)(v >> 16); b[at + 3] = (byte)(v >> 24);
        }

        // ------------------------------------------------------------------ reading

        /// <summary>
        /// The members of a gzip file written by <see cref="Write"/>, found by walking their headers from
        /// byte 0; null when the file is not such a chain (a one-member file from another tool, a member
        /// without the field, a length that runs past the end of the file, bytes after the last member).
        /// The stream's position is kept.
        /// </summary>
        public static Member[] TryIndex(FileStream fs)
        {
            long fileLength = fs.Length, saved = fs.Position;
            var list = new List<Member>();
            var h = new byte[HeaderLength];
            long offset = 0, raw = 0;
            try
            {
                while (offset < fileLength)
                {
                    fs.Position = offset;
                    if (StreamIO.ReadUpTo(fs, h, 0, HeaderLength) < HeaderLength) return null;
                    if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || h[3] != FlagExtra
                        || h[10] != ExtraLength || h[11] != 0 || h[12] != SubfieldId1 || h[13] != SubfieldId2 || h[14] != FieldLength || h[15] != 0)
                        return null;
                    uint length = ReadUInt32(h, 16), rawLength = ReadUInt32(h, 20);
                    if (length < HeaderLength + 8 || length > int.MaxValue || rawLength > int.MaxValue || offset + length > fileLength) return null;
                    list.Add(new Member { Offset = offset, Length = (int)length, RawOffset = raw, RawLength = (int)rawLength });
                    offset += length;
                    raw += rawLength;
                }
                return list.Count > 0 ? list.ToArray() : null;
            }
            finally { fs.Position = saved; }
        }

        /// <summary>The inflated length of the whole chain.</summary>
        public static long RawLength(Member[] members)
        {
            var last = members[members.Length - 1];
            return last.RawOffset + last.RawLength;
        }

        private static uint ReadUInt32(byte[] b, int at) =>
            (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

        /// <summary>
        /// Inflates the inflated bytes [<paramref name="rawStart"/>, + <paramref name="count"/>) of the file
        /// into <paramref name="dst"/> from its first byte, one member per worker, on all cores.
        /// With <paramref name="verifyAll"/>, every member is inflated to its end, so each CRC-32 and
        /// ISIZE is checked (as the serial reader checks the one trailer); otherwise only the members
        /// the range covers, and the edge members only as far as needed. A member that does not inflate
        /// to the length its field gives, or fails its checks, throws <see cref="InvalidDataException"/>
        /// naming the member.
        /// </summary>
        public static unsafe void ReadRange(string path, Member[] members, Array dst, long rawStart, long count, bool verifyAll)
        {
            var pin = GCHandle.Alloc(dst, GCHandleType.Pinned);
            try { ReadRange(path, members, dst, pin.AddrOfPinnedObject(), rawStart, count, verifyAll); }
            finally { pin.Free(); }
        }

        private static unsafe void ReadRange(string path, Member[] members, Array dst, IntPtr pinned, long rawStart, long count, bool verifyAll)
        {
            long rawEnd = rawStart + count;
            var todo = new List<int>(members.Length);
            for (int m = 0; m < members.Length; m++)
            {
                var mb = members[m];
                if (verifyAll || (mb.RawOffset < rawEnd && mb.RawOffset + mb.RawLength > rawStart)) todo.Add(m);
            }
            int next = -1;
            ExceptionDispatchInfo failure = null;
            Action work = () =>
            {
                byte[] buf = null, small = new byte[8];
                try
                {
                    using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
                    {
                        while (Volatile.Read(ref failure) == null)
                        {
                            int t = Interlocked.Increment(ref next);
                            if (t >= todo.Count) return;
                            int m = todo[t];
                            var mb = members[m];
                            bool whole = mb.RawOffset >= rawStart && mb.RawOffset + mb.RawLength <= rawEnd;
                            byte* at = (byte*)pinned + (mb.RawOffset - rawStart);
                            // A member small for its length may be the member of zeros; any other may be stored.
                            bool mayBeZeros = whole && mb.RawLength >= ZeroMemberMin && mb.Length <= mb.RawLength / 64;
                            if (StreamIO.Direct && whole && !mayBeZeros && TryReadStored(fs, mb, at, small))
                                continue;
                            if (buf == null || buf.Length < mb.Length)
                            {
                                if (buf != null) ArrayPool<byte>.Shared.Return(buf);
                                buf = ArrayPool<byte>.Shared.Rent(Math.Max(mb.Length, 1 << 16));
                            }
                            fs.Position = mb.Offset;
                            if (StreamIO.ReadUpTo(fs, buf, 0, mb.Length) < mb.Length)
                                throw new EndOfStreamException("gzip member " + (m + 1) + " of " + members.Length + " ends early");
                            if (mayBeZeros && IsZeroMember(mb, buf))
                            {
                                new Span<byte>(at, mb.RawLength).Clear();
                                Interlocked.Increment(ref s_zeroReads);
                                continue;
                            }
                            InflateMember(members, m, buf, dst, rawStart, rawEnd, verifyAll);
                        }
                    }
                }
                catch (Exception ex) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null); }
                finally { if (buf != null) ArrayPool<byte>.Shared.Return(buf); }
            };
            RunWorkers(work, Math.Min(Environment.ProcessorCount, todo.Count));
            failure?.Throw();
        }

        private static long s_storedReads;

        /// <summary>Members read by <see cref="TryReadStored"/> in this process (for tests: the fast path is taken, not only its fallback).</summary>
        internal static long StoredMembersRead => Interlocked.Read(ref s_storedReads);

        /// <summary>
        /// A member of stored blocks (what <see cref="Store"/> writes) read straight from the file into
        /// its place in the array, one read per block and no inflation, the CRC-32 taken block by block while each is in cache, then checked with ISIZE.
        /// Each block's read also takes the next block's 5-byte header, which lands in the member's own
        /// part of the array and is overwritten by the next read. False as soon as anything is not as a
        /// stored member should be (a deflated block, lengths that disagree, a short read, a bad CRC):
        /// the member is then inflated by zlib, which reads it or names what is wrong with it.
        /// </summary>
        private static unsafe bool TryReadStored(FileStream fs, Member mb, byte* dst, byte[] small)
        {
            long pos = mb.Offset + HeaderLength, memberEnd = mb.Offset + mb.Length;
            fixed (byte* h = small)
            {
                if (!StreamIO.ReadAt(fs, pos, h, 5)) return false;
                int got = 0;
                uint crc = 0;
                while (true)
                {
                    if ((h[0] & 0x06) != 0) return false; // BTYPE is not 00: deflated
                    bool final = (h[0] & 1) != 0;
                    int len = h[1] | h[2] << 8, nlen = h[3] | h[4] << 8;
                    pos += 5;
                    if ((len ^ nlen) != 0xFFFF || len > mb.RawLength - got || pos + len + (final ? 8 : 5) > memberEnd) return false;
                    bool next = !final && got + len + 5 <= mb.RawLength;
                    if (!StreamIO.ReadAt(fs, pos, dst + got, len + (next ? 5 : 0))) return false;
                    crc = Crc32.Append(crc, dst + got, len); // while the block is in cache
                    if (final)
                    {
                        if (pos + len + 8 != memberEnd || !StreamIO.ReadAt(fs, pos + len, h, 8)) return false;
                        got += len;
                        if (got != mb.RawLength || ReadUInt32(small, 4) != (uint)got || ReadUInt32(small, 0) != crc) return false;
                        Interlocked.Increment(ref s_storedReads);
                        return true;
                    }
                    if (next) Buffer.MemoryCopy(dst + got + len, h, 5, 5);
                    else if (!StreamIO.ReadAt(fs, pos + len, h, 5)) return false;
                    got += len;
                    pos += len;
                }
            }
        }

        private static void InflateMember(Member[] members, int m, byte[] buf, Array dst, long rawStart, long rawEnd, bool verifyAll)
        {
            var mb = members[m];
            long end = mb.RawOffset + mb.RawLength;
            long from = Math.Min(Math.Max(rawStart, mb.RawOffset), end), to = Math.Max(from, Math.Min(rawEnd, end));
            bool whole = verifyAll || (mb.RawOffset >= rawStart && end <= rawEnd);
            try
            {
                using (var ms = new MemoryStream(buf, 0, mb.Length, false))
                using (var z = new GZipStream(ms, CompressionMode.Decompress))
                {
                    long lead = from - mb.RawOffset, span = to - from;
                    long got = NiftiReader.Skip(z, lead);
                    if (got == lead && span > 0) got += StreamIO.ReadInto(z, dst, from - rawStart, span);
                    if (whole) got += NiftiReader.Skip(z, long.MaxValue);
                    if (got < lead + span || (whole && got != mb.RawLength))
                        throw new InvalidDataException("gzip member " + (m + 1) + " of " + members.Length + " (at byte " + mb.Offset + ") inflates to "
                            + (whole ? got.ToString() : "fewer than " + (lead + span)) + " bytes, its header says " + mb.RawLength);
                }
            }
            catch (InvalidDataException ex) when (!ex.Message.StartsWith("gzip member", StringComparison.Ordinal))
            {
                throw new InvalidDataException("gzip member " + (m + 1) + " of " + members.Length + " (at byte " + mb.Offset + "): " + ex.Message, ex);
            }
        }
    }
}
