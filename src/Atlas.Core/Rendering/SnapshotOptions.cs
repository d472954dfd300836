using System;
using System.Threading;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    /// <summary>The view of a snapshot: one world-aligned plane, or the three side by side.</summary>
    public enum SnapshotPlane { Axial, Coronal, Sagittal, All }

    /// <summary>Which slice -AtLesion picks: through the lesion's centroid, or the one where it is largest.</summary>
    public enum LesionSliceMode { Centroid, LargestSection }

    /// <summary>How an overlay is coloured: Solid (a mask: non-zero voxels in one colour) or a colormap over a value range.</summary>
    public enum OverlayColormap { Solid, Heat, Cool }

    public enum SnapshotInterpolation { Nearest, Linear }

    /// <summary>One overlay drawn over the base image: a mask in a colour, or a continuous map in a colormap.</summary>
    public sealed class SnapshotLayer
    {
        public SnapshotLayer(AtlasVolume volume) { Volume = volume ?? throw new ArgumentNullException(nameof(volume)); }

        public AtlasVolume Volume { get; }
        /// <summary>Colour of a Solid layer; null takes the next default colour (red, green, blue …).</summary>
        public RgbColor? Color { get; set; }
        /// <summary>0 (invisible) .. 1 (opaque).</summary>
        public double Opacity { get; set; } = 0.6;
        public OverlayColormap Colormap { get; set; } = OverlayColormap.Solid;
        /// <summary>Colormap range: values below RangeMin are not drawn (default: every value above 0); RangeMax takes the top colour (default: the map's maximum).</summary>
        public double? RangeMin { get; set; }
        public double? RangeMax { get; set; }
        /// <summary>Draw a Solid layer as its one-pixel outline (the mask's pixels with a neighbour outside it), so the anatomy under the lesion stays visible.</summary>
        public bool Outline { get; set; }
        /// <summary>
        /// What the legend under the picture calls this layer (primary, _1 … for a subject's masks). Drawn with the
        /// picture's own small font: letters of "primary count proportion template", A I L P R S x y z m, digits, _ = - . and
        /// space; other characters are left out of the drawing (the full text is in SnapshotInfo.Legend). Null: the
        /// layer's number (1, 2 …) for a mask; for a map, "count" or "proportion" when its values are counts or 0..1.
        /// </summary>
        public string Label { get; set; }
        /// <summary>
        /// A reference drawn for orientation (a template's brain outline over a registered T1): it is not part of the
        /// lesion that -AtLesion and -Montage aim at, so slices stay where the subject's own masks put them.
        /// </summary>
        public bool IsReference { get; set; }
        /// <summary>Sampling onto the pixel grid; Nearest keeps mask edges and map values exact.</summary>
        public SnapshotInterpolation Interpolation { get; set; } = SnapshotInterpolation.Nearest;
    }

    public sealed class SnapshotOptions
    {
        public SnapshotPlane Plane { get; set; } = SnapshotPlane.All;
        /// <summary>Voxel indices along the volume axis nearest the plane's normal (one per tile); for All exactly three: i, j, k.</summary>
        public int[] SliceIndex { get; set; }
        /// <summary>World positions in mm along the plane's normal (one per tile); for All exactly three: x, y, z.</summary>
        public double[] SliceMm { get; set; }
        /// <summary>Slice through the overlays' lesion (the union of the overlays on the first overlay's grid).</summary>
        public bool AtLesion { get; set; }
        public LesionSliceMode LesionSlice { get; set; } = LesionSliceMode.Centroid;
        /// <summary>n evenly spaced slices through the lesion's extent (or the head's when there is no overlay); 0 = one slice.</summary>
        public int Montage { get; set; }
        /// <summary>Right on the left of the picture (radiological); default neurological (left on the left).</summary>
        public bool Radiological { get; set; }
        /// <summary>Intensity window; each end defaults to a robust percentile of the base image.</summary>
        public double? WindowMin { get; set; }
        public double? WindowMax { get; set; }
        public double LowPercentile { get; set; } = 1;
        public double HighPercentile { get; set; } = 99;
        /// <summary>Side of a square pixel in mm; default the smallest voxel size of the base image.</summary>
        public double? PixelSizeMm { get; set; }
        /// <summary>Orientation letters and slice positions drawn on each tile.</summary>
        public bool Labels { get; set; } = true;
        public SnapshotInterpolation BaseInterpolation { get; set; } = SnapshotInterpolation.Linear;
        /// <summary>A legend under the tiles: a swatch and the label of each mask layer, a colour bar with its scale for each map.</summary>
        public bool Legend { get; set; } = true;
        public CancellationToken CancellationToken { get; set; }

        public SnapshotOptions Clone() => (SnapshotOptions)MemberwiseClone();
    }
}
