using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>
    /// The voxel-wise lesion overlap (the ATLAS paper's Figure 3): a count of masks per voxel and the
    /// number of masks N, from which the proportion map count/N follows. Streams: one mask at a time
    /// is added to an int32 accumulator. Counts are integers, so partial maps from separate shards
    /// (each a count map with N in its header) add up to exactly the single-pass result.
    /// </summary>
    public sealed class LesionOverlapMap
    {
        /// <summary>intent_name of a count map; N is stored in intent_p1 and in descrip.</summary>
        public const string CountIntentName = "LesionCount";

        private readonly int[] _counts;

        public LesionOverlapMap(Grid grid, NiftiHeader template = null, string gridSource = null)
        {
            Grid = grid ?? throw new ArgumentNullException(nameof(grid));
            Template = template;
            GridSource = gridSource;
            _counts = new int[grid.VoxelCount];
        }

        public Grid Grid { get; }
        /// <summary>The header new maps copy (from the first mask).</summary>
        public NiftiHeader Template { get; }
        /// <summary>The file whose grid the map uses (for error messages).</summary>
        public string GridSource { get; }
        /// <summary>Masks added (N), including those inside merged partial maps.</summary>
        public long MaskCount { get; private set; }
        /// <summary>The counts (shared, not copied).</summary>
        public int[] Counts => _counts;

        /// <summary>A map on the grid of its first mask.</summary>
        public static LesionOverlapMap StartWith(AtlasVolume first)
        {
            var m = new LesionOverlapMap(first.Grid, first.Header, first.Path);
            m.Add(first);
            return m;
        }

        /// <summary>Adds one mask (non-zero = lesion); a mask on another grid is a GridMismatch error naming it.</summary>
        public void Add(AtlasVolume mask)
        {
            GridCheck.RequireSame(Grid, GridSource, mask.Grid, mask.Path);
            if (IsCountMap(mask.Header)) { AddPartial(mask); return; }
            // A byte mask is counted as it was read (non-zero = lesion, as the binarised copy would be).
            var plain = mask.PlainBytes;
            if (plain != null && plain.LongLength == _counts.LongLength) { Add(plain); return; }
            // Otherwise the binarised mask goes into one scratch array, reused for every mask added
            // (adding is one mask at a time; the map is not for concurrent use).
            _scratch = _scratch ?? new byte[_counts.LongLength];
            mask.ToMaskInto(_scratch);
            Add(_scratch);
        }

        private byte[] _scratch;

        public void Add(byte[] mask)
        {
            if (mask == null || mask.LongLength != _counts.LongLength) throw new ArgumentException("The mask does not match the map's grid.");
            int nz = Grid.NZ, plane = Grid.NX * Grid.NY;
            Parallel.For(0, nz, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                // Lesion masks are mostly zero: runs of 256 zero bytes are skipped a vector at a time.
                const int run = 256;
                int s = k * plane, e = s + plane;
                for (int r = s; r < e; r += run)
                {
                    int re = Math.Min(e, r + run);
                    if (VoxelConvert.AllZero(mask, r, re - r)) continue;
                    for (int i = r; i < re; i++) if (mask[i] != 0) _counts[i]++;
                }
            });
            MaskCount++;
        }

        /// <summary>True for a count map written by <see cref="ToCountVolume"/> (a partial map).</summary>
        public static bool IsCountMap(NiftiHeader h) =>
            h != null && string.Equals(h.IntentName, CountIntentName, StringComparison.Ordinal) && h.IntentP1 >= 0;

        /// <summary>Adds a partial count map: its counts and its N.</summary>
        public void AddPartial(AtlasVolume counts)
        {
            if (!IsCountMap(counts.Header))
                throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, counts.Path, "not a lesion count map (intent name '" + CountIntentName + "' with N in intent_p1).");
            GridCheck.RequireSame(Grid, GridSource, counts.Grid, counts.Path);
            var v = counts.ToFloat64();
            long n = (long)Math.Round(counts.Header.IntentP1);
            for (long i = 0; i < v.LongLength; i++)
            {
                double c = v[i];
                if (c < 0 || c > n || c != Math.Floor(c))
                    throw new NiftiFormatException(NiftiErrorKind.ValueOutOfRange, counts.Path, "count " + c.ToString(CultureInfo.InvariantCulture) + " at voxel " + i + " is not an integer in 0.." + n + ".");
                _counts[i] += (int)c;
            }
            MaskCount += n;
        }

        /// <summary>Adds another accumulator's counts and N.</summary>
        public void Merge(LesionOverlapMap other)
        {
            GridCheck.RequireSame(Grid, GridSource, other.Grid, other.GridSource);
            for (long i = 0; i < _counts.LongLength; i++) _counts[i] += other._counts[i];
            MaskCount += other.MaskCount;
        }

        /// <summary>The count map (int16 when N ≤ 32767, else int32), with N in intent_p1 and descrip.</summary>
        public AtlasVolume ToCountVolume()
        {
            var h = CountHeader();
            var d = NiftiDataTypes.Allocate(h.DataType, _counts.LongLength);
            FillCounts(d);
            return new AtlasVolume(h, d);
        }

        /// <summary>The proportion map count/N as float32 (0 = never lesioned, 1 = lesioned in every mask).</summary>
        public AtlasVolume ToProportionVolume()
        {
            var h = ProportionHeader();
            var p = new float[_counts.LongLength];
            FillProportions(0, p);
            return new AtlasVolume(h, p);
        }

        /// <summary>
        /// Writes the count map (<see cref="ToCountVolume"/>) to a file without making it whole first: each piece
        /// of the file is converted from the counts as it is compressed. A .voi (a mask) is written from the volume.
        /// </summary>
        public void WriteCountMap(string path, NiftiWriteOptions options = null)
        {
            if (NiftiFiles.KindOf(path) == NiftiFileKind.Voi) { NiftiWriter.Write(ToCountVolume(), path, options); return; }
            var h = CountHeader();
            if (h.DataType == NiftiDataType.Int32)
                NiftiWriter.Write(h, (first, dst) => MemoryMarshal.AsBytes(new ReadOnlySpan<int>(_counts, (int)(first / 4), dst.Length / 4)).CopyTo(dst), path, options);
            else
                NiftiWriter.Write(h, (first, dst) => FillCounts(first / 2, MemoryMarshal.Cast<byte, short>(dst)), path, options);
        }

        /// <summary>Writes the proportion map (<see cref="ToProportionVolume"/>) to a file without making it whole first.</summary>
        public void WriteProportionMap(string path, NiftiWriteOptions options = null)
        {
            if (NiftiFiles.KindOf(path) == NiftiFileKind.Voi) { NiftiWriter.Write(ToProportionVolume(), path, options); return; }
            NiftiWriter.Write(ProportionHeader(), (first, dst) => FillProportions(first / 4, MemoryMarshal.Cast<byte, float>(dst)), path, options);
        }

        private NiftiHeader CountHeader()
        {
            bool small = MaskCount <= short.MaxValue;
            var h = AtlasVolume.MakeHeader(Grid, small ? NiftiDataType.Int16 : NiftiDataType.Int32, Template);
            h.IntentCode = 0; h.IntentName = CountIntentName; h.IntentP1 = MaskCount; h.IntentP2 = 0; h.IntentP3 = 0;
            h.CalMin = 0; h.CalMax = MaskCount;
            h.Descrip = "lesion count map N=" + MaskCount.ToString(CultureInfo.InvariantCulture);
            return h;
        }

        private NiftiHeader ProportionHeader()
        {
            if (MaskCount == 0) throw new InvalidOperationException("No masks were added.");
            var h = AtlasVolume.MakeHeader(Grid, NiftiDataType.Float32, Template);
            h.IntentCode = 0; h.IntentName = "LesionProportion"; h.IntentP1 = MaskCount;
            h.CalMin = 0; h.CalMax = 1;
            h.Descrip = "lesion overlap proportion N=" + MaskCount.ToString(CultureInfo.InvariantCulture);
            return h;
        }

        private void FillCounts(Array destination)
        {
            if (destination is int[] wide) { Array.Copy(_counts, wide, _counts.LongLength); return; }
            FillCounts(0, (short[])destination);
        }

        [MethodImpl(JitHints.Optimized)]
        private void FillCounts(long first, Span<short> destination)
        {
            var c = new ReadOnlySpan<int>(_counts, (int)first, destination.Length);
            for (int i = 0; i < c.Length; i++) destination[i] = (short)c[i];
        }

        [MethodImpl(JitHints.Optimized)]
        private void FillProportions(long first, Span<float> destination)
        {
            var c = new ReadOnlySpan<int>(_counts, (int)first, destination.Length);
            double n = MaskCount;
            for (int i = 0; i < c.Length; i++) destination[i] = (float)(c[i] / n);
        }
    }
}

namespace Atlas.Core.Lesions
{
    /// <summary>What New-LesionOverlapMap / Merge-LesionOverlapMap wrote.</summary>
    public sealed class LesionOverlapResult
    {
        /// <summary>Masks in the map (N).</summary>
        public long MaskCount { get; set; }
        /// <summary>Largest count at any voxel, and that count over N.</summary>
        public int MaxCount { get; set; }
        public double MaxProportion { get; set; }
        /// <summary>Voxels lesioned in at least one mask, and their volume.</summary>
        public long LesionedVoxels { get; set; }
        public double LesionedVolumeMm3 { get; set; }
        /// <summary>The proportion map (float32 count/N), unless only a partial count map was written.</summary>
        public string ProportionPath { get; set; }
        /// <summary>The count map (int16/int32, N in intent_p1).</summary>
        public string CountPath { get; set; }
        public bool Partial { get; set; }
        /// <summary>Inputs left out (unreadable, or on another grid with -SkipMismatched).</summary>
        public int SkippedCount { get; set; }

        /// <summary>Summary figures of a map.</summary>
        public static LesionOverlapResult Of(LesionOverlapMap map)
        {
            int max = 0; long any = 0;
            foreach (var c in map.Counts) { if (c > max) max = c; if (c > 0) any++; }
            return new LesionOverlapResult
            {
                MaskCount = map.MaskCount, MaxCount = max, MaxProportion = map.MaskCount > 0 ? (double)max / map.MaskCount : 0,
                LesionedVoxels = any, LesionedVolumeMm3 = any * map.Grid.VoxelVolumeMm3,
            };
        }
    }
}
