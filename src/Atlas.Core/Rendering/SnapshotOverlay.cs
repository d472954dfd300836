using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    // SnapshotRenderer, part: one tile drawn, the base image windowed and the overlays blended over it.
    public static partial class SnapshotRenderer
    {
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
    }
}
