using System;
using System.Threading.Tasks;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// An image in memory: its header (as read, or made for it), its grid, and its voxels as one
    /// typed array in the file's datatype (unscaled, as stored). Values users see are the scaled
    /// ones: <see cref="ToFloat32"/>, <see cref="ToFloat64"/>, <see cref="GetValue"/>.
    /// Layout: x fastest, then y, z, then frames; RGB/complex interleave their elements per voxel.
    /// </summary>
    public sealed class AtlasVolume
    {
        public AtlasVolume(NiftiHeader header, Array data, string path = null, int? frame = null)
        {
            Header = header ?? throw new ArgumentNullException(nameof(header));
            Grid = Grid.FromHeader(header);
            Data = data;
            Path = path;
            Frame = frame;
        }

        public NiftiHeader Header { get; }
        public Grid Grid { get; }
        /// <summary>Typed voxel array (byte[], short[], float[] …) in <see cref="DataType"/>; null when only the header was read.</summary>
        public Array Data { get; private set; }
        public string Path { get; set; }
        /// <summary>The frame that was read from a 4D+ file, or null when all frames are held.</summary>
        public int? Frame { get; }

        public NiftiDataType DataType => Header.DataType;
        /// <summary>Voxels along i, j, k.</summary>
        public int[] Dimensions => Grid.Dimensions;
        public double[] VoxelSizeMm => Grid.VoxelSizeMm;
        /// <summary>Voxel-to-world affine (mm): sform, else qform, else pixdim scaling.</summary>
        public double[,] Affine => Grid.Affine;
        /// <summary>Axis codes of the voxel axes, e.g. RAS or LAS.</summary>
        public string Orientation => Grid.Orientation;
        public double[] VoxelToWorld(double i, double j, double k) => Grid.VoxelToWorld(i, j, k);
        public double[] WorldToVoxel(double x, double y, double z) => Grid.WorldToVoxel(x, y, z);
        /// <summary>Frames in the file (product of dims 4..7).</summary>
        public long FrameCount => Header.FrameCount;
        /// <summary>Frames held in <see cref="Data"/>.</summary>
        public long FramesLoaded => Data == null ? 0 : Data.Length / (Grid.VoxelCount * NiftiDataTypes.ElementsPerVoxel(DataType));
        public bool HasData => Data != null;
        public double Slope => Header.EffectiveSlope;
        public double Intercept => Header.EffectiveIntercept;

        /// <summary>
        /// The voxel array when it holds plain bytes, one value per voxel stored as it is (uint8, no scaling), which a
        /// mask's code can read, or binarise, in place (non-zero = lesion, as <see cref="ToMask(int)"/> has it); else
        /// null. It may hold several frames, the first one first.
        /// </summary>
        internal byte[] PlainBytes =>
            Data is byte[] b && b.GetType() == typeof(byte[]) && Slope == 1.0 && Intercept == 0.0 && NiftiDataTypes.ElementsPerVoxel(DataType) == 1 ? b : null;

        // --------------------------------------------------------------- making volumes

        /// <summary>A header for new data on a grid: sform and qform from the grid's affine, NIfTI-1.</summary>
        public static NiftiHeader MakeHeader(Grid grid, NiftiDataType type, NiftiHeader template = null)
        {
            var h = template != null ? template.Clone() : new NiftiHeader();
            if (template == null)
            {
                h.XyztUnits = 2 | 8; // mm, s
                h.QFormCode = 1; h.SFormCode = 1;
                h.Magic = "n+1";
            }
            h.Dim = new long[8];
            h.Dim[0] = 3; h.Dim[1] = grid.NX; h.Dim[2] = grid.NY; h.Dim[3] = grid.NZ;
            for (int d = 4; d < 8; d++) h.Dim[d] = 1;
            SetGeometry(h, grid);
            h.DataType = type;
            h.BitPix = (short)(NiftiDataTypes.BytesPerVoxel(type) * 8);
            h.SclSlope = 1.0; h.SclInter = 0.0;
            return h;
        }

        /// <summary>Writes a grid's affine into sform and qform (codes kept, set to 1 when 0) and pixdim.</summary>
        public static void SetGeometry(NiftiHeader h, Grid grid)
        {
            var a = grid.Affine;
            for (int c = 0; c < 4; c++) { h.SRowX[c] = a[0, c]; h.SRowY[c] = a[1, c]; h.SRowZ[c] = a[2, c]; }
            AffineMath.MatrixToQuaternion(a, out var b, out var qc, out var d, out var qx, out var qy, out var qz, out _, out _, out _, out var qfac);
            h.QuaternB = b; h.QuaternC = qc; h.QuaternD = d;
            h.QOffsetX = qx; h.QOffsetY = qy; h.QOffsetZ = qz;
            h.PixDim[0] = qfac;
            h.PixDim[1] = grid.VoxelSizeMm[0]; h.PixDim[2] = grid.VoxelSizeMm[1]; h.PixDim[3] = grid.VoxelSizeMm[2];
            if (h.SFormCode <= 0) h.SFormCode = 1;
            if (h.QFormCode <= 0) h.QFormCode = 1;
        }

        /// <summary>A binary mask volume: uint8, scl_slope 1, scl_inter 0, geometry from the grid (or the template's header).</summary>
        public static AtlasVolume FromMask(Grid grid, byte[] mask, NiftiHeader template = null)
        {
            CheckLength(grid, mask.Length);
            var h = MakeHeader(grid, NiftiDataType.UInt8, template);
            h.CalMin = 0; h.CalMax = 1;
            return new AtlasVolume(h, mask);
        }

        /// <summary>A float32 volume on a grid (header from the template when given).</summary>
        public static AtlasVolume FromFloat32(Grid grid, float[] data, NiftiHeader template = null)
        {
            CheckLength(grid, data.Length);
            var h = MakeHeader(grid, NiftiDataType.Float32, template);
            h.CalMin = 0; h.CalMax = 0;
            return new AtlasVolume(h, data);
        }

        /// <summary>Any typed array on a grid, in the datatype its element type implies.</summary>
        public static AtlasVolume FromArray(Grid grid, Array data, NiftiDataType type, NiftiHeader template = null)
        {
            var h = MakeHeader(grid, type, template);
            return new AtlasVolume(h, data);
        }

        private static void CheckLength(Grid grid, long n)
        {
            if (n != grid.VoxelCount) throw new ArgumentException("Data length " + n + " does not match the grid's " + grid.VoxelCount + " voxels.");
        }

        // --------------------------------------------------------------- reading values

        /// <summary>Hands the voxel array to a <see cref="VoxelBufferPool"/>; the volume is header-only afterwards.</summary>
        internal Array DetachData()
        {
            var d = Data;
            Data = null;
            _detached = true;
            return d;
        }

        private bool _detached;

        private void RequireData()
        {
            if (_detached) throw new InvalidOperationException((Path ?? "volume") + ": its voxels were given back to a buffer pool; the volume can no longer be used.");
            if (Data == null) throw new InvalidOperationException((Path ?? "volume") + ": only the header was read; import it without -HeaderOnly to use its voxels.");
        }

        private void RequireFrame(int frame)
        {
            if (frame < 0 || frame >= FramesLoaded)
                throw new ArgumentOutOfRangeException(nameof(frame), frame, (Path ?? "volume") + ": frame " + frame + " is not held; " + FramesLoaded + " frame(s) were read, numbered from 0.");
        }

        private void RequireScalar()
        {
            if (NiftiDataTypes.ElementsPerVoxel(DataType) != 1)
                throw new NotSupportedException((Path ?? "volume") + ": datatype " + DataType + " has several values per voxel; convert it to a scalar image first.");
        }

        /// <summary>The scaled value of voxel (i,j,k) in frame f (held frames, 0-based).</summary>
        public double GetValue(int i, int j, int k, int frame = 0)
        {
            RequireData(); RequireScalar(); RequireFrame(frame);
            long idx = (long)frame * Grid.VoxelCount + Grid.Index(i, j, k);
            return Raw(idx) * Slope + Intercept;
        }

        private double Raw(long i)
        {
            switch (Data)
            {
                case byte[] a when a.GetType() == typeof(byte[]): return a[i];
                case sbyte[] a when a.GetType() == typeof(sbyte[]): return a[i];
                case short[] a when a.GetType() == typeof(short[]): return a[i];
                case ushort[] a when a.GetType() == typeof(ushort[]): return a[i];
                case int[] a when a.GetType() == typeof(int[]): return a[i];
                case uint[] a when a.GetType() == typeof(uint[]): return a[i];
                case long[] a when a.GetType() == typeof(long[]): return a[i];
                case ulong[] a when a.GetType() == typeof(ulong[]): return a[i];
                case float[] a: return a[i];
                case double[] a: return a[i];
                default: throw new NotSupportedException("Unsupported voxel array " + Data.GetType().Name);
            }
        }

        /// <summary>Scaled values of one held frame as float32, always a new array (callers may change it).</summary>
        public float[] ToFloat32(int frame = 0)
        {
            RequireData(); RequireScalar(); RequireFrame(frame);
            long n = Grid.VoxelCount;
            var dst = (float[])NiftiDataTypes.AllocateForOverwrite(NiftiDataType.Float32, n);
            VoxelConvert.ToFloat32(Data, frame * n, dst, Slope, Intercept);
            return dst;
        }

        /// <summary>Scaled values of one held frame as float64 (always a new array).</summary>
        public double[] ToFloat64(int frame = 0)
        {
            RequireData(); RequireScalar(); RequireFrame(frame);
            long n = Grid.VoxelCount;
            var dst = (double[])NiftiDataTypes.AllocateForOverwrite(NiftiDataType.Float64, n);
            VoxelConvert.ToFloat64(Data, frame * n, dst, Slope, Intercept);
            return dst;
        }

        /// <summary>Scaled values of every held frame as float64.</summary>
        public double[] ToFloat64All()
        {
            RequireData(); RequireScalar();
            var dst = new double[Data.LongLength];
            VoxelConvert.ToFloat64(Data, 0, dst, Slope, Intercept);
            return dst;
        }

        /// <summary>Channels per voxel: 3 for RGB24, 4 for RGBA32, 1 otherwise.</summary>
        public int ChannelCount => DataType == NiftiDataType.Rgb24 ? 3 : DataType == NiftiDataType.Rgba32 ? 4 : 1;

        /// <summary>One channel (0 = red, 1 = green, 2 = blue, 3 = alpha) of an RGB24/RGBA32 image, one byte per voxel.</summary>
        public byte[] ToChannel(int channel, int frame = 0)
        {
            RequireData();
            int c = ChannelCount;
            if (c == 1) throw new NotSupportedException((Path ?? "volume") + ": datatype " + DataType + " has no colour channels.");
            if (channel < 0 || channel >= c) throw new ArgumentOutOfRangeException(nameof(channel), "channel must be 0.." + (c - 1));
            var src = (byte[])Data;
            long n = Grid.VoxelCount, o = (long)frame * n * c + channel;
            var dst = new byte[n];
            for (long i = 0; i < n; i++) dst[i] = src[o + i * c];
            return dst;
        }

        /// <summary>The binarisation used everywhere: 1 where the scaled value is non-zero (NaN is 0), else 0.</summary>
        public byte[] ToMask(int frame = 0) => ToMask(frame, null);

        /// <summary>Binarises a frame into <paramref name="destination"/> (one byte per voxel), as <see cref="ToMask(int)"/> does.</summary>
        internal void ToMaskInto(byte[] destination, int frame = 0)
        {
            RequireData(); RequireScalar(); RequireFrame(frame);
            long n = Grid.VoxelCount;
            if (destination.LongLength != n) throw new ArgumentException("The mask array does not match the grid.");
            VoxelConvert.ToMask(Data, frame * n, destination, Slope, Intercept);
        }

        /// <summary>As <see cref="ToMask(int)"/>, the mask array rented from <paramref name="pool"/> (give it back when done).</summary>
        public byte[] ToMask(int frame, VoxelBufferPool pool)
        {
            RequireData(); RequireScalar(); RequireFrame(frame); // before renting a voxel-sized array
            var dst = (byte[])NiftiDataTypes.AllocateForOverwrite(NiftiDataType.UInt8, Grid.VoxelCount, pool);
            ToMaskInto(dst, frame);
            return dst;
        }

        /// <summary>1 where the scaled value equals <paramref name="label"/> (a label map's region).</summary>
        public byte[] ToLabelMask(double label, int frame = 0) => ToLabelRangeMask(label, label, frame);

        /// <summary>1 where the scaled value lies in [<paramref name="lowest"/>, <paramref name="highest"/>] (a run of a label map's regions).</summary>
        public byte[] ToLabelRangeMask(double lowest, double highest, int frame = 0)
        {
            var v = ToFloat64(frame);
            var dst = new byte[v.Length];
            Parallel.For(0, Grid.NZ, k =>
            {
                int s = k * Grid.NX * Grid.NY, e = s + Grid.NX * Grid.NY;
                for (int i = s; i < e; i++) dst[i] = v[i] >= lowest && v[i] <= highest ? (byte)1 : (byte)0;
            });
            return dst;
        }

        public override string ToString() => (Path ?? "(in memory)") + " " + Grid + " " + DataType;
    }
}
