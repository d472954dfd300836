using System;
using System.IO;

namespace Atlas.Core.Nifti
{
    /// <summary>The kinds of image file by name, and the pair partner of .hdr/.img files.</summary>
    public enum NiftiFileKind { Nii, NiiGz, Voi, Pair, PairGz }

    public static class NiftiFiles
    {
        public static NiftiFileKind KindOf(string path)
        {
            string p = path.ToLowerInvariant();
            if (p.EndsWith(".nii.gz")) return NiftiFileKind.NiiGz;
            if (p.EndsWith(".nii")) return NiftiFileKind.Nii;
            if (p.EndsWith(".voi")) return NiftiFileKind.Voi;
            if (p.EndsWith(".hdr.gz") || p.EndsWith(".img.gz")) return NiftiFileKind.PairGz;
            if (p.EndsWith(".hdr") || p.EndsWith(".img")) return NiftiFileKind.Pair;
            throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "unknown image extension (use .nii, .nii.gz, .voi, .hdr/.img or .hdr.gz/.img.gz)");
        }

        /// <summary>True for a name of an Analyze/NIfTI pair member: .hdr, .img, .hdr.gz or .img.gz (any case).</summary>
        public static bool IsPairName(string path)
        {
            string p = path.ToLowerInvariant();
            return p.EndsWith(".hdr") || p.EndsWith(".img") || p.EndsWith(".hdr.gz") || p.EndsWith(".img.gz");
        }

        /// <summary>Gzip by its magic bytes 1f 8b, never by the extension; leaves the stream at 0.</summary>
        internal static bool IsGzip(FileStream fs)
        {
            int a = fs.ReadByte(), b = fs.ReadByte();
            fs.Position = 0;
            return a == 0x1f && b == 0x8b;
        }

        /// <summary>
        /// The ISIZE field of a gzip file, its last 4 bytes (RFC 1952: the inflated length mod 2^32);
        /// false when the file is shorter than the 18 bytes (member header and trailer) a gzip file
        /// holds at the least, or the trailer cannot be read.
        /// </summary>
        internal static bool TryReadGzipSize(FileStream fs, out uint isize)
        {
            isize = 0;
            if (fs.Length < 18) return false;
            var t = new byte[4];
            fs.Position = fs.Length - 4;
            if (StreamIO.ReadUpTo(fs, t, 0, 4) < 4) return false;
            isize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(t);
            return true;
        }

        public static bool IsImagePath(string path)
        {
            string p = path.ToLowerInvariant();
            return p.EndsWith(".nii") || p.EndsWith(".nii.gz") || p.EndsWith(".voi") || p.EndsWith(".hdr") || p.EndsWith(".hdr.gz");
        }

        /// <summary>For a pair member, the header and image paths that exist (either compressed or not); null image when absent.</summary>
        public static void PairPaths(string path, out string hdr, out string img)
        {
            string p = path;
            bool gz = p.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            string stem = gz ? p.Substring(0, p.Length - 3) : p;
            string baseName = stem.Substring(0, stem.Length - 4);
            hdr = First(baseName + ".hdr", baseName + ".hdr.gz", baseName + ".HDR");
            img = First(baseName + ".img", baseName + ".img.gz", baseName + ".IMG");
            if (hdr == null) hdr = baseName + (gz ? ".hdr.gz" : ".hdr");
        }

        /// <summary>The header and image names to write for a pair target.</summary>
        public static void PairTargets(string path, out string hdr, out string img)
        {
            bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            string stem = gz ? path.Substring(0, path.Length - 3) : path;
            string baseName = stem.Substring(0, stem.Length - 4);
            hdr = baseName + ".hdr" + (gz ? ".gz" : "");
            img = baseName + ".img" + (gz ? ".gz" : "");
        }

        private static string First(params string[] candidates)
        {
            foreach (var c in candidates) if (File.Exists(c)) return c;
            return null;
        }

        /// <summary>
        /// A cheap check that an image file is whole, without inflating its voxels: the header parses
        /// (<see cref="NiftiReader.ReadHeader"/>), and the file holding the data is as long as the header
        /// says, vox_offset + voxels × bytes per voxel × frames. For gzip (by its magic bytes) the ISIZE
        /// trailer, the last 4 bytes (RFC 1952: the inflated length mod 2^32), must equal that size mod
        /// 2^32, or for a file of members written by <see cref="GzipMembers"/> their lengths must add up to
        /// that size; an uncompressed file must have at least that many bytes. A gzip file whose trailer
        /// disagrees is then read in full once, so a multi-member gzip (bgzip) or one with padding after
        /// the data still passes, and a damaged one fails with the reader's own diagnosis. Throws a
        /// <see cref="NiftiFormatException"/> naming the file (Truncated, SizeMismatch, BadMagic …).
        /// </summary>
        public static void CheckIntegrity(string path)
        {
            var h = NiftiReader.ReadHeader(path);
            string dataPath = path;
            if (IsPairName(path))
            {
                PairPaths(path, out var hdr, out var img);
                dataPath = h.SingleFile ? hdr : img;
                if (dataPath == null || !File.Exists(dataPath))
                    throw new NiftiFormatException(NiftiErrorKind.NotFound, path, "image (.img) file of the pair not found");
            }
            int bytesPerVoxel = NiftiDataTypes.BytesPerVoxel(h.DataType);
            long dataBytes, expected;
            try
            {
                dataBytes = checked(h.TotalVoxels * bytesPerVoxel);
                expected = checked((long)h.VoxOffset + dataBytes);
            }
            catch (OverflowException)
            {
                throw new NiftiFormatException(NiftiErrorKind.BadHeader, path, "the dimensions describe more data than a file can hold");
            }

            bool gzip;
            long length;
            uint isize = 0;
            using (var fs = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
            {
                length = fs.Length;
                gzip = IsGzip(fs);
                // Members written by GzipMembers give their inflated lengths in their headers.
                var members = gzip ? GzipMembers.TryIndex(fs) : null;
                if (members != null && GzipMembers.RawLength(members) == expected) return;
                if (gzip && !TryReadGzipSize(fs, out isize))
                    throw new NiftiFormatException(NiftiErrorKind.Truncated, dataPath, length < 18
                        ? "the gzip file has only " + length + " bytes (truncated file?)"
                        : "the gzip trailer could not be read");
            }
            if (!gzip)
            {
                if (length < expected)
                    throw new NiftiFormatException(NiftiErrorKind.Truncated, dataPath,
                        "the header describes " + dataBytes + " data bytes from offset " + (long)h.VoxOffset + " (" + expected + " bytes in all), but the file has "
                        + length + " bytes (truncated file?)");
                return;
            }
            if (isize == unchecked((uint)expected)) return;
            // The trailer disagrees: a truncated file (its last bytes are deflate data), or a gzip of
            // several members. Only reading it through tells which; the reader names what is wrong.
            NiftiReader.Read(path, new NiftiReadOptions { ComplexAsMagnitude = true });
        }

        /// <summary>Strips the image extension (.nii.gz, .nii, .voi, .hdr …) from a file name.</summary>
        public static string StripExtension(string name)
        {
            string[] exts = { ".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".voi", ".hdr", ".img" };
            foreach (var e in exts)
                if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) return name.Substring(0, name.Length - e.Length);
            return name;
        }
    }
}
