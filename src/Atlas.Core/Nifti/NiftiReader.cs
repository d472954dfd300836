using System;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Atlas.Core.Volumes;

namespace Atlas.Core.Nifti
{
    public sealed class NiftiReadOptions
    {
        /// <summary>Read the header (and extensions) only.</summary>
        public bool HeaderOnly { get; set; }
        /// <summary>0-based frame of a 4D+ image to read; null reads every frame.</summary>
        public int? Frame { get; set; }
        /// <summary>Complex data is an error unless this is set; then the magnitude is returned as float32/float64.</summary>
        public bool ComplexAsMagnitude { get; set; }
    }

    /// <summary>
    /// Reads NIfTI-1, NIfTI-2 and Analyze 7.5 images, single file or .hdr/.img pair, gzipped or not
    /// (gzip is detected by its magic bytes), and MRIcron .voi masks. The data start at vox_offset.
    /// </summary>
    public static class NiftiReader
    {
        private const int ChunkBytes = 1 << 20;

        public static NiftiHeader ReadHeader(string path) => Read(path, new NiftiReadOptions { HeaderOnly = true }).Header;

        public static AtlasVolume Read(string path, NiftiReadOptions options = null)
        {
            options = options ?? new NiftiReadOptions();
            if (string.IsNullOrEmpty(path)) throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "no path given");
            string headerPath = path, imagePath = path;
            string lower = path.ToLowerInvariant();
            bool pairByName = lower.EndsWith(".hdr") || lower.EndsWith(".img") || lower.EndsWith(".hdr.gz") || lower.EndsWith(".img.gz");
            if (pairByName)
            {
                NiftiFiles.PairPaths(path, out headerPath, out imagePath);
                if (!File.Exists(headerPath)) throw new NiftiFormatException(NiftiErrorKind.NotFound, headerPath, "header file not found");
            }
            else if (!File.Exists(path)) throw new NiftiFormatException(NiftiErrorKind.NotFound, path, "file not found");

            try
            {
                NiftiHeader h;
                using (var hs = OpenMaybeGzip(headerPath))
                {
                    h = ReadHeaderAndExtensions(hs, headerPath, pairByName);
                }
                if (!h.SingleFile && !pairByName)
                    throw new NiftiFormatException(NiftiErrorKind.BadMagic, path,
                        "the header says its data are in a separate .img file (magic '" + h.Magic + "'), but the file is not named .hdr");
                if (h.SingleFile && pairByName)
                    imagePath = headerPath;

                var dt = h.DataType;
                int bpv = NiftiDataTypes.BytesPerVoxel(dt);
                bool complex = dt == NiftiDataType.Complex64 || dt == NiftiDataType.Complex128 || dt == NiftiDataType.Complex256;
                if (bpv == 0 || dt == NiftiDataType.Float128 || dt == NiftiDataType.Complex256 || dt == NiftiDataType.Binary)
                    throw new NiftiFormatException(NiftiErrorKind.UnsupportedDataType, headerPath, "datatype " + (short)dt + " (" + dt + ") is not supported");
                if (complex && !options.ComplexAsMagnitude && !options.HeaderOnly)
                    throw new NiftiFormatException(NiftiErrorKind.UnsupportedDataType, headerPath, "complex data (" + dt + ") can only be read as magnitude; ask for the magnitude explicitly");

                if (options.Frame.HasValue && (options.Frame.Value < 0 || options.Frame.Value >= h.FrameCount))
                    throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, headerPath, "frame " + options.Frame.Value + " does not exist; the image has " + h.FrameCount + " frame(s), numbered from 0");

                if (options.HeaderOnly) return new AtlasVolume(h, null, path, options.Frame);

                if (imagePath == null || !File.Exists(imagePath))
                    throw new NiftiFormatException(NiftiErrorKind.NotFound, path, "image (.img) file of the pair not found");

                long frameBytes = checked(h.VoxelsPerFrame * bpv);
                long frames = options.Frame.HasValue ? 1 : h.FrameCount;
                long skip = options.Frame.HasValue ? frameBytes * options.Frame.Value : 0;
                long need = checked(frameBytes * frames);
                long voxOffset = (long)h.VoxOffset;
                if (voxOffset < 0) throw new NiftiFormatException(NiftiErrorKind.BadOffset, headerPath, "vox_offset " + h.VoxOffset + " is negative");
                if (h.SingleFile && voxOffset < h.HeaderSize)
                    throw new NiftiFormatException(NiftiErrorKind.BadOffset, headerPath, "vox_offset " + voxOffset + " lies inside the " + h.HeaderSize + "-byte header");

                Array data = NiftiDataTypes.Allocate(dt, checked(h.VoxelsPerFrame * frames));
                using (var fs = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
                {
                    bool gz = IsGzip(fs);
                    if (!gz)
                    {
                        long len = fs.Length;
                        if (voxOffset > len)
                            throw new NiftiFormatException(NiftiErrorKind.BadOffset, imagePath, "vox_offset " + voxOffset + " is beyond the end of the " + len + "-byte file");
                        long total = voxOffset + frameBytes * h.FrameCount;
                        if (len < total)
                            throw new NiftiFormatException(NiftiErrorKind.SizeMismatch, imagePath,
                                "the header describes " + (frameBytes * h.FrameCount) + " data bytes from offset " + voxOffset + " (" + total + " bytes in all), but the file has " + len + " bytes");
                        fs.Position = voxOffset + skip;
                        ReadInto(fs, data, need, imagePath);
                    }
                    else
                    {
                        using (var z = new GZipStream(fs, CompressionMode.Decompress, true))
                        {
                            Skip(z, voxOffset + skip, imagePath, voxOffset);
                            ReadInto(z, data, need, imagePath);
                        }
                    }
                }
                bool hostLittle = BitConverter.IsLittleEndian;
                if (h.LittleEndian != hostLittle) SwapInPlace(data, NiftiDataTypes.ElementSize(dt));

                if (complex)
                {
                    data = Magnitude(data);
                    h.DataType = data is float[] ? NiftiDataType.Float32 : NiftiDataType.Float64;
                    h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(h.DataType) * 8);
                }
                return new AtlasVolume(h, data, path, options.Frame);
            }
            catch (InvalidDataException ex)
            {
                throw new NiftiFormatException(NiftiErrorKind.CorruptGzip, path, "corrupt gzip data: " + ex.Message, ex);
            }
            catch (EndOfStreamException ex)
            {
                throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends early: " + ex.Message, ex);
            }
        }

        private static Stream OpenMaybeGzip(string path)
        {
            var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (IsGzip(fs)) return new GZipStream(fs, CompressionMode.Decompress, false);
            return fs;
        }

        /// <summary>Gzip by its magic bytes 1f 8b, never by the extension; leaves the stream at 0.</summary>
        private static bool IsGzip(FileStream fs)
        {
            int a = fs.ReadByte(), b = fs.ReadByte();
            fs.Position = 0;
            return a == 0x1f && b == 0x8b;
        }

        private static NiftiHeader ReadHeaderAndExtensions(Stream s, string path, bool pair)
        {
            var first = new byte[4];
            int got = ReadUpTo(s, first, 0, 4);
            if (got == 0) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file is empty");
            if (got < 4) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside the header");
            int le = BitConverter.ToInt32(first, 0);
            int size = le == 540 || SwapI32(le) == 540 ? 540 : 348;
            if (le != 348 && le != 540 && SwapI32(le) != 348 && SwapI32(le) != 540)
                throw new NiftiFormatException(NiftiErrorKind.BadMagic, path, "not a NIfTI or Analyze image (sizeof_hdr is neither 348 nor 540)");
            var buf = new byte[size];
            Array.Copy(first, buf, 4);
            got = ReadUpTo(s, buf, 4, size - 4);
            if (got < size - 4) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside the " + size + "-byte header");
            var h = NiftiHeader.Parse(buf, path);
            if (h.Format == NiftiFormat.Analyze75) return h;

            // Extensions: a 4-byte extender, then esize/ecode records up to vox_offset (single file)
            // or to the end of the header file (pair).
            var ext = new byte[4];
            if (ReadUpTo(s, ext, 0, 4) < 4 || ext[0] == 0) return h;
            long limit = h.SingleFile ? (long)h.VoxOffset : long.MaxValue;
            long pos = size + 4;
            var eh = new byte[8];
            while (pos + 8 <= limit)
            {
                if (ReadUpTo(s, eh, 0, 8) < 8) break;
                int esize = h.LittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(eh) : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(eh);
                int ecode = h.LittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(eh.AsSpan(4)) : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(eh.AsSpan(4));
                if (esize < 16 || esize % 16 != 0 || pos + esize > limit) break; // not a valid extension: stop, as nifti_clib does
                var data = new byte[esize - 8];
                if (ReadUpTo(s, data, 0, data.Length) < data.Length)
                    throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside a header extension");
                h.Extensions.Add(new NiftiExtension(ecode, data));
                pos += esize;
            }
            return h;
        }

        private static int SwapI32(int v) => (int)(((uint)v >> 24) | (((uint)v >> 8) & 0xff00) | (((uint)v << 8) & 0xff0000) | ((uint)v << 24));

        private static int ReadUpTo(Stream s, byte[] buf, int offset, int count)
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

        private static void Skip(Stream s, long bytes, string path, long voxOffset)
        {
            var tmp = new byte[(int)Math.Min(ChunkBytes, Math.Max(1, bytes))];
            long left = bytes;
            while (left > 0)
            {
                int n = s.Read(tmp, 0, (int)Math.Min(tmp.Length, left));
                if (n <= 0)
                {
                    if (bytes - left < voxOffset)
                        throw new NiftiFormatException(NiftiErrorKind.BadOffset, path, "vox_offset " + voxOffset + " is beyond the end of the decompressed data (" + (bytes - left) + " bytes)");
                    throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the data end before the requested frame");
                }
                left -= n;
            }
        }

        /// <summary>Reads exactly <paramref name="bytes"/> bytes into a typed array, through a chunk buffer.</summary>
        private static void ReadInto(Stream s, Array dst, long bytes, string path)
        {
            if (dst is byte[] direct && bytes <= int.MaxValue)
            {
                int got = ReadUpTo(s, direct, 0, (int)bytes);
                if (got < bytes) throw Short(path, got, bytes);
                return;
            }
            var buf = new byte[(int)Math.Min(ChunkBytes, bytes)];
            var handle = GCHandle.Alloc(dst, GCHandleType.Pinned);
            try
            {
                IntPtr basePtr = handle.AddrOfPinnedObject();
                long done = 0;
                while (done < bytes)
                {
                    int want = (int)Math.Min(buf.Length, bytes - done);
                    int got = ReadUpTo(s, buf, 0, want);
                    if (got > 0) Marshal.Copy(buf, 0, new IntPtr(basePtr.ToInt64() + done), got);
                    done += got;
                    if (got < want) throw Short(path, done, bytes);
                }
            }
            finally { handle.Free(); }
        }

        private static NiftiFormatException Short(string path, long got, long need) =>
            new NiftiFormatException(NiftiErrorKind.Truncated, path, "the image data end after " + got + " of " + need + " bytes (truncated file?)");

        internal static unsafe void SwapInPlace(Array data, int elementSize)
        {
            if (elementSize <= 1) return;
            var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                byte* p = (byte*)handle.AddrOfPinnedObject();
                long n = (long)Buffer.ByteLength(data) / elementSize;
                for (long i = 0; i < n; i++)
                {
                    byte* e = p + i * elementSize;
                    for (int a = 0, b = elementSize - 1; a < b; a++, b--) { byte t = e[a]; e[a] = e[b]; e[b] = t; }
                }
            }
            finally { handle.Free(); }
        }

        private static Array Magnitude(Array data)
        {
            if (data is float[] f)
            {
                var m = new float[f.Length / 2];
                for (int i = 0; i < m.Length; i++) m[i] = (float)Math.Sqrt((double)f[2 * i] * f[2 * i] + (double)f[2 * i + 1] * f[2 * i + 1]);
                return m;
            }
            var d = (double[])data;
            var md = new double[d.Length / 2];
            for (int i = 0; i < md.Length; i++) md[i] = Math.Sqrt(d[2 * i] * d[2 * i] + d[2 * i + 1] * d[2 * i + 1]);
            return md;
        }
    }
}
