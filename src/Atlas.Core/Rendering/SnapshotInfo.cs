using System;
using System.Globalization;

namespace Atlas.Core.Rendering
{
    /// <summary>What a snapshot shows and where it was written: flat properties, so Export-Csv gives a tidy table.</summary>
    public sealed class SnapshotInfo
    {
        public string Path { get; set; }
        public string SubjectId { get; set; }
        /// <summary>The base image the picture was drawn from.</summary>
        public string SourcePath { get; set; }
        public SnapshotPlane Plane { get; set; }
        /// <summary>Slices shown, e.g. "z=-12 z=3.5" (world mm along each plane's normal).</summary>
        public string Slices { get; set; }
        public int SliceCount { get; set; }
        public int OverlayCount { get; set; }
        public int WidthPx { get; set; }
        public int HeightPx { get; set; }
        public double PixelSizeMm { get; set; }
        public double WindowMin { get; set; }
        public double WindowMax { get; set; }
        /// <summary>Neurological (left on the left) or Radiological.</summary>
        public string Convention { get; set; }
        /// <summary>What each overlay colour is, as the legend under the picture shows it: "red = primary (file); green = _1 (file)";
        /// for a map, its colormap and scale: "Heat 0 to 12 = count (file)".</summary>
        public string Legend { get; set; }
        /// <summary>Voxel order of the base image as stored (e.g. LAS); the picture is the same whatever it is.</summary>
        public string SourceOrientation { get; set; }

        internal static string FormatMm(double v)
        {
            double r = Math.Round(v);
            if (r == 0 && Math.Abs(v) < 0.05) return "0"; // no "-0"
            return Math.Abs(v - r) < 0.05 ? r.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.0", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A rendered picture and its description.</summary>
    public sealed class RenderedSnapshot
    {
        public RenderedSnapshot(RgbaImage image, SnapshotInfo info) { Image = image; Info = info; }
        public RgbaImage Image { get; }
        public SnapshotInfo Info { get; }
    }
}
