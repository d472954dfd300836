using System;
using System.IO;
using System.IO.Compression;
using System.Threading.Tasks;
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
        /// <summary>
        /// Where the voxel array comes from: a pool's returned array when it holds one of the size,
        /// else a new one. The caller gives the volume back with <see cref="VoxelBufferPool.Return(AtlasVolume)"/>.
        /// </summary>
        public VoxelBufferPool Pool { get; set; }
    }

    /// <summary>
    /// Reads NIfTI-1, NIfTI-2 and Analyze 7.5 images, single file or .hdr/.img pair, gzipped or not
    /// (gzip is detected by its magic bytes, multi-member gzip included), and MRIcron .voi masks.
    /// The data start at vox_offset. A single file is read in one pass: header, extensions, then
    /// the voxels, inflated straight into the typed array (no intermediate copy of the data). A gzip
    /// file of several members that carry their lengths (<see cref="GzipMembers"/>, what the writer
    /// makes) has its voxels inflated member by member on all cores.
    /// </summary>
    public static class NiftiReader
    {
        private const int SkipChunk = 1 << 16;

        /// <summary>
        /// Deflate inflates at most 1032:1 (RFC 1951: a 258-byte match costs at least 2 bits), so a
        /// gzip file of n bytes holds no more than this many times n; a header that claims more is
        /// rejected before anything is allocated for it.
        /// </summary>
        internal const long MaxDeflateRatio = 1032;
        [ThreadStatic] private static byte[] t_skip;

        public static NiftiHeader ReadHeader(string path) => Read(path, new NiftiReadOptions { HeaderOnly = true }).Header;

        public static AtlasVolume Read(string path, NiftiReadOptions options = null)
        {
            options = options ?? new NiftiReadOptions();
            if (string.IsNullOrEmpty(path)) throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "no path given");
            if (Directory.Exists(path)) throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "is a folder, not an image file");
            string headerPath = path, imagePath = path;
            bool pairByName = NiftiFiles.IsPairName(path);
            if (pairByName)
            {
                NiftiFiles.PairPaths(path, out headerPath, out imagePath);
                if (!File.Exists(headerPath)) throw new NiftiFormatException(NiftiErrorKind.NotFound, headerPath, "header file not found");
            }
            else if (!File.Exists(path)) throw new NiftiFormatException(NiftiErrorKind.NotFound, path, "file not found");

            string current = headerPath;
            FileStream fs = null;
            Stream s = null;
            Array rented = null;
            try
            {
                fs = new FileStream(headerPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
                bool gz = NiftiFiles.IsGzip(fs);
                s = gz ? new GZipStream(fs, CompressionMode.Decompress, true) : (Stream)fs;
                var h = ReadHeaderAndExtensions(s, headerPath, MostBytesIn(fs, gz), out long consumed);
                if (h.Format != NiftiFormat.Analyze75 && h.SingleFile && pairByName)
                    imagePath = headerPath; // an n+1 file named .hdr still holds its own data
                if (!h.SingleFile && !pairByName)
                    throw new NiftiFormatException(NiftiErrorKind.BadMagic, path, h.Format == NiftiFormat.Analyze75
                        ? "wrong magic (neither 'n+1' nor 'ni1'): not a single-file NIfTI image"
                        : "the header says its data are in a separate .img file (magic '" + h.Magic + "'), but the file is not named .hdr");

                var dt = h.DataType;
                int bpv = NiftiDataTypes.BytesPerVoxel(dt);
                bool complex = dt == NiftiDataType.Complex64 || dt == NiftiDataType.Complex128 || dt == NiftiDataType.Complex256;
                if (bpv == 0 || dt == NiftiDataType.Float128 || dt == NiftiDataType.Complex256)
                    throw new NiftiFormatException(NiftiErrorKind.UnsupportedDataType, headerPath, "datatype " + (short)dt + " (" + DataTypeName(dt) + ") is not supported");
                if (complex && !options.ComplexAsMagnitude && !options.HeaderOnly)
                    throw new NiftiFormatException(NiftiErrorKind.UnsupportedDataType, headerPath, "complex data (" + dt + ") can only be read as its magnitude: use Import-AtlasVolume -Magnitude (NiftiReadOptions.ComplexAsMagnitude)");
                if (options.Frame.HasValue && (options.Frame.Value < 0 || options.Frame.Value >= h.FrameCount))
                    throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, headerPath, "frame " + options.Frame.Value + " does not exist; the image has " + h.FrameCount + " frame(s), numbered from 0");
                if (h.VoxOffset < 0 || double.IsNaN(h.VoxOffset))
                    throw new NiftiFormatException(NiftiErrorKind.BadOffset, headerPath, "vox_offset " + h.VoxOffset + " is negative");
                if (h.VoxOffset > long.MaxValue / 4)
                    throw new NiftiFormatException(NiftiErrorKind.BadOffset, headerPath, "vox_offset " + h.VoxOffset + " is beyond any file");
                long voxOffset = (long)h.VoxOffset;
                CheckGeometry(h, headerPath);
                if (h.SingleFile && voxOffset < h.HeaderSize)
                    throw new NiftiFormatException(NiftiErrorKind.BadOffset, headerPath, "vox_offset " + voxOffset + " lies inside the " + h.HeaderSize + "-byte header");

                if (options.HeaderOnly) return new AtlasVolume(h, null, path, options.Frame);

                if (imagePath != headerPath)
                {
                    if (imagePath == null || !File.Exists(imagePath))
                        throw new NiftiFormatException(NiftiErrorKind.NotFound, path, "image (.img) file of the pair not found");
                    s.Dispose(); fs.Dispose(); s = null;
                    current = imagePath;
                    fs = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
                    gz = NiftiFiles.IsGzip(fs);
                    s = gz ? new GZipStream(fs, CompressionMode.Decompress, true) : (Stream)fs;
                    consumed = 0;
                }

                // Sizes are checked against what the file can hold before the voxel array is allocated
                // (dims of a hostile header multiply past anything a file of this size justifies).
                long frameBytes = h.VoxelsPerFrame * bpv; // CheckGeometry bounds it below 2^62
                long frames = options.Frame.HasValue ? 1 : h.FrameCount;
                long skip = options.Frame.HasValue ? frameBytes * options.Frame.Value : 0;
                long need = frameBytes * frames;
                long allBytes = frameBytes * h.FrameCount;
                if (!gz)
                {
                    long len = fs.Length;
                    if (voxOffset > len)
                        throw new NiftiFormatException(NiftiErrorKind.BadOffset, current, "vox_offset " + voxOffset + " is beyond the end of the " + len + "-byte file");
                    long total = voxOffset + allBytes;
                    if (len < total)
                        throw new NiftiFormatException(NiftiErrorKind.SizeMismatch, current,
                            "the header describes " + allBytes + " data bytes from offset " + voxOffset + " (" + total + " bytes in all), but the file has " + len + " bytes");
                }
                else
                {
                    long most = MostBytesIn(fs, true);
                    if (voxOffset > most)
                        throw new NiftiFormatException(NiftiErrorKind.BadOffset, current, "vox_offset " + voxOffset + " is beyond what the " + fs.Length + "-byte gzip file can hold");
                    if (voxOffset + skip + need > most)
                        throw new NiftiFormatException(NiftiErrorKind.SizeMismatch, current,
                            "the header describes " + allBytes + " data bytes from offset " + voxOffset + ", more than the " + fs.Length + "-byte gzip file can hold (deflate inflates at most " + MaxDeflateRatio + ":1)");
                }
                long elements = need / NiftiDataTypes.ElementSize(dt);
                if (elements > int.MaxValue)
                    throw new NiftiFormatException(NiftiErrorKind.SizeMismatch, current, "the image holds " + elements + " values, more than one array can (2^31 - 1); read one frame with -Frame");
                Array data = NiftiDataTypes.AllocateForOverwrite(dt, need / bpv, options.Pool);
                rented = options.Pool != null ? data : null;

                if (!gz)
                {
                    fs.Position = voxOffset + skip;
                    long got = StreamIO.ReadInto(fs, data, need);
                    if (got < need) throw Short(current, got, need);
                }
                else if (ParallelMembers(fs, voxOffset + skip + need) is GzipMembers.Member[] members)
                {
                    // Written as several members (GzipMembers): each core inflates its own; a full read
                    // inflates every member to its end so each CRC-32 is checked.
                    GzipMembers.ReadRange(current, members, data, voxOffset + skip, need, !options.Frame.HasValue);
                }
                else
                {
                    long skipped = Skip(s, voxOffset - consumed);
                    if (skipped < voxOffset - consumed)
                        throw ShortGzip(fs, current, consumed + skipped, voxOffset, "vox_offset " + voxOffset + " is beyond the end of the decompressed data (" + (consumed + skipped) + " bytes)", NiftiErrorKind.BadOffset);
                    skipped = Skip(s, skip);
                    long got = skipped < skip ? 0 : StreamIO.ReadInto(s, data, need);
                    if (skipped < skip || got < need)
                    {
                        long have = voxOffset + skipped + got;
                        throw ShortGzip(fs, current, have, voxOffset + frameBytes * h.FrameCount,
                            "the header describes " + (frameBytes * h.FrameCount) + " data bytes from offset " + voxOffset + ", but the decompressed file has " + have + " bytes", NiftiErrorKind.SizeMismatch);
                    }
                    // Inflate to the end of the gzip so its CRC-32 is checked (damage in stored blocks
                    // shows only there); a single frame of a 4D file skips this to stay fast.
                    if (!options.Frame.HasValue) Skip(s, long.MaxValue);
                }

                if (h.LittleEndian != BitConverter.IsLittleEndian) StreamIO.SwapInPlace(data, NiftiDataTypes.ElementSize(dt));

                if (complex)
                {
                    var raw = data;
                    data = Magnitude(data);
                    options.Pool?.Return(raw);
                    h.DataType = data is float[] ? NiftiDataType.Float32 : NiftiDataType.Float64;
                    h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(h.DataType) * 8);
                }
                rented = null;
                return new AtlasVolume(h, data, path, options.Frame);
            }
            catch (InvalidDataException ex)
            {
                throw new NiftiFormatException(NiftiErrorKind.CorruptGzip, current, "corrupt gzip data: " + ex.Message, ex);
            }
            catch (EndOfStreamException ex)
            {
                throw new NiftiFormatException(NiftiErrorKind.Truncated, current, "the file ends early: " + ex.Message, ex);
            }
            finally
            {
                if (rented != null) options.Pool.Return(rented); // a failed read gives its array back
                if (s != null && !ReferenceEquals(s, fs)) s.Dispose();
                fs?.Dispose();
            }
        }

        /// <summary>
        /// The member chain of a gzip file written as several members, when it holds at least
        /// <paramref name="rawEnd"/> inflated bytes; else null (the serial path reads it and diagnoses
        /// a short file). Used on one core too: .NET Framework's GZipStream stops after the first
        /// member, so member by member is the one way that reads such a file everywhere.
        /// The stream's position is kept.
        /// </summary>
        private static GzipMembers.Member[] ParallelMembers(FileStream fs, long rawEnd)
        {
            var members = GzipMembers.TryIndex(fs);
            return members != null && members.Length > 1 && GzipMembers.RawLength(members) >= rawEnd ? members : null;
        }

        private static string DataTypeName(NiftiDataType dt) =>
            Enum.IsDefined(typeof(NiftiDataType), dt) ? dt.ToString() : "unknown code";

        /// <summary>
        /// .NET's inflater returns a short read, not an error, when a gzip file is cut off. A complete
        /// gzip member ends with ISIZE, the inflated length mod 2^32: when it matches what came out,
        /// the file is whole and the header is wrong (<paramref name="wholeKind"/>); otherwise the gzip is truncated.
        /// </summary>
        private static NiftiFormatException ShortGzip(FileStream fs, string path, long inflated, long needed, string wholeMessage, NiftiErrorKind wholeKind)
        {
            bool whole = false;
            try { whole = NiftiFiles.TryReadGzipSize(fs, out uint isize) && isize == (uint)inflated; }
            catch (IOException) { }
            if (whole) return new NiftiFormatException(wholeKind, path, wholeMessage);
            return new NiftiFormatException(NiftiErrorKind.Truncated, path,
                "the gzip data end after " + inflated + " of " + needed + " bytes (truncated file?)");
        }

        /// <summary>The most bytes the (inflated) stream of a file can yield: its length, or the deflate bound when gzipped.</summary>
        private static long MostBytesIn(FileStream fs, bool gz) => gz ? fs.Length * MaxDeflateRatio + 1024 : fs.Length;

        /// <summary>
        /// Dims and the chosen affine a volume can be built on: each spatial dim fits an int, the voxel
        /// and value counts fit a long with room to spare, the affine is finite. Names the file.
        /// </summary>
        private static void CheckGeometry(NiftiHeader h, string path)
        {
            for (int d = 1; d <= 3; d++)
                if (h.DimSize(d) > int.MaxValue)
                    throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "dim[" + d + "] = " + h.Dim[d] + " is larger than any image this module reads");
            // Products of up to 7 dims and the bytes per voxel (at most 32): bounded by 2^62 so the
            // offsets computed from them cannot overflow.
            double bytes = 32;
            for (int d = 1; d <= 7; d++) bytes *= h.DimSize(d);
            if (bytes > (double)(1L << 62))
                throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "the dims (" + string.Join(" x ", h.Dim, 1, Math.Max(1, Math.Min(7, (int)h.Dim[0]))) + ") describe more data than any file holds");
            var a = AffineMath.FromHeader(h);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    if (double.IsNaN(a[i, j]) || double.IsInfinity(a[i, j]))
                        throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "the voxel-to-world affine (" + (h.Format != NiftiFormat.Analyze75 && h.SFormCode > 0 ? "sform" : h.Format != NiftiFormat.Analyze75 && h.QFormCode > 0 ? "qform" : "pixdim") + ") has a non-finite value");
        }

        /// <summary>Reads the 348/540-byte header and, for NIfTI, the extensions; reports the bytes consumed.</summary>
        private static NiftiHeader ReadHeaderAndExtensions(Stream s, string path, long mostBytes, out long consumed)
        {
            var first = new byte[4];
            int got = StreamIO.ReadUpTo(s, first, 0, 4);
            if (got == 0) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file is empty");
            if (got < 4) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside the header");
            int le = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(first);
            int be = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(first);
            bool is2 = le == NiftiHeader.Nifti2HeaderSize || be == NiftiHeader.Nifti2HeaderSize;
            if (!is2 && le != NiftiHeader.Nifti1HeaderSize && be != NiftiHeader.Nifti1HeaderSize)
                throw new NiftiFormatException(NiftiErrorKind.BadMagic, path, "not a NIfTI or Analyze image (sizeof_hdr is neither 348 nor 540)");
            int size = is2 ? NiftiHeader.Nifti2HeaderSize : NiftiHeader.Nifti1HeaderSize;
            var buf = new byte[size];
            Array.Copy(first, buf, 4);
            got = StreamIO.ReadUpTo(s, buf, 4, size - 4);
            if (got < size - 4) throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside the " + size + "-byte header");
            var h = NiftiHeader.Parse(buf, path);
            consumed = size;
            if (h.Format == NiftiFormat.Analyze75) return h;

            // Extensions: a 4-byte extender, then esize/ecode records up to vox_offset (single file)
            // or to the end of the header file (pair). A single file whose vox_offset leaves no room
            // for the extender has none (nifti_clib reads it only when vox_offset allows).
            // An extension never extends past what the file can hold, so a hostile esize allocates nothing.
            long limit = h.SingleFile && h.VoxOffset < mostBytes ? (long)h.VoxOffset : mostBytes;
            if (h.SingleFile && limit < size + 4) return h;
            var ext = new byte[4];
            int eg = StreamIO.ReadUpTo(s, ext, 0, 4);
            consumed += eg;
            if (eg < 4 || ext[0] == 0) return h;
            long pos = size + 4;
            var eh = new byte[8];
            while (pos + 16 <= limit)
            {
                int n = StreamIO.ReadUpTo(s, eh, 0, 8);
                consumed += n;
                if (n < 8) break;
                int esize = h.LittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(eh) : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(eh);
                int ecode = h.LittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(eh.AsSpan(4)) : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(eh.AsSpan(4));
                // Not a valid extension (size not a positive multiple of 16, or past vox_offset):
                // stop there, as nifti_clib does, keeping those already read.
                if (esize < 16 || esize % 16 != 0 || pos + esize > limit) break;
                var data = new byte[esize - 8];
                int dn = StreamIO.ReadUpTo(s, data, 0, data.Length);
                consumed += dn;
                if (dn < data.Length)
                    throw new NiftiFormatException(NiftiErrorKind.Truncated, path, "the file ends inside a header extension");
                h.Extensions.Add(new NiftiExtension(ecode, data));
                pos += esize;
            }
            return h;
        }

        /// <summary>Discards up to <paramref name="bytes"/> bytes; returns how many there were.</summary>
        internal static long Skip(Stream s, long bytes)
        {
            if (bytes <= 0) return 0;
            var tmp = t_skip ?? (t_skip = new byte[SkipChunk]);
            long left = bytes;
            while (left > 0)
            {
                int n = s.Read(tmp, 0, (int)Math.Min(tmp.Length, left));
                if (n <= 0) break;
                left -= n;
            }
            return bytes - left;
        }

        private static NiftiFormatException Short(string path, long got, long need) =>
            new NiftiFormatException(NiftiErrorKind.Truncated, path, "the image data end after " + got + " of " + need + " bytes (truncated file?)");

        private static Array Magnitude(Array data)
        {
            if (data is float[] f)
            {
                var m = new float[f.Length / 2];
                Parallel.For(0, (m.Length + 65535) / 65536, b =>
                {
                    int e = Math.Min(m.Length, (b + 1) * 65536);
                    for (int i = b * 65536; i < e; i++) m[i] = (float)Math.Sqrt((double)f[2 * i] * f[2 * i] + (double)f[2 * i + 1] * f[2 * i + 1]);
                });
                return m;
            }
            var d = (double[])data;
            var md = new double[d.Length / 2];
            for (int i = 0; i < md.Length; i++) md[i] = Math.Sqrt(d[2 * i] * d[2 * i] + d[2 * i + 1] * d[2 * i + 1]);
            return md;
        }
    }
}
