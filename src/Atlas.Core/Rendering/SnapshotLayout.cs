using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    // SnapshotRenderer, part: tiles arranged into rows and one canvas, with side letters and slice labels.
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
