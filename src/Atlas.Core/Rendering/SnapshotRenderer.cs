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
    public static class SnapshotRenderer
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

        /// <summary>Tiles of one plane in a near-square grid (columns = ceil(sqrt n)).</summary>
        private static List<List<Tile>> Wrap(List<Tile> tiles)
        {
            int cols = (int)Math.Ceiling(Math.Sqrt(tiles.Count));
            if (cols < 1) cols = 1;
            var rows = new List<List<Tile>>();
            for (int n = 0; n < tiles.Count; n++)
            {
                if (n % cols == 0) rows.Add(new List<Tile>());
                rows[rows.Count - 1].Add(tiles[n]);
            }
            return rows;
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

        /// <summary>
        /// Robust window: the low/high percentiles (numpy's linear rule) of the finite non-zero voxels
        /// (all finite voxels when every one is zero), exact, in linear time: a 65 536-bin histogram
        /// finds the bin holding each needed order statistic, and only that bin's values are sorted.
        /// </summary>
        internal static void Percentiles(float[] v, SnapshotOptions o, out double lo, out double hi)
        {
            var r = ExactPercentiles(v, new[] { o.LowPercentile, o.HighPercentile });
            lo = r[0]; hi = r[1];
        }

        internal static double[] ExactPercentiles(float[] v, double[] qs)
        {
            foreach (var q in qs)
                if (q < 0 || q > 100 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(qs), "Percentiles are between 0 and 100.");
            long n = 0, zeros = 0;
            double min = double.MaxValue, max = double.MinValue;
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (float.IsNaN(x) || float.IsInfinity(x)) continue;
                if (x == 0) { zeros++; continue; }
                n++;
                if (x < min) min = x;
                if (x > max) max = x;
            }
            bool skipZero = n > 0;
            if (!skipZero)
            {
                if (zeros == 0) return new[] { 0.0, 1.0 };
                return new[] { 0.0, 0.0 };
            }
            var result = new double[qs.Length];
            if (max == min) { for (int k = 0; k < qs.Length; k++) result[k] = min; return result; }
            const int Bins = 65536;
            double scale = Bins / (max - min);
            var hist = new long[Bins];
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (x == 0 || float.IsNaN(x) || float.IsInfinity(x)) continue;
                hist[Bin(x, min, scale, Bins)]++;
            }
            // Order statistics needed: floor(rank) and the next one, for every percentile.
            var need = new List<long>();
            foreach (var q in qs)
            {
                double rank = q / 100.0 * (n - 1);
                long k0 = (long)Math.Floor(rank);
                need.Add(k0);
                need.Add(Math.Min(k0 + 1, n - 1));
            }
            var binOf = new Dictionary<long, int>();
            var startOf = new Dictionary<int, long>();
            foreach (long k in need)
            {
                long cum = 0;
                for (int b = 0; b < Bins; b++)
                {
                    if (k < cum + hist[b]) { binOf[k] = b; startOf[b] = cum; break; }
                    cum += hist[b];
                }
            }
            // Collect the needed bins' values in one pass (slot per bin, -1 = not needed), then sort each.
            var slot = new int[Bins];
            for (int b = 0; b < Bins; b++) slot[b] = -1;
            var bins = new List<int>(startOf.Keys);
            var buffers = new float[bins.Count][];
            var fill = new int[bins.Count];
            for (int n2 = 0; n2 < bins.Count; n2++) { slot[bins[n2]] = n2; buffers[n2] = new float[hist[bins[n2]]]; }
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (x == 0 || float.IsNaN(x) || float.IsInfinity(x)) continue;
                int sl = slot[Bin(x, min, scale, Bins)];
                if (sl >= 0) buffers[sl][fill[sl]++] = x;
            }
            var sorted = new Dictionary<int, float[]>();
            for (int n2 = 0; n2 < bins.Count; n2++) { Array.Sort(buffers[n2]); sorted[bins[n2]] = buffers[n2]; }
            for (int k = 0; k < qs.Length; k++)
            {
                double rank = qs[k] / 100.0 * (n - 1);
                long k0 = (long)Math.Floor(rank), k1 = Math.Min(k0 + 1, n - 1);
                result[k] = Atlas.Core.Metrics.Percentile.Interpolate(OrderStat(k0), OrderStat(k1), rank - k0);
            }
            return result;

            double OrderStat(long k)
            {
                int b = binOf[k];
                return sorted[b][k - startOf[b]];
            }
        }

        private static int Bin(float x, double min, double scale, int bins)
        {
            int b = (int)((x - min) * scale);
            return b < 0 ? 0 : b >= bins ? bins - 1 : b;
        }

        // ------------------------------------------------------------------ drawing

        /// <summary>Pixel geometry of one tile: world coordinates of pixel (c, r) centres.</summary>
        internal sealed class TileGeometry
        {
            public int U, V, N;           // world axes of columns, rows, normal
            public int Width, Height;
            public double CentreU, CentreV, Pixel, SignU, Position;

            public double[] World(int c, int r)
            {
                var w = new double[3];
                w[U] = CentreU + SignU * ((c + 0.5) - Width / 2.0) * Pixel;
                w[V] = CentreV - ((r + 0.5) - Height / 2.0) * Pixel;
                w[N] = Position;
                return w;
            }
        }

        internal static TileGeometry Geometry(SnapshotPlane plane, double position, double[] box, double pixel, bool radiological)
        {
            var t = new TileGeometry { Pixel = pixel, Position = position };
            switch (plane)
            {
                case SnapshotPlane.Axial: t.U = 0; t.V = 1; t.N = 2; t.SignU = radiological ? -1 : 1; break;
                case SnapshotPlane.Coronal: t.U = 0; t.V = 2; t.N = 1; t.SignU = radiological ? -1 : 1; break;
                default: t.U = 1; t.V = 2; t.N = 0; t.SignU = -1; break; // anterior on the left
            }
            double u0 = box[2 * t.U], u1 = box[2 * t.U + 1], v0 = box[2 * t.V], v1 = box[2 * t.V + 1];
            t.Width = Math.Max(1, (int)Math.Round((u1 - u0) / pixel - 1e-6));
            t.Height = Math.Max(1, (int)Math.Round((v1 - v0) / pixel - 1e-6));
            t.CentreU = 0.5 * (u0 + u1);
            t.CentreV = 0.5 * (v0 + v1);
            return t;
        }

        private static RgbaImage RenderTile(SnapshotPlane plane, double position, double[] box, double pixel, Sampler baseLayer,
            double lo, double hi, List<PreparedOverlay> layers, SnapshotOptions o)
        {
            var t = Geometry(plane, position, box, pixel, o.Radiological);
            var img = new RgbaImage(t.Width, t.Height);
            double scale = 255.0 / (hi - lo);
            bool linear = o.BaseInterpolation == SnapshotInterpolation.Linear;
            // Outlined masks: which pixels they cover, so a pixel with a 4-neighbour outside is on the edge.
            var inside = new bool[layers.Count][];
            for (int n = 0; n < layers.Count; n++)
            {
                if (!layers[n].IsOutline) continue;
                var m = inside[n] = new bool[t.Width * t.Height];
                var layer = layers[n];
                Parallel.For(0, t.Height, r =>
                {
                    for (int c = 0; c < t.Width; c++) m[c + t.Width * r] = layer.Covers(t.World(c, r));
                });
            }
            Parallel.For(0, t.Height, r =>
            {
                var rgb = new double[3];
                for (int c = 0; c < t.Width; c++)
                {
                    var w = t.World(c, r);
                    double v = baseLayer.Sample(w, linear);
                    double g = double.IsNaN(v) ? 0 : (v - lo) * scale;
                    if (g < 0) g = 0; else if (g > 255) g = 255;
                    rgb[0] = rgb[1] = rgb[2] = g;
                    for (int n = 0; n < layers.Count; n++)
                    {
                        var m = inside[n];
                        if (m == null) layers[n].Blend(w, rgb);
                        else if (m[c + t.Width * r] && (c == 0 || r == 0 || c == t.Width - 1 || r == t.Height - 1
                            || !m[c - 1 + t.Width * r] || !m[c + 1 + t.Width * r] || !m[c + t.Width * (r - 1)] || !m[c + t.Width * (r + 1)]))
                            layers[n].BlendColour(rgb);
                    }
                    img.Pixels[c + (long)t.Width * r] = RgbaImage.Pack((int)Math.Round(rgb[0]), (int)Math.Round(rgb[1]), (int)Math.Round(rgb[2]));
                }
            });
            return img;
        }

        /// <summary>The letters at the left and right edges of a tile of this plane.</summary>
        public static void SideLetters(SnapshotPlane plane, bool radiological, out char left, out char right)
        {
            if (plane == SnapshotPlane.Sagittal) { left = 'A'; right = 'P'; }
            else if (radiological) { left = 'R'; right = 'L'; }
            else { left = 'L'; right = 'R'; }
        }

        /// <summary>Glyph scale used on a tile of this size (letters are 5x7 font pixels times the scale).</summary>
        public static int LabelScale(int width, int height) => Math.Max(1, (int)Math.Round(Math.Min(width, height) / 90.0, MidpointRounding.AwayFromZero));

        /// <summary>Where the side letters go: top-left corners of the left and right letters.</summary>
        public static void SideLetterPositions(int width, int height, out int leftX, out int rightX, out int y, out int scale)
            => SideLetterPositions(width, height, LabelScale(width, height), out leftX, out rightX, out y, out scale);

        /// <summary>Where the side letters go at a given glyph scale (pictures of several tiles use the smallest tile's scale).</summary>
        public static void SideLetterPositions(int width, int height, int withScale, out int leftX, out int rightX, out int y, out int scale)
        {
            scale = withScale;
            int margin = 2 * scale;
            leftX = margin;
            rightX = width - margin - BitmapFont.GlyphWidth * scale;
            y = (height - BitmapFont.GlyphHeight * scale) / 2;
        }

        private static void DrawLabels(RgbaImage img, SnapshotPlane plane, double position, bool radiological, int scale)
        {
            if (img.Width < 24 || img.Height < 16) return;
            SideLetters(plane, radiological, out char l, out char r);
            SideLetterPositions(img.Width, img.Height, scale, out int lx, out int rx, out int y, out int s);
            uint ink = RgbaImage.Pack(255, 255, 255);
            BitmapFont.Draw(img, l.ToString(), lx, y, s, ink);
            BitmapFont.Draw(img, r.ToString(), rx, y, s, ink);
            string text = AxisName(plane) + "=" + SnapshotInfo.FormatMm(position);
            if (BitmapFont.MeasureWidth(text, s) + 4 * s < img.Width)
                BitmapFont.Draw(img, text, 2 * s, 2 * s, s, RgbaImage.Pack(230, 230, 230));
        }

        // ------------------------------------------------------------------ legend

        /// <summary>The label a layer goes by in the legend: its own, else its number for a mask, its scale for a map.</summary>
        private static string LabelOf(PreparedOverlay p, int index) =>
            p.Layer.Label ?? (p.Layer.Colormap == OverlayColormap.Solid ? (index + 1).ToString(CultureInfo.InvariantCulture) : p.Scale);

        private static string ColourName(RgbColor c)
        {
            foreach (var n in RgbColor.KnownNames) if (RgbColor.Parse(n).Equals(c)) return n;
            return "#" + c.R.ToString("X2", CultureInfo.InvariantCulture) + c.G.ToString("X2", CultureInfo.InvariantCulture) + c.B.ToString("X2", CultureInfo.InvariantCulture);
        }

        internal static string ScaleNumber(double v) =>
            Math.Abs(v - Math.Round(v)) < 1e-9 ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

        private static string LegendText(List<PreparedOverlay> layers)
        {
            var parts = new List<string>();
            for (int n = 0; n < layers.Count; n++)
            {
                var p = layers[n];
                string label = LabelOf(p, n);
                string file = p.Layer.Volume.Path != null ? " (" + System.IO.Path.GetFileName(p.Layer.Volume.Path) + ")" : "";
                if (p.Layer.Colormap == OverlayColormap.Solid)
                    parts.Add(ColourName(p.Color) + (p.IsOutline ? " outline" : "") + " = " + label + file);
                else
                    parts.Add(p.Layer.Colormap + " " + ScaleNumber(p.Min) + " to " + ScaleNumber(p.Max) + (string.IsNullOrEmpty(label) ? "" : " = " + label) + file);
            }
            return string.Join("; ", parts);
        }

        /// <summary>
        /// The picture with a black strip below it: per mask layer a swatch in its colour (an outline for an
        /// outlined layer) and its label; per map a colour bar from its range minimum to maximum, both numbers
        /// written at its ends and the scale's name (count, proportion) after it. Entries wrap to new lines. The
        /// picture keeps its width: on a narrow one the bar shrinks (to 10 font pixels), then the scale's name is
        /// left out, and what still does not fit is cut at the edge (SnapshotInfo.Legend has it all in words).
        /// </summary>
        private static RgbaImage WithLegend(RgbaImage canvas, List<PreparedOverlay> layers, int s)
        {
            int glyphH = BitmapFont.GlyphHeight * s, pad = 3 * s, lineH = glyphH + 2 * pad, gapX = 4 * BitmapFont.GlyphWidth * s / 2;
            int maxW = Math.Max(canvas.Width - 2 * pad, 1);
            var entries = new List<(int Width, Action<RgbaImage, int, int> Draw)>();
            uint ink = RgbaImage.Pack(255, 255, 255);
            for (int n = 0; n < layers.Count; n++)
            {
                var p = layers[n];
                string label = Drawable(LabelOf(p, n));
                if (p.Layer.Colormap == OverlayColormap.Solid)
                {
                    uint c = RgbaImage.Pack(p.Color.R, p.Color.G, p.Color.B);
                    bool outline = p.IsOutline;
                    int w = glyphH + 2 * s + BitmapFont.MeasureWidth(label, s);
                    entries.Add((w, (img, x, y) =>
                    {
                        for (int yy = 0; yy < glyphH; yy++)
                            for (int xx = 0; xx < glyphH; xx++)
                                if (!outline || yy < s || xx < s || yy >= glyphH - s || xx >= glyphH - s) img.FillRect(x + xx, y + yy, 1, 1, c);
                        BitmapFont.Draw(img, label, x + glyphH + 2 * s, y, s, ink);
                    }));
                }
                else
                {
                    string lo = ScaleNumber(p.Min), hi = ScaleNumber(p.Max);
                    int loW = BitmapFont.MeasureWidth(lo, s), hiW = BitmapFont.MeasureWidth(hi, s), labelW = BitmapFont.MeasureWidth(label, s);
                    int fixedW = loW + 4 * s + hiW;
                    int room = maxW - fixedW - (labelW > 0 ? 3 * s + labelW : 0);
                    if (room < 10 * s && labelW > 0) { label = ""; labelW = 0; room = maxW - fixedW; }
                    int barW = Math.Max(10 * s, Math.Min(40 * s, room));
                    int w = fixedW + barW + (labelW > 0 ? 3 * s + labelW : 0);
                    var map = p.Layer.Colormap;
                    entries.Add((w, (img, x, y) =>
                    {
                        BitmapFont.Draw(img, lo, x, y, s, ink);
                        int bx = x + loW + 2 * s;
                        for (int xx = 0; xx < barW; xx++)
                        {
                            Colormaps.Map(map, barW == 1 ? 1 : xx / (double)(barW - 1), out double r, out double g, out double b);
                            uint c = RgbaImage.Pack((int)Math.Round(255 * r), (int)Math.Round(255 * g), (int)Math.Round(255 * b));
                            img.FillRect(bx + xx, y, 1, glyphH, c);
                        }
                        BitmapFont.Draw(img, hi, bx + barW + 2 * s, y, s, ink);
                        if (labelW > 0) BitmapFont.Draw(img, label, bx + barW + 2 * s + hiW + 3 * s, y, s, ink);
                    }));
                }
            }
            // Lay the entries out in lines no wider than the picture (at least one entry per line).
            var lines = new List<List<int>> { new List<int>() };
            int lineW = 0;
            for (int e = 0; e < entries.Count; e++)
            {
                int add = (lines[lines.Count - 1].Count == 0 ? 0 : gapX) + entries[e].Width;
                if (lines[lines.Count - 1].Count > 0 && lineW + add > maxW) { lines.Add(new List<int>()); lineW = 0; add = entries[e].Width; }
                lines[lines.Count - 1].Add(e);
                lineW += add;
            }
            var result = new RgbaImage(canvas.Width, canvas.Height + lines.Count * lineH);
            result.Blit(canvas, 0, 0);
            for (int l = 0; l < lines.Count; l++)
            {
                int x = pad, y = canvas.Height + l * lineH + pad;
                foreach (int e in lines[l]) { entries[e].Draw(result, x, y); x += entries[e].Width + gapX; }
            }
            return result;
        }

        /// <summary>The characters of a label the bitmap font can draw.</summary>
        private static string Drawable(string text)
        {
            if (string.IsNullOrEmpty(text)) return "";
            var sb = new System.Text.StringBuilder();
            foreach (char c in text) if (BitmapFont.CanDraw(c)) sb.Append(c);
            return sb.ToString().Trim();
        }

        private static RgbaImage Layout(List<List<RgbaImage>> rows)
        {
            int width = 0, height = 0;
            foreach (var row in rows)
            {
                int w = 0, h = 0;
                foreach (var t in row) { w += t.Width; h = Math.Max(h, t.Height); }
                w += Gap * Math.Max(0, row.Count - 1);
                width = Math.Max(width, w);
                height += h;
            }
            height += Gap * Math.Max(0, rows.Count - 1);
            var canvas = new RgbaImage(width, height);
            int y = 0;
            foreach (var row in rows)
            {
                int h = 0;
                foreach (var t in row) h = Math.Max(h, t.Height);
                int x = 0;
                foreach (var t in row)
                {
                    canvas.Blit(t, x, y + (h - t.Height) / 2);
                    x += t.Width + Gap;
                }
                y += h + Gap;
            }
            return canvas;
        }

        // ------------------------------------------------------------------ layers

        /// <summary>Samples a volume at world points: nearest or trilinear, NaN outside the grid.</summary>
        internal sealed class Sampler
        {
            private readonly Grid _g;
            private readonly double[,] _inv;

            public Sampler(Grid g, float[] values, byte[] mask)
            {
                _g = g;
                _inv = g.InverseAffine ?? throw new ArgumentException("The image's affine is singular; it cannot be placed in world space.");
                Values = values; Mask = mask;
            }

            public float[] Values { get; }
            public byte[] Mask { get; }
            public Grid Grid => _g;

            private void ToVoxel(double[] w, out double x, out double y, out double z)
            {
                var m = _inv;
                x = m[0, 0] * w[0] + m[0, 1] * w[1] + m[0, 2] * w[2] + m[0, 3];
                y = m[1, 0] * w[0] + m[1, 1] * w[1] + m[1, 2] * w[2] + m[1, 3];
                z = m[2, 0] * w[0] + m[2, 1] * w[1] + m[2, 2] * w[2] + m[2, 3];
            }

            private const double Eps = 1e-6;

            /// <summary>Index of the nearest voxel, or -1 outside the grid (pixel centres on a voxel edge go to the higher voxel).</summary>
            public long NearestIndex(double[] w)
            {
                ToVoxel(w, out double x, out double y, out double z);
                int i = (int)Math.Floor(x + 0.5 + Eps), j = (int)Math.Floor(y + 0.5 + Eps), k = (int)Math.Floor(z + 0.5 + Eps);
                if (i < 0 || j < 0 || k < 0 || i >= _g.NX || j >= _g.NY || k >= _g.NZ) return -1;
                return _g.Index(i, j, k);
            }

            public double Sample(double[] w, bool linear)
            {
                if (!linear)
                {
                    long idx = NearestIndex(w);
                    return idx < 0 ? double.NaN : Values[idx];
                }
                ToVoxel(w, out double x, out double y, out double z);
                int nx = _g.NX, ny = _g.NY, nz = _g.NZ;
                if (x < -0.5 - Eps || y < -0.5 - Eps || z < -0.5 - Eps || x > nx - 0.5 + Eps || y > ny - 0.5 + Eps || z > nz - 0.5 + Eps) return double.NaN;
                x = Clamp(x, nx - 1); y = Clamp(y, ny - 1); z = Clamp(z, nz - 1);
                int i0 = (int)Math.Floor(x), j0 = (int)Math.Floor(y), k0 = (int)Math.Floor(z);
                double fx = x - i0, fy = y - j0, fz = z - k0;
                int i1 = Math.Min(i0 + 1, nx - 1), j1 = Math.Min(j0 + 1, ny - 1), k1 = Math.Min(k0 + 1, nz - 1);
                var v = Values;
                double c00 = v[_g.Index(i0, j0, k0)] * (1 - fx) + v[_g.Index(i1, j0, k0)] * fx;
                double c10 = v[_g.Index(i0, j1, k0)] * (1 - fx) + v[_g.Index(i1, j1, k0)] * fx;
                double c01 = v[_g.Index(i0, j0, k1)] * (1 - fx) + v[_g.Index(i1, j0, k1)] * fx;
                double c11 = v[_g.Index(i0, j1, k1)] * (1 - fx) + v[_g.Index(i1, j1, k1)] * fx;
                double c0 = c00 * (1 - fy) + c10 * fy, c1 = c01 * (1 - fy) + c11 * fy;
                return c0 * (1 - fz) + c1 * fz;
            }

            private static double Clamp(double x, int max) => x < 0 ? 0 : x > max ? max : x;
        }

        internal sealed class PreparedOverlay
        {
            public Sampler Sampler;
            public SnapshotLayer Layer;
            public RgbColor Color;
            public double Min, Max, Opacity;
            /// <summary>A map's scale by its values: count (whole numbers above 1), proportion (all within 0..1), else null.</summary>
            public string Scale;

            public static PreparedOverlay Create(SnapshotLayer layer, int index)
            {
                var p = new PreparedOverlay { Layer = layer, Color = layer.Color ?? RgbColor.DefaultFor(index) };
                p.Opacity = layer.Opacity;
                if (double.IsNaN(p.Opacity) || p.Opacity < 0 || p.Opacity > 1) throw new ArgumentOutOfRangeException("Opacity", "Opacity is between 0 and 1.");
                var vol = layer.Volume;
                if (layer.Colormap == OverlayColormap.Solid)
                {
                    p.Sampler = new Sampler(vol.Grid, null, vol.ToMask());
                }
                else
                {
                    var v = vol.ToFloat32();
                    p.Sampler = new Sampler(vol.Grid, v, null);
                    double max = double.MinValue, min = double.MaxValue;
                    bool whole = true;
                    for (int i = 0; i < v.Length; i++)
                    {
                        float x = v[i];
                        if (float.IsInfinity(x) || float.IsNaN(x)) continue;
                        if (x > max) max = x;
                        if (x < min) min = x;
                        if (whole && x != Math.Floor(x)) whole = false;
                    }
                    p.Scale = min >= 0 && max <= 1 ? "proportion" : (whole && min >= 0 ? "count" : null);
                    p.Min = layer.RangeMin ?? 0;
                    p.Max = layer.RangeMax ?? (max > p.Min ? max : p.Min + 1);
                    if (!(p.Max > p.Min)) throw new ArgumentException("The colormap range maximum must be above its minimum.");
                }
                return p;
            }

            public bool IsOutline => Layer.Outline && Sampler.Mask != null;

            /// <summary>True where a Solid layer's mask covers world point w.</summary>
            public bool Covers(double[] w)
            {
                long idx = Sampler.NearestIndex(w);
                return idx >= 0 && Sampler.Mask[idx] != 0;
            }

            /// <summary>Blends the layer's solid colour into rgb (an outline pixel).</summary>
            public void BlendColour(double[] rgb)
            {
                double a = Opacity;
                rgb[0] = rgb[0] * (1 - a) + Color.R * a;
                rgb[1] = rgb[1] * (1 - a) + Color.G * a;
                rgb[2] = rgb[2] * (1 - a) + Color.B * a;
            }

            /// <summary>Blends this layer's colour at world point w into rgb (0..255).</summary>
            public void Blend(double[] w, double[] rgb)
            {
                double cr, cg, cb;
                if (Sampler.Mask != null)
                {
                    long idx = Sampler.NearestIndex(w);
                    if (idx < 0 || Sampler.Mask[idx] == 0) return;
                    cr = Color.R; cg = Color.G; cb = Color.B;
                }
                else
                {
                    double v = Sampler.Sample(w, Layer.Interpolation == SnapshotInterpolation.Linear);
                    if (double.IsNaN(v) || v == 0 || v < Min) return;
                    double t = (v - Min) / (Max - Min);
                    if (t > 1) t = 1; else if (t < 0) t = 0;
                    Colormaps.Map(Layer.Colormap, t, out cr, out cg, out cb);
                }
                double a = Opacity;
                rgb[0] = rgb[0] * (1 - a) + cr * a;
                rgb[1] = rgb[1] * (1 - a) + cg * a;
                rgb[2] = rgb[2] * (1 - a) + cb * a;
            }

            /// <summary>1 where the layer marks something (mask non-zero, or map value non-zero and at least its minimum).</summary>
            public byte[] Footprint()
            {
                if (Sampler.Mask != null) return Sampler.Mask;
                var v = Sampler.Values;
                var m = new byte[v.Length];
                for (int i = 0; i < v.Length; i++) m[i] = v[i] != 0 && !float.IsNaN(v[i]) && v[i] >= Min ? (byte)1 : (byte)0;
                return m;
            }
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
                var g = layers[0].Sampler.Grid;
                var mask = (byte[])layers[0].Footprint().Clone();
                for (int n = 1; n < layers.Count; n++)
                {
                    if (!layers[n].Sampler.Grid.Matches(g)) continue;
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
