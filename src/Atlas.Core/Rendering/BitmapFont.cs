using System;
using System.Collections.Generic;

namespace Atlas.Core.Rendering
{
    /// <summary>
    /// A tiny 5x7 pixel font drawn by hand for the few characters snapshots need (orientation
    /// letters, slice positions). It needs no system fonts, so labels render the same on a server
    /// without fontconfig as on a desktop. Each glyph is 7 rows of 5 characters, '#' = ink.
    /// </summary>
    public static class BitmapFont
    {
        public const int GlyphWidth = 5;
        public const int GlyphHeight = 7;

        private static readonly Dictionary<char, string[]> Glyphs = new Dictionary<char, string[]>
        {
            { 'A', new[] { " ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #" } },
            { 'I', new[] { "#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "#####" } },
            { 'L', new[] { "#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####" } },
            { 'P', new[] { "#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    " } },
            { 'R', new[] { "#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #" } },
            { 'S', new[] { " ####", "#    ", "#    ", " ### ", "    #", "    #", "#### " } },
            { 'x', new[] { "     ", "     ", "#   #", " # # ", "  #  ", " # # ", "#   #" } },
            { 'y', new[] { "     ", "     ", "#   #", "#   #", " ####", "    #", " ### " } },
            { 'z', new[] { "     ", "     ", "#####", "   # ", "  #  ", " #   ", "#####" } },
            { 'm', new[] { "     ", "     ", "## # ", "# # #", "# # #", "# # #", "# # #" } },
            // Lower case for the legend's words (primary, count, proportion, template) and _ for mask ranks (_1, _2).
            { 'a', new[] { "     ", "     ", " ### ", "    #", " ####", "#   #", " ####" } },
            { 'c', new[] { "     ", "     ", " ####", "#    ", "#    ", "#    ", " ####" } },
            { 'e', new[] { "     ", "     ", " ### ", "#   #", "#####", "#    ", " ####" } },
            { 'i', new[] { "  #  ", "     ", " ##  ", "  #  ", "  #  ", "  #  ", " ### " } },
            { 'l', new[] { " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### " } },
            { 'n', new[] { "     ", "     ", "# ## ", "##  #", "#   #", "#   #", "#   #" } },
            { 'o', new[] { "     ", "     ", " ### ", "#   #", "#   #", "#   #", " ### " } },
            { 'p', new[] { "     ", "     ", "#### ", "#   #", "#### ", "#    ", "#    " } },
            { 'r', new[] { "     ", "     ", "# ## ", "##  #", "#    ", "#    ", "#    " } },
            { 't', new[] { " #   ", " #   ", "#### ", " #   ", " #   ", " #  #", "  ## " } },
            { 'u', new[] { "     ", "     ", "#   #", "#   #", "#   #", "#  ##", " ## #" } },
            { '_', new[] { "     ", "     ", "     ", "     ", "     ", "     ", "#####" } },
            { '=', new[] { "     ", "     ", "#####", "     ", "#####", "     ", "     " } },
            { '-', new[] { "     ", "     ", "     ", "#####", "     ", "     ", "     " } },
            { '.', new[] { "     ", "     ", "     ", "     ", "     ", " ##  ", " ##  " } },
            { ' ', new[] { "     ", "     ", "     ", "     ", "     ", "     ", "     " } },
            { '0', new[] { " ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### " } },
            { '1', new[] { "  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### " } },
            { '2', new[] { " ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####" } },
            { '3', new[] { "#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### " } },
            { '4', new[] { "   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # " } },
            { '5', new[] { "#####", "#    ", "#### ", "    #", "    #", "#   #", " ### " } },
            { '6', new[] { "  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### " } },
            { '7', new[] { "#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   " } },
            { '8', new[] { " ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### " } },
            { '9', new[] { " ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  " } },
        };

        public static bool CanDraw(char c) => Glyphs.ContainsKey(c);

        /// <summary>True when glyph <paramref name="c"/> has ink at column x, row y (0-based, 5x7).</summary>
        public static bool Ink(char c, int x, int y)
        {
            if (!Glyphs.TryGetValue(c, out var rows)) return false;
            if (x < 0 || y < 0 || x >= GlyphWidth || y >= GlyphHeight) return false;
            return rows[y][x] == '#';
        }

        /// <summary>Width in pixels of a text at a scale (one blank column between glyphs).</summary>
        public static int MeasureWidth(string text, int scale) =>
            text.Length == 0 ? 0 : (text.Length * (GlyphWidth + 1) - 1) * scale;

        public static int MeasureHeight(int scale) => GlyphHeight * scale;

        /// <summary>
        /// Draws a text with its top-left corner at (x0, y0): each font pixel becomes a scale×scale
        /// block of <paramref name="ink"/>, surrounded by a one-scale-unit dark outline so the text
        /// reads over bright anatomy. Unknown characters are drawn as blanks.
        /// </summary>
        public static void Draw(RgbaImage image, string text, int x0, int y0, int scale, uint ink, uint outline = 0xFF000000u)
        {
            if (scale < 1) scale = 1;
            // Outline first (the glyph dilated by one font pixel), then the ink on top.
            for (int pass = 0; pass < 2; pass++)
            {
                for (int n = 0; n < text.Length; n++)
                {
                    char c = text[n];
                    if (!Glyphs.ContainsKey(c)) continue;
                    int gx = x0 + n * (GlyphWidth + 1) * scale;
                    for (int y = 0; y < GlyphHeight; y++)
                        for (int x = 0; x < GlyphWidth; x++)
                        {
                            if (!Ink(c, x, y)) continue;
                            if (pass == 0)
                            {
                                for (int dy = -1; dy <= 1; dy++)
                                    for (int dx = -1; dx <= 1; dx++)
                                        image.FillRect(gx + (x + dx) * scale, y0 + (y + dy) * scale, scale, scale, outline);
                            }
                            else image.FillRect(gx + x * scale, y0 + y * scale, scale, scale, ink);
                        }
                }
            }
        }
    }
}
