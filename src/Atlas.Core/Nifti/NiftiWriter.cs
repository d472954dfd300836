using System;
using System.IO;
using System.IO.Compression;
using Atlas.Core.Volumes;

namespace Atlas.Core.Nifti
{
    public sealed class NiftiWriteOptions
    {
        /// <summary>Store as this datatype (values rounded and range-checked); null keeps the volume's.</summary>
        public NiftiDataType? DataType { get; set; }
        /// <summary>gzip level for .nii.gz/.voi; Fastest is zlib level 1, nibabel's default.</summary>
        public CompressionLevel Compression { get; set; } = CompressionLevel.Fastest;
        /// <summary>Force NIfTI-2 (it is chosen anyway when a dimension exceeds 32767).</summary>
        public bool Nifti2 { get; set; }
        /// <summary>
        /// Inflated bytes per gzip member of a .nii.gz or .img.gz (members are compressed on all cores);
        /// internal so tests can vary the layout.
        /// </summary>
        internal int GzipMemberBytes { get; set; } = GzipMembers.DefaultMemberBytes;
    }

    /// <summary>
    /// Writes NIfTI-1 (or NIfTI-2 when needed) by extension: .nii, .nii.gz, .hdr/.img(.gz), and .voi
    /// as MRIcron writes it (gzipped NIfTI-1, uint8). Every file goes to a temporary name first.
    /// .nii.gz and .img.gz are written as several gzip members compressed on all cores
    /// (<see cref="GzipMembers"/>); .voi and .hdr.gz as one member.
    /// </summary>
    public static class NiftiWriter
    {
        public static void Write(AtlasVolume volume, string path, NiftiWriteOptions options = null)
        {
            if (volume == null) throw new ArgumentNullException(nameof(volume));
            if (!volume.HasData) throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, volume.Path, "only the header was read; there are no voxels to write");
            options = options ?? new NiftiWriteOptions();
            var kind = NiftiFiles.KindOf(path);
            var h = volume.Header.Clone();
            Array data = volume.Data;

            NiftiDataType target = options.DataType ?? h.DataType;
            if (kind == NiftiFileKind.Voi) target = NiftiDataType.UInt8;
            if (NiftiDataTypes.ElementsPerVoxel(h.DataType) != 1 && (target != h.DataType || kind == NiftiFileKind.Voi))
                throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path,
                    "a " + h.DataType + " image (several values per voxel) can only be written as " + h.DataType + ", not " + (kind == NiftiFileKind.Voi ? "a .voi mask" : target.ToString()));
            if (kind == NiftiFileKind.Voi)
            {
                var mask = volume.ToMask(0);
                data = mask;
                h.SclSlope = 1; h.SclInter = 0; h.CalMin = 0; h.CalMax = 1;
                h.IntentName = "B";
            }
            else if (target != h.DataType)
            {
                var values = volume.ToFloat64All();
                data = VoxelConvert.FromFloat64(values, target, 1.0, 0.0, path);
                h.SclSlope = 1.0; h.SclInter = 0.0;
            }
            h.DataType = target;
            h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(target) * 8);

            // Held frames decide the dims: a single frame read from a 4D file is written as 3D.
            long frames = data.LongLength / (volume.Grid.VoxelCount * NiftiDataTypes.ElementsPerVoxel(target));
            if (frames != h.FrameCount)
            {
                if (frames != 1) throw new InvalidOperationException("Held frames do not match the header's dimensions.");
                h.Dim[0] = 3;
                for (int d = 4; d < 8; d++) h.Dim[d] = 1;
            }

            bool swap = h.LittleEndian != BitConverter.IsLittleEndian;
            WriteFile(h, kind, path, options, new Payload { Data = data, ElementSize = NiftiDataTypes.ElementSize(target), Swap = swap, Bytes = Buffer.ByteLength(data) });
        }

        /// <summary>
        /// Writes an image whose voxels are never held whole: <paramref name="fill"/> makes the stored bytes
        /// (the header's datatype, in this machine's byte order) of each piece, in order for a plain file and on
        /// all cores, a gzip member at a time, for a .nii.gz. The header gives the grid, datatype and every other
        /// field, as for <see cref="Write(AtlasVolume, string, NiftiWriteOptions)"/>; a .voi is refused (a mask is
        /// written from its voxels).
        /// </summary>
        public static void Write(NiftiHeader header, ByteFill fill, string path, NiftiWriteOptions options = null)
        {
            if (header == null) throw new ArgumentNullException(nameof(header));
            if (fill == null) throw new ArgumentNullException(nameof(fill));
            options = options ?? new NiftiWriteOptions();
            var kind = NiftiFiles.KindOf(path);
            if (kind == NiftiFileKind.Voi)
                throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "a .voi mask is written from its voxels, not piece by piece");
            if (options.DataType != null && options.DataType != header.DataType)
                throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "voxels written piece by piece are stored as the header's " + header.DataType);
            var h = header.Clone();
            h.LittleEndian = BitConverter.IsLittleEndian; // fill makes this machine's order
            h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(h.DataType) * 8);
            long bytes = h.TotalVoxels * NiftiDataTypes.BytesPerVoxel(h.DataType);
            WriteFile(h, kind, path, options, new Payload { Fill = fill, Bytes = bytes, ElementSize = 1 });
        }

        /// <summary>The voxel bytes of a file: a typed array (swapped on the way out when asked), or a fill.</summary>
        private sealed class Payload
        {
            public Array Data;
            public ByteFill Fill;
            public int ElementSize;
            public bool Swap;
            public long Bytes;

            public void WriteMembers(Stream s, byte[] head, NiftiWriteOptions o)
            {
                if (Fill == null) GzipMembers.Write(s, head, Data, ElementSize, Swap, o.Compression, o.GzipMemberBytes);
                else GzipMembers.Write(s, head, Bytes, Fill, o.Compression, o.GzipMemberBytes);
            }

            public void WriteTo(Stream s)
            {
                if (Fill == null) { StreamIO.WriteFrom(s, Data, ElementSize, Swap); return; }
                var piece = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(Bytes, 1 << 20));
                try
                {
                    for (long at = 0; at < Bytes; at += piece.Length)
                    {
                        int n = (int)Math.Min(piece.Length, Bytes - at);
                        Fill(at, new Span<byte>(piece, 0, n));
                        s.Write(piece, 0, n);
                    }
                }
                finally { System.Buffers.ArrayPool<byte>.Shared.Return(piece); }
            }
        }

        /// <summary>Writes a prepared header and its voxels to a temporary name and renames it into place.</summary>
        private static void WriteFile(NiftiHeader h, NiftiFileKind kind, string path, NiftiWriteOptions options, Payload voxels)
        {
            // An Analyze source becomes NIfTI; its geometry stays the pixdim scaling it had.
            if (h.Format == NiftiFormat.Analyze75) { h.QFormCode = 0; h.SFormCode = 0; }
            bool needs2 = options.Nifti2;
            for (int d = 1; d < 8; d++) if (h.Dim[d] > short.MaxValue) needs2 = true;
            h.Format = needs2 ? NiftiFormat.Nifti2 : NiftiFormat.Nifti1;
            bool single = kind == NiftiFileKind.Nii || kind == NiftiFileKind.NiiGz || kind == NiftiFileKind.Voi;
            h.SingleFile = single;
            h.Magic = needs2 ? (single ? "n+2" : "ni2") : (single ? "n+1" : "ni1");
            int extBytes = 0;
            foreach (var e in h.Extensions) extBytes += e.SizeOnDisk;
            h.VoxOffset = single ? (h.HeaderSize + 4 + extBytes + 15) / 16 * 16 : 0;

            var headerBytes = h.ToBytes(true);
            bool gz = kind == NiftiFileKind.NiiGz || kind == NiftiFileKind.Voi || kind == NiftiFileKind.PairGz;

            if (kind == NiftiFileKind.NiiGz)
            {
                // Several gzip members compressed on all cores (GzipMembers): the header its own member.
                var head = new byte[(int)h.VoxOffset];
                Array.Copy(headerBytes, head, headerBytes.Length);
                AtomicFile.Write(path, s => voxels.WriteMembers(s, head, options));
            }
            else if (single)
            {
                // .nii, and .voi as one gzip member: MRIcron reads .voi masks with its own gzip code.
                AtomicFile.Write(path, s => WriteBody(s, gz, options.Compression, z =>
                {
                    z.Write(headerBytes, 0, headerBytes.Length);
                    int pad = (int)h.VoxOffset - headerBytes.Length;
                    if (pad > 0) z.Write(new byte[pad], 0, pad);
                    voxels.WriteTo(z);
                }));
            }
            else
            {
                NiftiFiles.PairTargets(path, out var hdrPath, out var imgPath);
                string imgTmp = AtomicFile.WriteTemp(imgPath, s =>
                {
                    if (gz) voxels.WriteMembers(s, null, options);
                    else voxels.WriteTo(s);
                });
                string hdrTmp;
                try
                {
                    hdrTmp = AtomicFile.WriteTemp(hdrPath, s => WriteBody(s, gz, options.Compression, z => z.Write(headerBytes, 0, headerBytes.Length)));
                }
                catch { AtomicFile.TryDelete(imgTmp); throw; }
                AtomicFile.Commit(imgTmp, imgPath);
                AtomicFile.Commit(hdrTmp, hdrPath);
            }
        }

        private static void WriteBody(Stream s, bool gz, CompressionLevel level, Action<Stream> body)
        {
            if (!gz) { body(s); return; }
            using (var z = new GZipStream(s, level, true)) body(z);
        }

    }
}
