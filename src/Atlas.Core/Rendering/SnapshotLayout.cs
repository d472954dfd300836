using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    // SnapshotRenderer, part: tiles arranged into rows and one canvas, with side letters, slice labels and the legend.
    public static partial class SnapshotRenderer
    {
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
                            uint c = RgbaImage.Pack((int)Math.Round(r), (int)Math.Round(g), (int)Math.Round(b)); // Map gives 0..255
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
    }
}
