using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    /// <summary>
    /// Draws slices of a volume with overlays, in world orientation. Every pixel is a square of
    /// <see cref="SnapshotOptions.PixelSizeMm"/> mm on a plane aligned with the world (scanner/MNI)
    /// axes; its centre is mapped through each layer's inverse affine and sampled there, so the
    /// picture depends only on the affine, never on the voxel order (an LAS-stored image looks
    /// exactly like its RAS copy) and anisotropic grids keep their true proportions.
    /// Axial and coronal views put the patient's left on the left (neurological) unless
    /// <see cref="SnapshotOptions.Radiological"/>; sagittal views have anterior on the left;
    /// superior/anterior is at the top.
    /// </summary>
    public static partial class SnapshotRenderer
    {
        private const int Gap = 8; // black between tiles, so one tile's side letter is not read as the next one's

        /// <summary>Renders a base volume (T1 or any scalar image) with overlays.</summary>
        public static RenderedSnapshot Render(AtlasVolume baseVolume, IList<SnapshotLayer> overlays, SnapshotOptions options)
        {
            if (baseVolume == null) throw new ArgumentNullException(nameof(baseVolume));
            options = options ?? new SnapshotOptions();
            overlays = overlays ?? new SnapshotLayer[0];
            var token = options.CancellationToken;

            var baseLayer = new Sampler(baseVolume.Grid, baseVolume.ToFloat32(), null);
            double lo, hi;
            if (options.WindowMin.HasValue && options.WindowMax.HasValue) { lo = options.WindowMin.Value; hi = options.WindowMax.Value; }
            else
            {
                Percentiles(baseLayer.Values, options, out lo, out hi);
                if (options.WindowMin.HasValue) lo = options.WindowMin.Value;
                if (options.WindowMax.HasValue) hi = options.WindowMax.Value;
            }
            if (!(hi > lo)) hi = lo + 1;

            var layers = new List<PreparedOverlay>();
            for (int n = 0; n < overlays.Count; n++)
            {
                token.ThrowIfCancellationRequested();
                layers.Add(PreparedOverlay.Create(overlays[n], n));
            }

            double pixel = options.PixelSizeMm ?? Math.Min(baseVolume.VoxelSizeMm[0], Math.Min(baseVolume.VoxelSizeMm[1], baseVolume.VoxelSizeMm[2]));
            if (!(pixel > 0) || double.IsInfinity(pixel)) throw new ArgumentException("The pixel size must be a positive number of mm.");
            var box = WorldBox(baseVolume.Grid);
            // The lesion's voxels are needed only to place slices: not when every slice is given.
            bool slicesGiven = options.Montage == 0 && !options.AtLesion && (options.SliceIndex != null || options.SliceMm != null);
            var lesion = layers.Count > 0 && !slicesGiven ? LesionRegion.Of(layers) : null;
            if (options.AtLesion && (lesion == null || lesion.Count == 0))
                throw new ArgumentException("-AtLesion needs an overlay with at least one non-zero voxel" + (layers.Count == 0 ? "; none was given." : "; the overlays are empty."));

            var rows = PlanTiles(baseVolume, baseLayer, lo, hi, lesion, options);
            var tileRows = new List<List<RgbaImage>>();
            var planes = new List<Tile>();
            var sliceText = new List<string>();
            int count = 0;
            foreach (var row in rows)
            {
                var images = new List<RgbaImage>();
                foreach (var t in row)
                {
                    token.ThrowIfCancellationRequested();
                    images.Add(RenderTile(t.Plane, t.PositionMm, box, pixel, baseLayer, lo, hi, layers, options));
                    planes.Add(t);
                    sliceText.Add(AxisName(t.Plane) + "=" + SnapshotInfo.FormatMm(t.PositionMm));
                    count++;
                }
                tileRows.Add(images);
            }

            if (options.Labels)
            {
                // One letter size for the whole picture: the one the smallest tile allows.
                int scale = int.MaxValue, n = 0;
                foreach (var row in tileRows) foreach (var img in row) scale = Math.Min(scale, LabelScale(img.Width, img.Height));
                foreach (var row in tileRows)
                    foreach (var img in row) { DrawLabels(img, planes[n].Plane, planes[n].PositionMm, options.Radiological, scale); n++; }
            }
            var canvas = Layout(tileRows);
            string legend = LegendText(layers);
            if (options.Legend && layers.Count > 0)
            {
                int scale = int.MaxValue;
                foreach (var row in tileRows) foreach (var img in row) scale = Math.Min(scale, LabelScale(img.Width, img.Height));
                canvas = WithLegend(canvas, layers, scale == int.MaxValue ? 1 : scale);
            }
            var info = new SnapshotInfo
            {
                SourcePath = baseVolume.Path,
                Plane = options.Plane,
                Slices = string.Join(" ", sliceText),
                SliceCount = count,
                OverlayCount = layers.Count,
                WidthPx = canvas.Width,
                HeightPx = canvas.Height,
                PixelSizeMm = pixel,
                WindowMin = lo,
                WindowMax = hi,
                Convention = options.Radiological ? "Radiological" : "Neurological",
                SourceOrientation = baseVolume.Orientation,
                Legend = legend,
            };
            return new RenderedSnapshot(canvas, info);
        }

        // ------------------------------------------------------------------ planning

        private struct Tile
        {
            public SnapshotPlane Plane;
            public double PositionMm;
        }

        /// <summary>World axis along a plane's normal: sagittal x (0), coronal y (1), axial z (2).</summary>
        internal static int NormalAxis(SnapshotPlane p) => p == SnapshotPlane.Sagittal ? 0 : p == SnapshotPlane.Coronal ? 1 : 2;

        private static string AxisName(SnapshotPlane p) => p == SnapshotPlane.Sagittal ? "x" : p == SnapshotPlane.Coronal ? "y" : "z";

        private static List<List<Tile>> PlanTiles(AtlasVolume vol, Sampler baseLayer, double lo, double hi, LesionRegion lesion, SnapshotOptions o)
        {
            var planes = o.Plane == SnapshotPlane.All
                ? new[] { SnapshotPlane.Axial, SnapshotPlane.Coronal, SnapshotPlane.Sagittal }
                : new[] { o.Plane };
            var grid = vol.Grid;
            var rows = new List<List<Tile>>();
            bool haveLesion = lesion != null && lesion.Count > 0;

            if (o.Montage < 0) throw new ArgumentException("-Montage must be 1 or more.");
            if (o.AtLesion && (o.SliceIndex != null || o.SliceMm != null)) throw new ArgumentException("Give -AtLesion or -Slice/-SliceMm, not both.");
            if (o.Montage > 0)
            {
                if (o.SliceIndex != null || o.SliceMm != null) throw new ArgumentException("-Montage chooses its own slices; do not give -Slice or -SliceMm with it.");
                foreach (var p in planes)
                {
                    int axis = NormalAxis(p);
                    double a, b;
                    if (haveLesion) { a = lesion.MinMm[axis]; b = lesion.MaxMm[axis]; }
                    else HeadExtent(grid, baseLayer.Values, lo + 0.05 * (hi - lo), axis, out a, out b);
                    var row = new List<Tile>();
                    for (int n = 0; n < o.Montage; n++)
                    {
                        double pos = a + (b - a) * (n + 0.5) / o.Montage; // centres of n equal parts: no tile on a lesion's one-voxel tip
                        pos = SnapToSlice(grid, axis, pos);
                        row.Add(new Tile { Plane = p, PositionMm = pos });
                    }
                    rows.Add(row);
                }
                if (planes.Length == 1) rows = Wrap(rows[0]);
                return rows;
            }

            if (o.SliceIndex != null || o.SliceMm != null)
            {
                if (o.SliceIndex != null && o.SliceMm != null) throw new ArgumentException("Give -Slice (voxel indices) or -SliceMm (world mm), not both.");
                if (planes.Length == 3)
                {
                    double[] point;
                    if (o.SliceIndex != null)
                    {
                        if (o.SliceIndex.Length != 3) throw new ArgumentException("With -Plane All, -Slice takes three voxel indices i, j, k.");
                        for (int d = 0; d < 3; d++)
                            if (o.SliceIndex[d] < 0 || o.SliceIndex[d] >= grid.Dimensions[d])
                                throw new ArgumentOutOfRangeException("Slice", "Voxel index " + o.SliceIndex[d] + " is outside 0.." + (grid.Dimensions[d] - 1) + " on axis " + "ijk"[d] + ".");
                        point = grid.VoxelToWorld(o.SliceIndex[0], o.SliceIndex[1], o.SliceIndex[2]);
                    }
                    else
                    {
                        if (o.SliceMm.Length != 3) throw new ArgumentException("With -Plane All, -SliceMm takes three world coordinates x, y, z in mm.");
                        point = o.SliceMm;
                    }
                    rows.Add(AllAt(point));
                    return rows;
                }
                var p = planes[0];
                int axisN = NormalAxis(p);
                var tiles = new List<Tile>();
                if (o.SliceIndex != null)
                {
                    int vaxis = AlignedVoxelAxis(grid, axisN);
                    var centre = new double[] { (grid.NX - 1) / 2.0, (grid.NY - 1) / 2.0, (grid.NZ - 1) / 2.0 };
                    foreach (int s in o.SliceIndex)
                    {
                        if (s < 0 || s >= grid.Dimensions[vaxis])
                            throw new ArgumentOutOfRangeException("Slice", "Slice " + s + " is outside 0.." + (grid.Dimensions[vaxis] - 1) + " (voxel axis " + "ijk"[vaxis] + ", nearest the " + p + " normal).");
                        var v = (double[])centre.Clone();
                        v[vaxis] = s;
                        tiles.Add(new Tile { Plane = p, PositionMm = grid.VoxelToWorld(v[0], v[1], v[2])[axisN] });
                    }
                }
                else
                {
                    foreach (double s in o.SliceMm) tiles.Add(new Tile { Plane = p, PositionMm = s });
                }
                return Wrap(tiles);
            }

            // One slice per plane: at the lesion (explicitly, or by default when there is one), else the centre.
            double[] at;
            if (haveLesion) at = lesion.CentroidMm; // -AtLesion is the default whenever an overlay marks something
            else
            {
                var b = WorldBox(grid);
                at = new[] { 0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5]) };
            }
            var one = new List<Tile>();
            foreach (var p in planes)
            {
                int axis = NormalAxis(p);
                double pos = SnapToSlice(grid, axis, at[axis]);
                if (haveLesion && o.LesionSlice == LesionSliceMode.LargestSection) pos = lesion.LargestSectionMm(axis);
                one.Add(new Tile { Plane = p, PositionMm = pos });
            }
            rows.Add(one);
            return rows;

            List<Tile> AllAt(double[] point) => new List<Tile>
            {
                new Tile { Plane = SnapshotPlane.Axial, PositionMm = point[2] },
                new Tile { Plane = SnapshotPlane.Coronal, PositionMm = point[1] },
                new Tile { Plane = SnapshotPlane.Sagittal, PositionMm = point[0] },
            };
        }

        /// <summary>
        /// The world position, along world axis <paramref name="axis"/>, of the base grid's voxel slice
        /// nearest <paramref name="pos"/> (slices across the voxel axis nearest that world axis; ties
        /// go to the smaller world coordinate, so the choice does not depend on the voxel order).
        /// Chosen positions (lesion centroid, montage steps) show real slices, not blends of two.
        /// </summary>
        internal static double SnapToSlice(Grid g, int axis, double pos)
        {
            int va = AlignedVoxelAxis(g, axis);
            var a = g.Affine;
            double step = a[axis, va];
            if (step == 0) return pos;
            var c = new double[] { (g.NX - 1) / 2.0, (g.NY - 1) / 2.0, (g.NZ - 1) / 2.0 };
            c[va] = 0;
            double w0 = g.VoxelToWorld(c[0], c[1], c[2])[axis];
            double t = (pos - w0) / step;
            int n = g.Dimensions[va];
            double lo = Math.Floor(t + 1e-9), hi = lo + 1;
            if (lo < 0) lo = 0; if (lo > n - 1) lo = n - 1;
            if (hi < 0) hi = 0; if (hi > n - 1) hi = n - 1;
            double p0 = w0 + lo * step, p1 = w0 + hi * step;
            double d0 = Math.Abs(p0 - pos), d1 = Math.Abs(p1 - pos);
            if (Math.Abs(d0 - d1) < 1e-9) return Math.Min(p0, p1);
            return d0 < d1 ? p0 : p1;
        }

        /// <summary>The voxel axis (0,1,2) whose direction is closest to world axis <paramref name="worldAxis"/>.</summary>
        internal static int AlignedVoxelAxis(Grid grid, int worldAxis)
        {
            var a = grid.Affine;
            int best = 0; double bv = -1;
            for (int j = 0; j < 3; j++)
            {
                double norm = Math.Sqrt(a[0, j] * a[0, j] + a[1, j] * a[1, j] + a[2, j] * a[2, j]);
                double c = norm > 0 ? Math.Abs(a[worldAxis, j]) / norm : 0;
                if (c > bv) { bv = c; best = j; }
            }
            return best;
        }

        /// <summary>World bounding box of a grid's voxels (their outer edges): xmin,xmax,ymin,ymax,zmin,zmax.</summary>
        internal static double[] WorldBox(Grid g)
        {
            var box = new[] { double.MaxValue, double.MinValue, double.MaxValue, double.MinValue, double.MaxValue, double.MinValue };
            for (int c = 0; c < 8; c++)
            {
                var w = g.VoxelToWorld((c & 1) == 0 ? -0.5 : g.NX - 0.5, (c & 2) == 0 ? -0.5 : g.NY - 0.5, (c & 4) == 0 ? -0.5 : g.NZ - 0.5);
                for (int d = 0; d < 3; d++)
                {
                    box[2 * d] = Math.Min(box[2 * d], w[d]);
                    box[2 * d + 1] = Math.Max(box[2 * d + 1], w[d]);
                }
            }
            return box;
        }

        /// <summary>Extent along a world axis of the voxels brighter than a threshold (the head); the whole grid when none is.</summary>
        private static void HeadExtent(Grid g, float[] v, double threshold, int axis, out double min, out double max)
        {
            min = double.MaxValue; max = double.MinValue;
            var a = g.Affine;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                {
                    int row = g.Index(0, j, k);
                    for (int i = 0; i < g.NX; i++)
                    {
                        if (!(v[row + i] > threshold)) continue;
                        double w = a[axis, 0] * i + a[axis, 1] * j + a[axis, 2] * k + a[axis, 3];
                        if (w < min) min = w;
                        if (w > max) max = w;
                    }
                }
            if (min > max)
            {
                var b = WorldBox(g);
                min = b[2 * axis]; max = b[2 * axis + 1];
            }
        }

        // ------------------------------------------------------------------ window

        /// <summary>Robust window: the low/high percentiles of the finite non-zero voxels (<see cref="Imaging.Percentile.OfNonZeroFinite"/>).</summary>
        internal static void Percentiles(float[] v, SnapshotOptions o, out double lo, out double hi)
        {
            var r = Imaging.Percentile.OfNonZeroFinite(v, new[] { o.LowPercentile, o.HighPercentile });
            lo = r[0]; hi = r[1];
        }

        /// <summary>The lesion that -AtLesion and -Montage aim at: the union of the overlays that share the first overlay's grid.</summary>
        internal sealed class LesionRegion
        {
            public long Count;
            public double[] CentroidMm = new double[3];
            public double[] MinMm = new double[3];
            public double[] MaxMm = new double[3];
            private Grid _grid;
            private byte[] _mask;
            private double[] _centroidVoxel = new double[3];

            public static LesionRegion Of(List<PreparedOverlay> layers)
            {
                // Reference layers (a template's brain outline) are drawn but never aimed at.
                int first = layers.FindIndex(l => !l.Layer.IsReference);
                if (first < 0) return null;
                var g = layers[first].Sampler.Grid;
                var mask = (byte[])layers[first].Footprint().Clone();
                for (int n = first + 1; n < layers.Count; n++)
                {
                    if (layers[n].Layer.IsReference || !layers[n].Sampler.Grid.Matches(g)) continue;
                    var f = layers[n].Footprint();
                    for (int i = 0; i < mask.Length; i++) mask[i] |= f[i];
                }
                var r = new LesionRegion { _grid = g, _mask = mask };
                var a = g.Affine;
                double si = 0, sj = 0, sk = 0;
                for (int d = 0; d < 3; d++) { r.MinMm[d] = double.MaxValue; r.MaxMm[d] = double.MinValue; }
                for (int k = 0; k < g.NZ; k++)
                    for (int j = 0; j < g.NY; j++)
                    {
                        int row = g.Index(0, j, k);
                        for (int i = 0; i < g.NX; i++)
                        {
                            if (mask[row + i] == 0) continue;
                            r.Count++;
                            si += i; sj += j; sk += k;
                            for (int d = 0; d < 3; d++)
                            {
                                double w = a[d, 0] * i + a[d, 1] * j + a[d, 2] * k + a[d, 3];
                                if (w < r.MinMm[d]) r.MinMm[d] = w;
                                if (w > r.MaxMm[d]) r.MaxMm[d] = w;
                            }
                        }
                    }
                if (r.Count > 0)
                {
                    r._centroidVoxel = new[] { si / r.Count, sj / r.Count, sk / r.Count };
                    r.CentroidMm = g.VoxelToWorld(si / r.Count, sj / r.Count, sk / r.Count);
                }
                return r;
            }

            /// <summary>World position along <paramref name="axis"/> of the lesion grid's slice (across the voxel axis nearest that world axis) holding most lesion voxels; ties go to the slice nearest the centroid.</summary>
            public double LargestSectionMm(int axis)
            {
                var g = _grid;
                int va = AlignedVoxelAxis(g, axis);
                var counts = new long[g.Dimensions[va]];
                for (int k = 0; k < g.NZ; k++)
                    for (int j = 0; j < g.NY; j++)
                    {
                        int row = g.Index(0, j, k);
                        for (int i = 0; i < g.NX; i++)
                        {
                            if (_mask[row + i] == 0) continue;
                            counts[va == 0 ? i : va == 1 ? j : k]++;
                        }
                    }
                int best = -1;
                for (int s = 0; s < counts.Length; s++)
                {
                    if (best < 0 || counts[s] > counts[best] ||
                        (counts[s] == counts[best] && Math.Abs(s - _centroidVoxel[va]) < Math.Abs(best - _centroidVoxel[va])))
                        best = s;
                }
                var v = (double[])_centroidVoxel.Clone();
                v[va] = best;
                return g.VoxelToWorld(v[0], v[1], v[2])[axis];
            }
        }
    }
}
