using System;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Atlas.Core.Imaging;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Metrics
{
    /// <summary>
    /// Every agreement metric of a reference and a candidate mask in one call: voxel overlap,
    /// volumes, surface distances (exact EDT) and lesion-wise detection. The work after the
    /// voxel counts happens inside the union bounding box of the two masks, grown by one voxel
    /// so that the surface rule sees the outside, which keeps a pair of lesions in a 256³ image cheap.
    /// </summary>
    public static class OverlapMetrics
    {
        private static bool IsPlainByteMask(AtlasVolume v) => v.PlainBytes is byte[] d && d.LongLength == v.Grid.VoxelCount;

        /// <summary>
        /// Reads two mask files and compares them; see <see cref="Compute(AtlasVolume, AtlasVolume, OverlapOptions, double?)"/>.
        /// Without a pool both files are read at once. With a <paramref name="pool"/> (many pairs in a row, several
        /// in work) the voxel arrays come from it and go back to it, and byte masks (a .voi, a uint8 mask) are read
        /// one after the other, each binarised into a copy of its own bounding box and its voxel array given back
        /// before the next is read, so a pair in work holds one image-sized array, not two; the metrics, computed in
        /// the union box, are the same as on the whole grid.
        /// </summary>
        public static LesionOverlap Compute(string referencePath, string candidatePath, OverlapOptions options = null, double? label = null, VoxelBufferPool pool = null)
        {
            if (referencePath == null) throw new ArgumentNullException(nameof(referencePath));
            if (candidatePath == null) throw new ArgumentNullException(nameof(candidatePath));
            if (pool == null) return ComputeAtOnce(referencePath, candidatePath, options, label);
            var read = new NiftiReadOptions { Pool = pool };
            var r = NiftiReader.Read(referencePath, read);
            if (label.HasValue || !IsPlainByteMask(r)) return CompareRead(r, candidatePath, read, options, label, pool);
            MaskBox rb;
            try { rb = MaskBox.Of((byte[])r.Data, r.Grid); }
            finally { pool.Return(r); }
            var c = NiftiReader.Read(candidatePath, read);
            try
            {
                GridCheck.RequireSame(r, c, "the reference", "the candidate");
                if (!IsPlainByteMask(c))
                {
                    // A byte reference against a candidate of another type: both whole, as for volumes.
                    var again = NiftiReader.Read(referencePath, read);
                    try { return Compute(again, c, options, label, pool); }
                    finally { pool.Return(again); }
                }
                var cb = MaskBox.Of((byte[])c.Data, c.Grid);
                pool.Return(c);
                var result = CompareBoxes(rb, cb, r.Grid, options);
                result.ReferencePath = r.Path;
                result.CandidatePath = c.Path;
                return result;
            }
            finally { pool.Return(c); }
        }

        // One pair on its own: both files read at once, byte masks binarised where they lie.
        private static LesionOverlap ComputeAtOnce(string referencePath, string candidatePath, OverlapOptions options, double? label)
        {
            var t = Task.Run(() => NiftiReader.Read(candidatePath));
            AtlasVolume r = null;
            try { r = NiftiReader.Read(referencePath); }
            finally { try { t.Wait(); } catch (AggregateException) { } }
            if (t.IsFaulted) throw t.Exception.InnerException;
            if (!label.HasValue && IsPlainByteMask(r) && IsPlainByteMask(t.Result))
            {
                GridCheck.RequireSame(r, t.Result, "the reference", "the candidate");
                var a = (byte[])r.Data; var b = (byte[])t.Result.Data;
                VoxelConvert.ToMask(a, 0, a, 1, 0);
                VoxelConvert.ToMask(b, 0, b, 1, 0);
                var result = Compute(a, b, r.Grid, options);
                result.ReferencePath = r.Path;
                result.CandidatePath = t.Result.Path;
                return result;
            }
            return Compute(r, t.Result, options, label, null);
        }

        // The reference was read and is not a plain byte mask (or a label is asked for): the candidate is read and both compared whole.
        private static LesionOverlap CompareRead(AtlasVolume r, string candidatePath, NiftiReadOptions read, OverlapOptions options, double? label, VoxelBufferPool pool)
        {
            AtlasVolume c = null;
            try
            {
                c = NiftiReader.Read(candidatePath, read);
                return Compute(r, c, options, label, pool);
            }
            finally { pool.Return(r); pool.Return(c); }
        }

        // The two masks placed in their union box grown by one voxel on every side within the image (the box the
        // whole-grid computation crops to), and compared there: every count and distance is that of the whole grid.
        private static LesionOverlap CompareBoxes(MaskBox r, MaskBox c, Grid grid, OverlapOptions options)
        {
            var boxes = new[] { r, c };
            int x0 = int.MaxValue, y0 = int.MaxValue, z0 = int.MaxValue, x1 = -1, y1 = -1, z1 = -1;
            foreach (var b in boxes)
            {
                if (b.IsEmpty) continue;
                x0 = Math.Min(x0, b.X0); y0 = Math.Min(y0, b.Y0); z0 = Math.Min(z0, b.Z0);
                x1 = Math.Max(x1, b.X0 + b.BX - 1); y1 = Math.Max(y1, b.Y0 + b.BY - 1); z1 = Math.Max(z1, b.Z0 + b.BZ - 1);
            }
            if (x1 < 0) { x0 = y0 = z0 = x1 = y1 = z1 = 0; } // both empty: one voxel of background
            else
            {
                x0 = Math.Max(0, x0 - 1); y0 = Math.Max(0, y0 - 1); z0 = Math.Max(0, z0 - 1);
                x1 = Math.Min(grid.NX - 1, x1 + 1); y1 = Math.Min(grid.NY - 1, y1 + 1); z1 = Math.Min(grid.NZ - 1, z1 + 1);
            }
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            var a = new byte[bx * by * bz];
            var d = new byte[bx * by * bz];
            r.CopyInto(a, x0, y0, z0, bx, by);
            c.CopyInto(d, x0, y0, z0, bx, by);
            return Compute(a, d, new Grid(bx, by, bz, grid.VoxelSizeMm, grid.Affine), options);
        }

        /// <summary>
        /// Binarises both volumes (scaled value ≠ 0, or = <paramref name="label"/> when given),
        /// checks that they share a grid (else a <see cref="GeometryException"/> of kind
        /// GridMismatch naming both files) and compares them on it.
        /// </summary>
        public static LesionOverlap Compute(AtlasVolume reference, AtlasVolume candidate, OverlapOptions options = null, double? label = null)
            => Compute(reference, candidate, options, label, null);

        /// <summary>As the public overload; the two binarised masks come from <paramref name="pool"/> (when given) and go back to it.</summary>
        private static LesionOverlap Compute(AtlasVolume reference, AtlasVolume candidate, OverlapOptions options, double? label, VoxelBufferPool pool)
        {
            if (reference == null) throw new ArgumentNullException(nameof(reference));
            if (candidate == null) throw new ArgumentNullException(nameof(candidate));
            GridCheck.RequireSame(reference, candidate, "the reference", "the candidate");
            byte[] a = null, b = null;
            try
            {
                a = label.HasValue ? reference.ToLabelMask(label.Value) : reference.ToMask(0, pool);
                b = label.HasValue ? candidate.ToLabelMask(label.Value) : candidate.ToMask(0, pool);
                var result = Compute(a, b, reference.Grid, options);
                result.ReferencePath = reference.Path;
                result.CandidatePath = candidate.Path;
                return result;
            }
            finally { pool?.Return(a); pool?.Return(b); }
        }

        /// <summary>Compares two 0/1 masks (non-zero = inside) on one grid.</summary>
        public static LesionOverlap Compute(byte[] reference, byte[] candidate, Grid grid, OverlapOptions options = null)
        {
            if (reference == null) throw new ArgumentNullException(nameof(reference));
            if (candidate == null) throw new ArgumentNullException(nameof(candidate));
            if (grid == null) throw new ArgumentNullException(nameof(grid));
            options = options ?? new OverlapOptions();
            if (!(options.Percentile >= 0 && options.Percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(options), "Percentile must lie between 0 and 100.");
            if (options.Connectivity != 6 && options.Connectivity != 18 && options.Connectivity != 26) throw new ArgumentOutOfRangeException(nameof(options), "Connectivity must be 6, 18 or 26.");
            if (reference.LongLength != grid.VoxelCount || candidate.LongLength != grid.VoxelCount)
                throw new ArgumentException("Mask lengths do not match the grid's " + grid.VoxelCount + " voxels.");

            int nx = grid.NX, ny = grid.NY, nz = grid.NZ;
            var s = Scan(reference, candidate, nx, ny, nz);
            long nR = s.Reference, nC = s.Candidate, tp = s.Both;
            double vv = grid.VoxelVolumeMm3;
            var o = new LesionOverlap
            {
                ReferenceVoxels = nR,
                CandidateVoxels = nC,
                TruePositiveVoxels = tp,
                FalsePositiveVoxels = nC - tp,
                FalseNegativeVoxels = nR - tp,
                ReferenceVolumeMm3 = nR * vv,
                CandidateVolumeMm3 = nC * vv,
                VolumeDifferenceMm3 = Math.Abs(nC - nR) * vv,
                Percentile = options.Percentile,
                Connectivity = options.Connectivity,
                EmptyMasks = nR == 0 ? (nC == 0 ? EmptyMasks.Both : EmptyMasks.Reference) : (nC == 0 ? EmptyMasks.Candidate : EmptyMasks.None),
            };

            if (o.EmptyMasks == EmptyMasks.Both)
            {
                // Two empty masks agree perfectly: the convention of the ATLAS R2.0 scoring and MONAI's ignore_empty=False.
                o.Dice = o.Jaccard = o.Sensitivity = o.Precision = o.VolumeSimilarity = 1;
                o.HausdorffMm = o.Hausdorff95Mm = o.AverageSurfaceDistanceMm = 0;
                o.LesionF1 = 1;
                return o;
            }
            o.Dice = 2.0 * tp / (nR + nC);
            o.Jaccard = (double)tp / (nR + nC - tp);
            o.Sensitivity = nR == 0 ? double.NaN : (double)tp / nR;
            o.Precision = nC == 0 ? double.NaN : (double)tp / nC;
            o.VolumeSimilarity = 1.0 - (double)Math.Abs(nC - nR) / (nC + nR);

            // The union bounding box, one voxel larger on every side (within the image).
            int x0 = Math.Max(0, s.MinI - 1), x1 = Math.Min(nx - 1, s.MaxI + 1);
            int y0 = Math.Max(0, s.MinJ - 1), y1 = Math.Min(ny - 1, s.MaxJ + 1);
            int z0 = Math.Max(0, s.MinK - 1), z1 = Math.Min(nz - 1, s.MaxK + 1);
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            // The work below only reads the masks: a box that is the whole grid (as the union boxes of file pairs
            // are, cropped before this) is used as it is.
            bool whole = bx == nx && by == ny && bz == nz;
            byte[] cr = whole ? reference : Crop(reference, nx, ny, x0, y0, z0, bx, by, bz);
            byte[] cc = whole ? candidate : Crop(candidate, nx, ny, x0, y0, z0, bx, by, bz);

            if (options.SkipDistances)
                o.HausdorffMm = o.Hausdorff95Mm = o.AverageSurfaceDistanceMm = o.ReferenceSurfaceVoxels = o.CandidateSurfaceVoxels = double.NaN;
            else
                SurfaceDistances(cr, cc, bx, by, bz, grid.VoxelSizeMm, options.Percentile, o);

            if (options.SkipLesionWise)
                o.ReferenceLesions = o.CandidateLesions = o.LesionTruePositives = o.LesionFalseNegatives = o.LesionFalsePositives = o.LesionF1 = o.LesionCountDifference = double.NaN;
            else
                LesionWise(cr, cc, bx, by, bz, options.Connectivity, o);
            return o;
        }

        // ------------------------------------------------------------------ voxel counts and box

        private struct ScanResult
        {
            public long Reference, Candidate, Both;
            public int MinI, MaxI, MinJ, MaxJ, MinK, MaxK;
        }

        /// <summary>Counts and the union bounding box in one parallel pass over the slabs.</summary>
        [MethodImpl(JitHints.Optimized)]
        private static ScanResult Scan(byte[] a, byte[] b, int nx, int ny, int nz)
        {
            var cR = new long[nz]; var cC = new long[nz]; var cB = new long[nz];
            var minI = new int[nz]; var maxI = new int[nz]; var minJ = new int[nz]; var maxJ = new int[nz];
            int slab = nx * ny;
            Parallel.For(0, nz, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                long r = 0, c = 0, both = 0;
                int i0 = int.MaxValue, i1 = -1, j0 = int.MaxValue, j1 = -1;
                int start = k * slab, end = start + slab;
                // Eight voxels at a time: most of a 256³ image is background, and a zero word
                // of both masks is skipped without looking at its bytes.
                var wa = MemoryMarshal.Cast<byte, ulong>(new ReadOnlySpan<byte>(a, start, slab));
                var wb = MemoryMarshal.Cast<byte, ulong>(new ReadOnlySpan<byte>(b, start, slab));
                int words = wa.Length;
                for (int w = 0; w <= words; w++)
                {
                    int from, to;
                    if (w < words)
                    {
                        if ((wa[w] | wb[w]) == 0) continue;
                        from = start + 8 * w; to = from + 8;
                    }
                    else
                    {
                        from = start + 8 * words; to = end;   // the tail of the slab
                        if (from >= to) break;
                    }
                    for (int p = from; p < to; p++)
                    {
                        byte va = a[p], vb = b[p];
                        if ((va | vb) == 0) continue;
                        if (va != 0) { r++; if (vb != 0) { c++; both++; } }
                        else c++;
                        int q = p - start, j = q / nx, i = q - j * nx;
                        if (i < i0) i0 = i;
                        if (i > i1) i1 = i;
                        if (j < j0) j0 = j;
                        if (j > j1) j1 = j;
                    }
                }
                cR[k] = r; cC[k] = c; cB[k] = both;
                minI[k] = i0; maxI[k] = i1; minJ[k] = j0; maxJ[k] = j1;
            });
            var s = new ScanResult { MinI = int.MaxValue, MaxI = -1, MinJ = int.MaxValue, MaxJ = -1, MinK = int.MaxValue, MaxK = -1 };
            for (int k = 0; k < nz; k++)
            {
                s.Reference += cR[k]; s.Candidate += cC[k]; s.Both += cB[k];
                if (maxI[k] < 0) continue;
                if (minI[k] < s.MinI) s.MinI = minI[k];
                if (maxI[k] > s.MaxI) s.MaxI = maxI[k];
                if (minJ[k] < s.MinJ) s.MinJ = minJ[k];
                if (maxJ[k] > s.MaxJ) s.MaxJ = maxJ[k];
                if (k < s.MinK) s.MinK = k;
                s.MaxK = k;
            }
            return s;
        }

        [MethodImpl(JitHints.Optimized)]
        private static byte[] Crop(byte[] src, int nx, int ny, int x0, int y0, int z0, int bx, int by, int bz)
        {
            var dst = new byte[bx * by * bz];
            Parallel.For(0, bz, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = 0; j < by; j++)
                {
                    int from = x0 + nx * (y0 + j + ny * (z0 + k));
                    Buffer.BlockCopy(src, from, dst, bx * (j + by * k), bx);
                }
            });
            return dst;
        }

        // ------------------------------------------------------------------ surface distances

        /// <summary>
        /// Directed distances from each surface voxel of one mask to the nearest surface voxel of
        /// the other, both ways; Hausdorff = larger directed maximum, HD-p = larger directed
        /// p-th percentile, average = mean of both sets pooled. NaN when exactly one mask is empty.
        /// </summary>
        private static void SurfaceDistances(byte[] a, byte[] b, int bx, int by, int bz, double[] spacing, double percentile, LesionOverlap o)
        {
            byte[] sa = MaskSurface.Compute(a, bx, by, bz);
            byte[] sb = MaskSurface.Compute(b, bx, by, bz);
            double[] da = Directed(sa, sb, bx, by, bz, spacing);   // A's surface → B's surface
            double[] db = Directed(sb, sa, bx, by, bz, spacing);
            o.ReferenceSurfaceVoxels = da.Length;
            o.CandidateSurfaceVoxels = db.Length;
            if (da.Length == 0 || db.Length == 0)
            {
                o.HausdorffMm = o.Hausdorff95Mm = o.AverageSurfaceDistanceMm = double.NaN;
                return;
            }
            double max = 0, sum = 0;
            for (int i = 0; i < da.Length; i++) { sum += da[i]; if (da[i] > max) max = da[i]; }
            for (int i = 0; i < db.Length; i++) { sum += db[i]; if (db[i] > max) max = db[i]; }
            o.HausdorffMm = max;
            // Linear-time selection instead of sorting the tens of thousands of distances.
            o.Hausdorff95Mm = Math.Max(Percentile.OfUnsortedInPlace(da, da.Length, percentile), Percentile.OfUnsortedInPlace(db, db.Length, percentile));
            o.AverageSurfaceDistanceMm = sum / (da.Length + db.Length);
        }

        /// <summary>Distances (mm) of the voxels of <paramref name="from"/> to the nearest voxel of <paramref name="to"/>, in voxel order.</summary>
        [MethodImpl(JitHints.Optimized)]
        internal static double[] Directed(byte[] from, byte[] to, int nx, int ny, int nz, double[] spacing)
        {
            int n = 0;
            for (int p = 0; p < from.Length; p++) n += from[p];
            var result = new double[n];
            if (n == 0) return result;
            bool any = false;
            for (int p = 0; p < to.Length && !any; p++) any = to[p] != 0;
            if (!any) return new double[0];   // nothing to measure to: the caller reports NaN
            // A pooled buffer: a fresh multi-megabyte array per pair would cost its page faults each time.
            double[] d2 = ArrayPool<double>.Shared.Rent(from.Length);
            try
            {
                DistanceTransform.SquaredToNearest(to, nx, ny, nz, spacing[0], spacing[1], spacing[2], from, d2);
                int m = 0;
                for (int p = 0; p < from.Length; p++)
                    if (from[p] != 0) result[m++] = Math.Sqrt(d2[p]);
            }
            finally { ArrayPool<double>.Shared.Return(d2); }
            return result;
        }

        // ------------------------------------------------------------------ lesion-wise detection

        private static void LesionWise(byte[] a, byte[] b, int bx, int by, int bz, int connectivity, LesionOverlap o)
        {
            var la = LesionLabels(a, bx, by, bz, connectivity, out int na);
            var lb = LesionLabels(b, bx, by, bz, connectivity, out int nb);
            var c = LesionMatch.Count(la, na, lb, nb);
            o.ReferenceLesions = na;
            o.CandidateLesions = nb;
            o.LesionTruePositives = c.TruePositives;
            o.LesionFalseNegatives = c.FalseNegatives;
            o.LesionFalsePositives = c.FalsePositives;
            o.LesionF1 = c.F1;
            o.LesionCountDifference = Math.Abs(nb - na);
        }

        /// <summary>Connected components (labels 1..count, 0 = background) from Atlas.Core.Imaging.</summary>
        private static int[] LesionLabels(byte[] mask, int nx, int ny, int nz, int connectivity, out int count)
        {
            var labeling = ConnectedComponents.Label(mask, nx, ny, nz, connectivity);
            count = labeling.Count;
            return labeling.Labels;
        }
    }

    /// <summary>Lesion-wise detection counts from two label images of one grid.</summary>
    public struct LesionMatchCounts
    {
        public int TruePositives, FalseNegatives, FalsePositives;
        /// <summary>TP / (TP + (FP + FN)/2); 1 when there is no lesion in either mask.</summary>
        public double F1;
    }

    public static class LesionMatch
    {
        /// <summary>
        /// A reference lesion is detected (TP) when at least one candidate voxel lies in it; a
        /// candidate lesion is a false positive when none of its voxels is a reference voxel
        /// (the ATLAS R2.0 challenge's lesion-wise rule). Labels are 1..count, 0 = background.
        /// </summary>
        [MethodImpl(JitHints.Optimized)]
        public static LesionMatchCounts Count(int[] reference, int referenceCount, int[] candidate, int candidateCount)
        {
            if (reference.Length != candidate.Length) throw new ArgumentException("Label images differ in length.");
            var hitR = new bool[referenceCount + 1];
            var hitC = new bool[candidateCount + 1];
            for (int p = 0; p < reference.Length; p++)
            {
                int r = reference[p];
                if (r == 0) continue;
                int c = candidate[p];
                if (c == 0) continue;
                hitR[r] = true; hitC[c] = true;
            }
            int tp = 0, touched = 0;
            for (int i = 1; i <= referenceCount; i++) if (hitR[i]) tp++;
            for (int i = 1; i <= candidateCount; i++) if (hitC[i]) touched++;
            var m = new LesionMatchCounts { TruePositives = tp, FalseNegatives = referenceCount - tp, FalsePositives = candidateCount - touched };
            double den = tp + (m.FalsePositives + m.FalseNegatives) / 2.0;
            m.F1 = den == 0 ? 1.0 : tp / den;
            return m;
        }
    }
}
