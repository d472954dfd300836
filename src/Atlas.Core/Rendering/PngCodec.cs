using System;
using System.IO;
using System.Runtime.InteropServices;
using Atlas.Core.Nifti;
using SkiaSharp;

namespace Atlas.Core.Rendering
{
    /// <summary>PNG files through SkiaSharp (docs/architecture.md, "Rendering", says why).</summary>
    public static class PngCodec
    {
        /// <summary>The PNG bytes of an image (8-bit RGB, opaque).</summary>
        public static byte[] Encode(RgbaImage image)
        {
            SkiaNativeLoader.Ensure();
            return EncodeCore(image);
        }

        // Apart, so no SkiaSharp type is touched (or its type initializer run) before the native library is registered.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static byte[] EncodeCore(RgbaImage image)
        {
            var info = new SKImageInfo(image.Width, image.Height, SKColorType.Bgra8888, SKAlphaType.Opaque);
            using (var bitmap = new SKBitmap(info))
            {
                // 0xAARRGGBB little-endian is B,G,R,A in memory: Bgra8888 byte for byte.
                var bytes = new byte[image.Pixels.Length * 4];
                Buffer.BlockCopy(image.Pixels, 0, bytes, 0, bytes.Length);
                Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
                using (var img = SKImage.FromBitmap(bitmap))
                using (var data = img.Encode(SKEncodedImageFormat.Png, 100))
                {
                    if (data == null) throw new InvalidOperationException("SkiaSharp could not encode the PNG.");
                    return data.ToArray();
                }
            }
        }

        /// <summary>Writes an image as PNG atomically (temporary file, then rename).</summary>
        public static void Write(RgbaImage image, string path)
        {
            var png = Encode(image);
            AtomicFile.WriteAllBytes(path, png);
        }

        /// <summary>Reads a PNG (any colour type) back into an opaque image; for tests and reports.</summary>
        public static RgbaImage Read(string path) => Decode(File.ReadAllBytes(path));

        public static RgbaImage Decode(byte[] png)
        {
            SkiaNativeLoader.Ensure();
            return DecodeCore(png);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static RgbaImage DecodeCore(byte[] png)
        {
            using (var decoded = SKBitmap.Decode(png))
            {
                if (decoded == null) throw new InvalidDataException("Not a PNG image SkiaSharp can read.");
                var img = new RgbaImage(decoded.Width, decoded.Height);
                for (int y = 0; y < decoded.Height; y++)
                    for (int x = 0; x < decoded.Width; x++)
                    {
                        var c = decoded.GetPixel(x, y);
                        img[x, y] = RgbaImage.Pack(c.Red, c.Green, c.Blue);
                    }
                return img;
            }
        }
    }
}
