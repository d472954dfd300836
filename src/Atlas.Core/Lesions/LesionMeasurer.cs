using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using Atlas.Core.Imaging;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>One atlas region touched by a lesion.</summary>
    public sealed class LesionRegionOverlap
    {
        public string SubjectId { get; set; }
        /// <summary>The scan (subject and time point) the mask belongs to, when known.</summary>
        public string ScanId { get; set; }
        /// <summary>The time point / session (t01 and ses-1 are 1), when known.</summary>
        public int? Session { get; set; }
        /// <summary>The kind of mask measured: LesionSmooth, LesionRaw or Lesion (BIDS), when known.</summary>
        public string MaskKind { get; set; }
        public int Rank { get; set; }
        public int Component { get; set; }
        public string MaskPath { get; set; }
        public int Label { get; set; }
        public string Region { get; set; }
        /// <summary>Lesion voxels (of the mask's own grid) whose centre has this label.</summary>
        public long VoxelCount { get; set; }
        /// <summary>Those voxels' volume in the mask's own millimetres.</summary>
        public double VolumeMm3 { get; set; }
        /// <summary>Share of the lesion lying in the region (0..1).</summary>
        public double FractionOfLesion { get; set; }
        /// <summary>
        /// Share of the region covered by the lesion: the lesion load (0..1). On the atlas's own grid, voxels over the
        /// region's voxels; else the lesion's volume in the region, in the atlas's space, over the region's volume.
        /// </summary>
        public double FractionOfRegion { get; set; }
    }

    /// <summary>
    /// The lesion report of one mask (or one lesion of it): size, position, hemisphere, location and
    /// atlas regions. Flat properties with units in their names, so Export-Csv gives a tidy table.
    /// </summary>
    public sealed class LesionMeasure
    {
        public string SubjectId { get; set; }
        /// <summary>The scan (subject and time point) the mask belongs to, when known.</summary>
        public string ScanId { get; set; }
        /// <summary>The time point / session (t01 and ses-1 are 1), when known.</summary>
        public int? Session { get; set; }
        /// <summary>The kind of mask measured: LesionSmooth, LesionRaw or Lesion (BIDS), when known.</summary>
        public string MaskKind { get; set; }
        /// <summary>The mask's rank among the subject's masks (1 = primary, 2 = the mask numbered _1 …); 1 for a lone mask; 0 for the union of a scan's masks.</summary>
        public int Rank { get; set; } = 1;
        /// <summary>With -PerComponent: the lesion's rank by size within the mask (1 = largest); else 0 (whole mask).</summary>
        public int Component { get; set; }
        public string MaskPath { get; set; }
        public long VoxelCount { get; set; }
        public double VolumeMm3 { get; set; }
        public double VolumeMl { get; set; }
        /// <summary>Centre of gravity in world coordinates (mm, from the affine; in template space with a transform).</summary>
        public double CentroidXMm { get; set; }
        public double CentroidYMm { get; set; }
        public double CentroidZMm { get; set; }
        /// <summary>Centre of gravity in voxel coordinates (0-based).</summary>
        public double CentroidI { get; set; }
        public double CentroidJ { get; set; }
        public double CentroidK { get; set; }
        public int MinI { get; set; }
        public int MaxI { get; set; }
        public int MinJ { get; set; }
        public int MaxJ { get; set; }
        public int MinK { get; set; }
        public int MaxK { get; set; }
        /// <summary>Voxel bounding box as "i0-i1,j0-j1,k0-k1" (inclusive).</summary>
        public string BoundingBox => VoxelCount == 0 ? "" : MinI + "-" + MaxI + "," + MinJ + "-" + MaxJ + "," + MinK + "-" + MaxK;
        /// <summary>Left, Right, Bilateral, or None for an empty mask.</summary>
        public string Hemisphere { get; set; }
        /// <summary>Share of the volume at world x below the midline (voxels centred on it count half).</summary>
        public double FractionLeft { get; set; }
        public double MidlineXMm { get; set; }
        /// <summary>
        /// The transform (template → the mask's space) the lesion went through: the world centroid, hemisphere, location
        /// and regions are then in template space (voxel centroid and bounding box stay the mask's); null without one.
        /// </summary>
        public string TransformPath { get; set; }
        /// <summary>Cortical, Subcortical or Other with a cortex mask; null without one.</summary>
        public string Location { get; set; }
        /// <summary>The atlas region holding most of the lesion (with an atlas), and its share.</summary>
        public string PrimaryRegion { get; set; }
        public int? PrimaryRegionLabel { get; set; }
        public double? PrimaryRegionFraction { get; set; }
        private LesionRegionOverlap[] _regions;

        /// <summary>Every atlas region touched, largest overlap first (with an atlas; else empty). A method, so CSV rows stay flat.</summary>
        public LesionRegionOverlap[] GetRegions() => _regions ?? new LesionRegionOverlap[0];

        internal void SetRegions(LesionRegionOverlap[] regions) { _regions = regions; }
    }

    /// <summary>An integer label atlas on a grid, with region names and region sizes.</summary>
    public sealed class LesionAtlas
    {
        public LesionAtlas(AtlasVolume labels, IDictionary<int, string> names = null)
        {
            Volume = labels ?? throw new ArgumentNullException(nameof(labels));
            var v = labels.ToFloat64();
            Labels = new int[v.Length];
            var sizes = new Dictionary<int, long>();
            for (long i = 0; i < v.LongLength; i++)
            {
                double d = v[i];
                int l = double.IsNaN(d) ? 0 : (int)Math.Round(d);
                Labels[i] = l;
                if (l == 0) continue;
                sizes.TryGetValue(l, out long c);
                sizes[l] = c + 1;
            }
            RegionVoxels = sizes;
            Names = names ?? new Dictionary<int, string>();
        }

        public AtlasVolume Volume { get; }
        public Grid Grid => Volume.Grid;
        public int[] Labels { get; }
        public IDictionary<int, long> RegionVoxels { get; }
        public IDictionary<int, string> Names { get; }

        public string NameOf(int label) => Names.TryGetValue(label, out var n) ? n : label.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Region names from MRIcron's .txt ("1 Precentral_L 2001": index, name, anything) or a .csv /
        /// .tsv with the index in the first column and the name in the second (a header line is skipped).
        /// </summary>
        public static Dictionary<int, string> ReadNames(string path)
        {
            var names = new Dictionary<int, string>();
            bool delimited = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);
            char sep = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                string[] parts = delimited ? line.Split(sep) : line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2) continue;
                if (!int.TryParse(parts[0].Trim().Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out int idx)) continue;
                names[idx] = parts[1].Trim().Trim('"');
            }
            return names;
        }
    }

    public sealed class LesionMeasureOptions
    {
        /// <summary>Minority share across the midline above which a lesion is Bilateral (default 0.1).</summary>
        public double BilateralFraction { get; set; } = 0.1;
        /// <summary>World x of the midline (mm); 0 as in MNI space.</summary>
        public double MidlineXMm { get; set; }
        /// <summary>Measure each connected lesion of the mask separately.</summary>
        public bool PerComponent { get; set; }
        public int Connectivity { get; set; } = 26;
        public long MinimumVoxels { get; set; }
        /// <summary>
        /// Cortex mask (non-zero = cortex): any overlap makes a lesion Cortical. On the lesion's grid, or on any grid of
        /// the same world (or of the template's with <see cref="Transform"/>): each lesion voxel then takes the value of
        /// the mask's voxel nearest to its centre (<see cref="NearestVoxelMap"/>), 0 outside the mask's grid.
        /// </summary>
        public AtlasVolume CortexMask { get; set; }
        /// <summary>Brainstem + cerebellum mask: a non-cortical lesion reaching it is Other (looked up as the cortex mask).</summary>
        public AtlasVolume InfratentorialMask { get; set; }
        /// <summary>Label atlas (looked up as the cortex mask): regions counted in the lesion's own voxels.</summary>
        public LesionAtlas Atlas { get; set; }
        /// <summary>
        /// Template (fixed) → the lesion mask's space (moving), RAS mm, as registration writes it: the mask is in a
        /// scan's native space and the atlas and masks above in the template's. Each lesion voxel's world point y is
        /// looked up at T⁻¹(y); the world centroid and the hemisphere (against <see cref="MidlineXMm"/>) are in
        /// template space too. Null: lesion and atlas share one world.
        /// </summary>
        public AffineTransform Transform { get; set; }
        public string SubjectId { get; set; }
        public string ScanId { get; set; }
        public int? Session { get; set; }
        public string MaskKind { get; set; }
        public int Rank { get; set; } = 1;
    }

    /// <summary>Measure-Lesion's engine: one pass over the mask (or its labelled lesions).</summary>
    public static class LesionMeasurer
    {
        public static List<LesionMeasure> Measure(AtlasVolume mask, LesionMeasureOptions options = null, CancellationToken cancellation = default)
            => Measure(mask, options, null, cancellation);

        /// <summary>As above; the mask's binary copy, when one is needed, is rented from <paramref name="pool"/> and given back.</summary>
        public static List<LesionMeasure> Measure(AtlasVolume mask, LesionMeasureOptions options, VoxelBufferPool pool, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            var o = options ?? new LesionMeasureOptions();
            if (o.BilateralFraction < 0 || o.BilateralFraction > 1 || double.IsNaN(o.BilateralFraction))
                throw new ArgumentException("BilateralFraction must lie in 0..1.");
            // Native world → template world, once per mask; the look-ups below are then voxel-to-voxel matrices.
            var toTemplate = o.Transform?.Inverse();
            var maps = new Lookups();
            if (o.CortexMask != null) { maps.Cortex = NearestVoxelMap.Create(mask.Grid, o.CortexMask.Grid, toTemplate, o.CortexMask.Path); maps.CortexMask = o.CortexMask.ToMask(); }
            if (o.InfratentorialMask != null) { maps.Infra = NearestVoxelMap.Create(mask.Grid, o.InfratentorialMask.Grid, toTemplate, o.InfratentorialMask.Path); maps.InfraMask = o.InfratentorialMask.ToMask(); }
            if (o.Atlas != null) maps.Atlas = NearestVoxelMap.Create(mask.Grid, o.Atlas.Grid, toTemplate, o.Atlas.Volume.Path);
            maps.ToTemplate = toTemplate;

            // A plain byte mask is read in place (non-zero = lesion, as ToMask has it); anything else is binarised first.
            bool inPlace = !o.PerComponent && mask.PlainBytes != null;
            var m = inPlace ? mask.PlainBytes : mask.ToMask(0, pool);
            try
            {
                return Measure(mask, o, m, maps, cancellation);
            }
            finally
            {
                if (!inPlace) pool?.Return(m);
            }
        }

        /// <summary>The look-ups of one mask: where its voxels fall in the cortex, infratentorial and atlas images.</summary>
        private sealed class Lookups
        {
            public NearestVoxelMap Cortex, Infra, Atlas;
            public byte[] CortexMask, InfraMask;
            public AffineTransform ToTemplate;
        }

        /// <summary>The index of lesion voxel (i, j, k) at flat index p in a looked-up image, or -1 outside it.</summary>
        private static long At(NearestVoxelMap map, int p, int i, int j, int k) => map.IsIdentity ? p : map.IndexOf(i, j, k);

        [MethodImpl(JitHints.Optimized)]
        private static List<LesionMeasure> Measure(AtlasVolume mask, LesionMeasureOptions o, byte[] m, Lookups maps, CancellationToken cancellation)
        {
            byte[] cortex = maps.CortexMask, infra = maps.InfraMask;
            var g = mask.Grid;
            int[] labels; int count;
            if (o.PerComponent)
            {
                var cc = ConnectedComponents.Label(m, g, o.Connectivity, o.MinimumVoxels, cancellation);
                labels = cc.Labels; count = cc.Count;
            }
            else
            {
                labels = null; count = 1;
            }

            var acc = new Acc[count + 1];
            for (int c = 1; c <= count; c++) acc[c] = new Acc();
            // World positions are reported in template space through a transform: voxel → native world → template world.
            var a = maps.ToTemplate == null ? g.Affine : AffineMath.Multiply(maps.ToTemplate.Matrix, g.Affine);
            int nx = g.NX, ny = g.NY, nz = g.NZ;
            for (int k = 0; k < nz; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (VoxelConvert.AllZero(m, nx * ny * k, nx * ny)) continue; // most slices of a lesion mask are empty
                for (int j = 0; j < ny; j++)
                {
                    int row = nx * (j + ny * k);
                    if (VoxelConvert.AllZero(m, row, nx)) continue; // and most rows of the others
                    double xRow = a[0, 1] * j + a[0, 2] * k + a[0, 3];
                    for (int i = 0; i < nx; i++)
                    {
                        int p = row + i;
                        if (m[p] == 0) continue;
                        int c = labels == null ? 1 : labels[p];
                        if (c == 0) continue;
                        var s = acc[c];
                        s.N++;
                        s.SI += i; s.SJ += j; s.SK += k;
                        if (i < s.MinI) s.MinI = i;
                        if (i > s.MaxI) s.MaxI = i;
                        if (j < s.MinJ) s.MinJ = j;
                        if (j > s.MaxJ) s.MaxJ = j;
                        if (k < s.MinK) s.MinK = k;
                        if (k > s.MaxK) s.MaxK = k;
                        double x = a[0, 0] * i + xRow;
                        if (x < o.MidlineXMm) s.Left += 1;
                        else if (x == o.MidlineXMm) s.Left += 0.5;
                        if (cortex != null)
                        {
                            long q = At(maps.Cortex, p, i, j, k);
                            if (q >= 0 && cortex[q] != 0) s.Cortex++;
                        }
                        if (infra != null)
                        {
                            long q = At(maps.Infra, p, i, j, k);
                            if (q >= 0 && infra[q] != 0) s.Infra++;
                        }
                        if (o.Atlas != null)
                        {
                            long q = At(maps.Atlas, p, i, j, k);
                            int l = q >= 0 ? o.Atlas.Labels[q] : 0;
                            if (l != 0)
                            {
                                if (s.Regions == null) s.Regions = new Dictionary<int, long>();
                                s.Regions.TryGetValue(l, out long rc);
                                s.Regions[l] = rc + 1;
                            }
                        }
                    }
                }
            }

            var result = new List<LesionMeasure>();
            double vv = g.VoxelVolumeMm3;
            for (int c = 1; c <= count; c++)
            {
                var s = acc[c];
                var r = new LesionMeasure
                {
                    SubjectId = o.SubjectId, ScanId = o.ScanId, Session = o.Session, MaskKind = o.MaskKind, Rank = o.Rank, Component = o.PerComponent ? c : 0, MaskPath = mask.Path,
                    VoxelCount = s.N, VolumeMm3 = s.N * vv, VolumeMl = s.N * vv / 1000.0, MidlineXMm = o.MidlineXMm,
                    TransformPath = o.Transform == null ? null : o.Transform.Source ?? "(transform in memory)",
                };
                if (s.N == 0)
                {
                    r.Hemisphere = "None";
                    r.CentroidXMm = r.CentroidYMm = r.CentroidZMm = double.NaN;
                    r.CentroidI = r.CentroidJ = r.CentroidK = double.NaN;
                    r.MinI = r.MaxI = r.MinJ = r.MaxJ = r.MinK = r.MaxK = -1;
                    if (cortex != null) r.Location = "None";
                    if (o.Atlas != null) r.SetRegions(new LesionRegionOverlap[0]);
                    result.Add(r);
                    continue;
                }
                r.CentroidI = s.SI / s.N; r.CentroidJ = s.SJ / s.N; r.CentroidK = s.SK / s.N;
                // An affine map keeps centres of gravity: the voxel centroid's world point is the world centroid.
                r.CentroidXMm = a[0, 0] * r.CentroidI + a[0, 1] * r.CentroidJ + a[0, 2] * r.CentroidK + a[0, 3];
                r.CentroidYMm = a[1, 0] * r.CentroidI + a[1, 1] * r.CentroidJ + a[1, 2] * r.CentroidK + a[1, 3];
                r.CentroidZMm = a[2, 0] * r.CentroidI + a[2, 1] * r.CentroidJ + a[2, 2] * r.CentroidK + a[2, 3];
                r.MinI = s.MinI; r.MaxI = s.MaxI; r.MinJ = s.MinJ; r.MaxJ = s.MaxJ; r.MinK = s.MinK; r.MaxK = s.MaxK;
                r.FractionLeft = s.Left / s.N;
                r.Hemisphere = Hemisphere(r.FractionLeft, o.BilateralFraction, r.CentroidXMm, o.MidlineXMm);
                if (cortex != null) r.Location = s.Cortex > 0 ? "Cortical" : s.Infra > 0 ? "Other" : "Subcortical";
                if (o.Atlas != null) FillRegions(r, s, o.Atlas, vv, maps.Atlas.IsIdentity ? 0 : vv / Math.Abs(o.Transform?.Determinant ?? 1.0));
                result.Add(r);
            }
            return result;
        }

        /// <summary>
        /// Bilateral when the smaller side holds more than <paramref name="bilateralFraction"/> of the
        /// volume; else the larger side (the centroid's side on an exact tie). World x &lt; midline is left.
        /// </summary>
        public static string Hemisphere(double fractionLeft, double bilateralFraction, double centroidX, double midlineX)
        {
            double minority = Math.Min(fractionLeft, 1 - fractionLeft);
            if (minority > bilateralFraction) return "Bilateral";
            if (fractionLeft > 0.5) return "Left";
            if (fractionLeft < 0.5) return "Right";
            return centroidX < midlineX ? "Left" : "Right";
        }

        /// <param name="templateVoxelMm3">0 on the atlas's own grid (fractions of voxel counts); else the volume one lesion
        /// voxel takes in the atlas's world (its own over the transform's determinant), for the fraction of the region.</param>
        private static void FillRegions(LesionMeasure r, Acc s, LesionAtlas atlas, double vv, double templateVoxelMm3)
        {
            double atlasVoxelMm3 = atlas.Grid.VoxelVolumeMm3;
            var list = new List<LesionRegionOverlap>();
            if (s.Regions != null)
                foreach (var kv in s.Regions)
                {
                    atlas.RegionVoxels.TryGetValue(kv.Key, out long size);
                    list.Add(new LesionRegionOverlap
                    {
                        SubjectId = r.SubjectId, ScanId = r.ScanId, Session = r.Session, MaskKind = r.MaskKind, Rank = r.Rank, Component = r.Component, MaskPath = r.MaskPath,
                        Label = kv.Key, Region = atlas.NameOf(kv.Key), VoxelCount = kv.Value, VolumeMm3 = kv.Value * vv,
                        FractionOfLesion = (double)kv.Value / s.N,
                        FractionOfRegion = size <= 0 ? 0 : templateVoxelMm3 == 0 ? (double)kv.Value / size : Math.Min(1.0, kv.Value * templateVoxelMm3 / (size * atlasVoxelMm3)),
                    });
                }
            list.Sort((x, y) => y.VoxelCount != x.VoxelCount ? y.VoxelCount.CompareTo(x.VoxelCount) : x.Label.CompareTo(y.Label));
            r.SetRegions(list.ToArray());
            if (list.Count > 0)
            {
                r.PrimaryRegion = list[0].Region; r.PrimaryRegionLabel = list[0].Label; r.PrimaryRegionFraction = list[0].FractionOfLesion;
            }
        }

        private sealed class Acc
        {
            public long N, Cortex, Infra;
            public double SI, SJ, SK, Left;
            public int MinI = int.MaxValue, MinJ = int.MaxValue, MinK = int.MaxValue, MaxI = -1, MaxJ = -1, MaxK = -1;
            public Dictionary<int, long> Regions;
        }
    }
}
