using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Threading.Tasks;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// A write-only gzip stream that deflates 1 MiB pieces on all cores and joins them into ONE gzip
    /// member, as pigz does: every piece but the last ends with a sync flush (an empty stored block),
    /// so the pieces concatenate into one valid deflate stream that every gzip reader (zlib, nibabel,
    /// FSL, ITK, .NET Framework) reads; CRC-32s of the pieces are combined as zlib's crc32_combine.
    /// Pieces do not share their 32 KiB history, which costs well under 1 % in size. Where the
    /// runtime's DeflateStream.Flush does not sync-flush (.NET Framework), the pieces are deflated
    /// one after another into a single stream instead (same bytes as GZipStream).
    /// </summary>
    internal sealed class ParallelGzipStream : Stream
    {
        private const int PieceBytes = 1 << 20;
        private readonly Stream _out;
        private readonly CompressionLevel _level;
        private readonly Queue<Task<Piece>> _pending = new Queue<Task<Piece>>();
        private readonly int _maxPending = Math.Max(2, 2 * Environment.ProcessorCount);
        private byte[] _buf = new byte[PieceBytes];
        private int _fill;
        private uint _crc;
        private long _length;
        private bool _finished;
        private GZipStream _serial; // the fallback

        private sealed class Piece { public byte[] Bytes; public int Count; public uint Crc; public int Length; }

        private static readonly bool s_syncFlushWorks = ProbeSyncFlush();

        public ParallelGzipStream(Stream output, CompressionLevel level)
        {
            _out = output;
            _level = level;
            if (!s_syncFlushWorks) { _serial = new GZipStream(output, level, true); return; }
            // gzip header: magic, deflate, no flags, no mtime, XFL 0, OS unknown (255).
            _out.Write(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 }, 0, 10);
        }

        /// <summary>True when DeflateStream.Flush ends its output with the sync marker 00 00 FF FF.</summary>
        private static bool ProbeSyncFlush()
        {
            try
            {
                using (var ms = new MemoryStream())
                {
                    using (var d = new DeflateStream(ms, CompressionLevel.Fastest, true))
                    {
                        d.Write(new byte[] { 1, 2, 3, 4, 5 }, 0, 5);
                        d.Flush();
                        var b = ms.ToArray();
                        return b.Length >= 4 && b[b.Length - 4] == 0 && b[b.Length - 3] == 0 && b[b.Length - 2] == 0xFF && b[b.Length - 1] == 0xFF;
                    }
                }
            }
            catch (Exception) { return false; }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_serial != null) { _serial.Write(buffer, offset, count); return; }
            while (count > 0)
            {
                int n = Math.Min(count, PieceBytes - _fill);
                Buffer.BlockCopy(buffer, offset, _buf, _fill, n);
                _fill += n; offset += n; count -= n;
                if (_fill == PieceBytes) Dispatch(false);
            }
        }

        private void Dispatch(bool last)
        {
            var data = _buf; int len = _fill;
            _buf = last ? null : new byte[PieceBytes];
            _fill = 0;
            var level = _level;
            _pending.Enqueue(Task.Run(() => Deflate(data, len, level, last)));
            while (_pending.Count > _maxPending) Drain();
        }

        private static Piece Deflate(byte[] data, int len, CompressionLevel level, bool last)
        {
            // DeflateStream writes nothing for no input: the end is then an empty final fixed-Huffman block.
            if (len == 0) return new Piece { Bytes = new byte[] { 3, 0 }, Count = 2, Crc = 0, Length = 0 };
            var ms = new MemoryStream(len / 2 + 64);
            var d = new DeflateStream(ms, level, true);
            d.Write(data, 0, len);
            if (!last) d.Flush();
            int count = (int)ms.Length;
            d.Dispose(); // after a flush, the final block this adds is past count and never written
            if (last) count = (int)ms.Length;
            return new Piece { Bytes = ms.GetBuffer(), Count = count, Crc = Crc32.Compute(data, 0, len), Length = len };
        }

        private void Drain()
        {
            var p = _pending.Dequeue().GetAwaiter().GetResult();
            _out.Write(p.Bytes, 0, p.Count);
            _crc = _length == 0 ? p.Crc : Crc32.Combine(_crc, p.Crc, p.Length);
            _length += p.Length;
        }

        private void Finish()
        {
            if (_finished) return;
            _finished = true;
            if (_serial != null) { _serial.Dispose(); return; }
            Dispatch(true);
            while (_pending.Count > 0) Drain();
            var trailer = new byte[8];
            BitConverter.GetBytes(_crc).CopyTo(trailer, 0);
            BitConverter.GetBytes(unchecked((uint)_length)).CopyTo(trailer, 4);
            if (!BitConverter.IsLittleEndian) { Array.Reverse(trailer, 0, 4); Array.Reverse(trailer, 4, 4); }
            _out.Write(trailer, 0, 8);
        }

        protected override void Dispose(bool disposing)
        {
            try { if (disposing) Finish(); }
            finally { base.Dispose(disposing); }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>CRC-32 (IEEE, as gzip): slicing-by-8 tables, and zlib's crc32_combine (GF(2) matrix powers).</summary>
    internal static class Crc32
    {
        private static readonly uint[][] s_t = MakeTables();

        private static uint[][] MakeTables()
        {
            var t = new uint[8][];
            for (int k = 0; k < 8; k++) t[k] = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int b = 0; b < 8; b++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[0][n] = c;
            }
            for (int n = 0; n < 256; n++)
                for (int k = 1; k < 8; k++) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFF];
            return t;
        }

        public static uint Compute(byte[] data, int offset, int count)
        {
            uint c = 0xFFFFFFFFu;
            var t0 = s_t[0]; var t1 = s_t[1]; var t2 = s_t[2]; var t3 = s_t[3]; var t4 = s_t[4]; var t5 = s_t[5]; var t6 = s_t[6]; var t7 = s_t[7];
            int i = offset, end = offset + count;
            for (; i + 8 <= end; i += 8)
            {
                uint a = c ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
                c = t7[a & 0xFF] ^ t6[(a >> 8) & 0xFF] ^ t5[(a >> 16) & 0xFF] ^ t4[a >> 24]
                    ^ t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
            }
            for (; i < end; i++) c = t0[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            return ~c;
        }

        /// <summary>The CRC of A followed by B from crc(A), crc(B) and B's length (zlib crc32_combine).</summary>
        public static uint Combine(uint crc1, uint crc2, long len2)
        {
            if (len2 <= 0) return crc1;
            var even = new uint[32]; var odd = new uint[32];
            odd[0] = 0xEDB88320u; // the operator for one zero bit
            uint row = 1;
            for (int n = 1; n < 32; n++) { odd[n] = row; row <<= 1; }
            Square(even, odd); // two zero bits
            Square(odd, even); // four
            do
            {
                Square(even, odd);
                if ((len2 & 1) != 0) crc1 = Times(even, crc1);
                len2 >>= 1;
                if (len2 == 0) break;
                Square(odd, even);
                if ((len2 & 1) != 0) crc1 = Times(odd, crc1);
                len2 >>= 1;
            } while (len2 != 0);
            return crc1 ^ crc2;
        }

        private static uint Times(uint[] mat, uint vec)
        {
            uint sum = 0;
            for (int i = 0; vec != 0; i++, vec >>= 1) if ((vec & 1) != 0) sum ^= mat[i];
            return sum;
        }

        private static void Square(uint[] square, uint[] mat)
        {
            for (int n = 0; n < 32; n++) square[n] = Times(mat, mat[n]);
        }
    }
}
