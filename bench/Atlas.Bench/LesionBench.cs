using System;
using System.Globalization;
using System.IO;
using Atlas.Core.Imaging;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>Shared 256³ test masks for the lesion benches (1 mm, written once to the work folder).</summary>
    internal static class LesionBenchMasks
    {
        public static readonly Grid Grid = Grid.Create(256, 256, 256);

        /// <summary>Union of spheres around a centre: an irregular lesion of about <paramref name="targetMl"/> ml.</summary>
        public static byte[] Lesion(double targetMl, int seed)
        {
            var g = Grid;
            var m = new byte[g.VoxelCount];
            var rnd = new Random(seed);
            long n = 0, target = (long)(targetMl * 1000);
            double cx = 128, cy = 128, cz = 128;
            while (n < target)
            {
                double r = 4 + rnd.NextDouble() * 10;
                double x = cx + (rnd.NextDouble() - 0.5) * 60, y = cy + (rnd.NextDouble() - 0.5) * 60, z = cz + (rnd.NextDouble() - 0.5) * 60;
                for (int k = (int)Math.Max(0, z - r); k <= Math.Min(255, z + r); k++)
                    for (int j = (int)Math.Max(0, y - r); j <= Math.Min(255, y + r); j++)
                        for (int i = (int)Math.Max(0, x - r); i <= Math.Min(255, x + r); i++)
                        {
                            if ((i - x) * (i - x) + (j - y) * (j - y) + (k - z) * (k - z) > r * r) continue;
                            int p = g.Index(i, j, k);
                            if (m[p] == 0) { m[p] = 1; n++; }
                        }
            }
            return m;
        }

        /// <summary>A ball of radius <paramref name="r"/> voxels in the centre (the dense worst case).</summary>
        public static byte[] Ball(double r)
        {
            var g = Grid;
            var m = new byte[g.VoxelCount];
            for (int k = 0; k < 256; k++) for (int j = 0; j < 256; j++) for (int i = 0; i < 256; i++)
                        if ((i - 127.5) * (i - 127.5) + (j - 127.5) * (j - 127.5) + (k - 127.5) * (k - 127.5) <= r * r) m[g.Index(i, j, k)] = 1;
            return m;
        }

        /// <summary>Many small blobs and isolated voxels (density about 3 %): thousands of components.</summary>
        public static byte[] Speckle(int seed)
        {
            var g = Grid;
            var m = new byte[g.VoxelCount];
            var rnd = new Random(seed);
            for (int b = 0; b < 4000; b++)
            {
                int x = rnd.Next(4, 252), y = rnd.Next(4, 252), z = rnd.Next(4, 252), r = rnd.Next(1, 4);
                for (int k = z - r; k <= z + r; k++) for (int j = y - r; j <= y + r; j++) for (int i = x - r; i <= x + r; i++)
                            if ((i - x) * (i - x) + (j - y) * (j - y) + (k - z) * (k - z) <= r * r) m[g.Index(i, j, k)] = 1;
            }
            for (int s = 0; s < 200000; s++) m[rnd.Next(m.Length)] = 1;
            return m;
        }

        public static string Write(BenchContext ctx, string name, byte[] m)
        {
            string path = Path.Combine(ctx.WorkDir, name);
            NiftiWriter.Write(AtlasVolume.FromMask(Grid, m), path);
            return path;
        }

        public static int Count(byte[] m) { int c = 0; foreach (var b in m) c += b != 0 ? 1 : 0; return c; }
        public static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>Invoke-LesionSmooth's engine on 256³ masks against scipy.ndimage.gaussian_filter.</summary>
    public sealed class SmoothBench : IBench
    {
        public string Name => "smooth";

        public void Run(BenchContext ctx)
        {
            var g = LesionBenchMasks.Grid;
            foreach (var (label, mask) in new[] { ("100 ml lesion", LesionBenchMasks.Lesion(100, 1)), ("ball r=100 (4.2 l, dense)", LesionBenchMasks.Ball(100)) })
            {
                byte[] result = null;
                double ms = BenchContext.TimeMs(() => result = LesionSmoother.Smooth(mask, g, 2, 0.5));
                Console.WriteLine($"  {label}: {LesionBenchMasks.Count(mask)} voxels → {LesionBenchMasks.Count(result)} after smoothing; Atlas.Core {LesionBenchMasks.F(ms)} ms");
                if (ctx.Python == null) { Console.WriteLine("  scipy: /usr/bin/python3 not installed"); continue; }
                string path = LesionBenchMasks.Write(ctx, "smooth_" + label.Split(' ')[0] + ".nii.gz", mask);
                string o = ctx.RunPeer(ctx.Python, "\"" + Path.Combine(ctx.RepoRoot, "bench", "lesion_bench.py") + "\" smooth \"" + path + "\" 2 3");
                if (o != null) Console.WriteLine("  scipy gaussian_filter (whole volume, truncate 4σ): " + o.Trim());
            }
        }
    }

    /// <summary>ConnectedComponents.Label on 256³ masks against scipy.ndimage.label with the same structure.</summary>
    public sealed class ComponentsBench : IBench
    {
        public string Name => "components";

        public void Run(BenchContext ctx)
        {
            var g = LesionBenchMasks.Grid;
            foreach (var (label, mask) in new[] { ("speckle", LesionBenchMasks.Speckle(7)), ("100ml", LesionBenchMasks.Lesion(100, 2)) })
            {
                string path = ctx.Python != null ? LesionBenchMasks.Write(ctx, "cc_" + label + ".nii.gz", mask) : null;
                foreach (int conn in new[] { 6, 26 })
                {
                    ComponentLabeling r = null;
                    double ms = BenchContext.TimeMs(() => r = ConnectedComponents.Label(mask, g, conn));
                    Console.WriteLine($"  {label} ({LesionBenchMasks.Count(mask)} voxels), {conn}-connected: {r.Count} components; Atlas.Core {LesionBenchMasks.F(ms)} ms");
                    if (path == null) continue;
                    string o = ctx.RunPeer(ctx.Python, "\"" + Path.Combine(ctx.RepoRoot, "bench", "lesion_bench.py") + "\" label \"" + path + "\" " + conn + " 3");
                    if (o != null) Console.WriteLine("  scipy.ndimage.label: " + o.Trim());
                }
            }
        }
    }
}
