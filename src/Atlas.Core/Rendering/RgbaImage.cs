using System;

namespace Atlas.Core.Rendering
{
    /// <summary>
    /// An opaque RGB picture in memory: one packed 0xAARRGGBB value per pixel, row-major, row 0 at
    /// the top. The renderer draws into it; <see cref="PngCodec"/> turns it into a PNG.
    /// </summary>
    public sealed class RgbaImage
    {
        public RgbaImage(int width, int height)
        {
            if (width < 1 || height < 1) throw new ArgumentException("An image needs at least one pixel.");
            Width = width; Height = height;
            Pixels = new uint[(long)width * height];
            for (int i = 0; i < Pixels.Length; i++) Pixels[i] = 0xFF000000u;
        }

        public int Width { get; }
        public int Height { get; }
        /// <summary>0xAARRGGBB per pixel; index x + Width*y.</summary>
        public uint[] Pixels { get; }

        public uint this[int x, int y]
        {
            get => Pixels[x + (long)Width * y];
            set => Pixels[x + (long)Width * y] = value;
        }

        public static uint Pack(int r, int g, int b) => 0xFF000000u | ((uint)(r & 255) << 16) | ((uint)(g & 255) << 8) | (uint)(b & 255);
        public static int R(uint p) => (int)((p >> 16) & 255);
        public static int G(uint p) => (int)((p >> 8) & 255);
        public static int B(uint p) => (int)(p & 255);

        /// <summary>True when the pixel is not a shade of grey (overlays are coloured, anatomy and labels are grey).</summary>
        public static bool IsColoured(uint p) => R(p) != G(p) || G(p) != B(p);

        public bool Contains(int x, int y) => x >= 0 && y >= 0 && x < Width && y < Height;

        /// <summary>Copies another image into this one with its top-left corner at (x0, y0), clipped.</summary>
        public void Blit(RgbaImage src, int x0, int y0)
        {
            for (int y = 0; y < src.Height; y++)
            {
                int ty = y0 + y;
                if (ty < 0 || ty >= Height) continue;
                for (int x = 0; x < src.Width; x++)
                {
                    int tx = x0 + x;
                    if (tx < 0 || tx >= Width) continue;
                    Pixels[tx + (long)Width * ty] = src.Pixels[x + (long)src.Width * y];
                }
            }
        }

        public void FillRect(int x0, int y0, int w, int h, uint colour)
        {
            for (int y = Math.Max(0, y0); y < Math.Min(Height, y0 + h); y++)
                for (int x = Math.Max(0, x0); x < Math.Min(Width, x0 + w); x++)
                    Pixels[x + (long)Width * y] = colour;
        }

        /// <summary>Counts pixels that are coloured (not grey).</summary>
        public int CountColoured()
        {
            int n = 0;
            for (int i = 0; i < Pixels.Length; i++) if (IsColoured(Pixels[i])) n++;
            return n;
        }
    }
}
