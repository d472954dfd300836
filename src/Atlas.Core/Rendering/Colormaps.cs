namespace Atlas.Core.Rendering
{
    /// <summary>Colormaps for continuous overlays, t in 0..1 → r,g,b in 0..255.</summary>
    public static class Colormaps
    {
        /// <summary>
        /// Heat: dark red (t=0) → red → yellow (t=0.75) → white (t=1), the colours of overlap maps in
        /// lesion papers; never black, so the lowest drawn value still stands out from the anatomy.
        /// Cool: blue (t=0) → cyan (t=1).
        /// </summary>
        public static void Map(OverlayColormap map, double t, out double r, out double g, out double b)
        {
            if (t < 0) t = 0; else if (t > 1) t = 1;
            switch (map)
            {
                case OverlayColormap.Cool:
                    r = 0; g = 255 * t; b = 255;
                    break;
                default:
                    r = 255 * Unit(0.5 + 1.5 * t);
                    g = 255 * Unit(2 * t - 0.5);
                    b = 255 * Unit(4 * t - 3);
                    break;
            }
        }

        private static double Unit(double x) => x < 0 ? 0 : x > 1 ? 1 : x;
    }
}
