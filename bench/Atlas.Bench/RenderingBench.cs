using System;
using Atlas.Core.Rendering;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Snapshot drawing on a 256³ float32 T1 with a lesion mask: the three planes through the lesion,
    /// a 9-slice axial montage, and the PNG encoding. No target in the issue; this shows the cost
    /// per subject of Export-AtlasSnapshot / New-AtlasQcReport after the images are read.
    /// </summary>
    public sealed class RenderingBench : IBench
    {
        public string Name => "render";

        public void Run(BenchContext context)
        {
            const int n = 256;
            var g = Grid.Create(n, n, n);
            var t1 = new float[g.VoxelCount];
            var mask = new byte[g.VoxelCount];
            var rnd = new Random(1);
            for (int k = 0; k < n; k++)
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                    {
                        double dx = i - 128, dy = j - 128, dz = k - 128, r2 = dx * dx + dy * dy + dz * dz;
                        int idx = g.Index(i, j, k);
                        t1[idx] = r2 < 100 * 100 ? (float)(600 + 100 * rnd.NextDouble()) : 0;
                        double lx = i - 90, ly = j - 140, lz = k - 120;
                        if (lx * lx + ly * ly + lz * lz < 15 * 15) mask[idx] = 1;
                    }
            var vol = AtlasVolume.FromFloat32(g, t1);
            var m = AtlasVolume.FromMask(g, mask);
            var layers = new[] { new SnapshotLayer(m) };
            RenderedSnapshot last = null;
            double all = BenchContext.TimeMs(() => last = SnapshotRenderer.Render(vol, layers, new SnapshotOptions()));
            Console.WriteLine($"  render 256^3, three planes at the lesion: {all:F0} ms ({last.Image.Width}x{last.Image.Height} px)");
            double montage = BenchContext.TimeMs(() => last = SnapshotRenderer.Render(vol, layers, new SnapshotOptions { Plane = SnapshotPlane.Axial, Montage = 9 }));
            Console.WriteLine($"  render 256^3, 9-slice axial montage:      {montage:F0} ms ({last.Image.Width}x{last.Image.Height} px)");
            byte[] png = null;
            double enc = BenchContext.TimeMs(() => png = PngCodec.Encode(last.Image));
            Console.WriteLine($"  PNG encode of the montage (SkiaSharp):    {enc:F0} ms ({png.Length / 1024} KiB)");
        }
    }
}
