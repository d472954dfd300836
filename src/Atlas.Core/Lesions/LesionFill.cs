using System;
using Atlas.Core.Imaging;
using System.Collections.Generic;
using System.Threading;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    public sealed class LesionFillOptions
    {
        /// <summary>Voxels farther than this from the seed (mm, through the affine) never join. MRIcron's default 32.</summary>
        public double RadiusMm { get; set; } = 32;
        /// <summary>Largest |mean7(p) − I(v)| between a candidate p and the filled voxel v it is reached from.</summary>
        public double EdgeDifference { get; set; } = 5;
        /// <summary>Largest |mean7(p) − I(seed)|.</summary>
        public double OriginDifference { get; set; } = 10;
        /// <summary>Differences are percent of the image's robust range (2nd..98th percentile of the non-zero voxels).</summary>
        public bool Percent { get; set; }
        /// <summary>Only voxels with intensity &gt; 0 join.</summary>
        public bool ZeroConstrains { get; set; }
        /// <summary>Erode n times, keep the seed's part, dilate n times within the fill (cuts thin leaks).</summary>
        public int ErodeDilateCycles { get; set; }
        /// <summary>Barrier: voxels non-zero here never join (same grid as the image).</summary>
        public byte[] Constrain { get; set; }
    }

    /// <summary>
    /// MRIcron's 3D fill tool (the one ATLAS tracers started large lesions with): breadth-first flood
    /// fill from a seed with 6-connectivity. A neighbour p of a filled voxel v joins when it lies within
    /// the radius of the seed, |mean7(p) − I(v)| ≤ EdgeDifference, |mean7(p) − I(seed)| ≤
    /// OriginDifference (mean7 = mean of p and its face neighbours inside the volume), and, with
    /// ZeroConstrains, I(p) &gt; 0. A candidate refused from one voxel may still join from another.
    /// Erode/dilate use the 6-neighbourhood, voxels outside the volume counting as background.
    /// </summary>
    public static class LesionFill
    {
        public static byte[] Fill(AtlasVolume image, int si, int sj, int sk, LesionFillOptions options = null, CancellationToken cancellation = default)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            return Fill(image.ToFloat64(), image.Grid, si, sj, sk, options, cancellation);
        }

        /// <summary>
        /// The fill as a uint8 mask volume on the image's grid; the seed is a voxel index (i, j, k) or,
        /// with <paramref name="seedIsWorldMm"/>, world millimetres rounded to the nearest voxel.
        /// </summary>
        public static AtlasVolume FillVolume(AtlasVolume image, double[] seed, bool seedIsWorldMm, LesionFillOptions options = null, CancellationToken cancellation = default)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            if (seed == null || seed.Length != 3) throw new ArgumentException("The seed needs three coordinates.", nameof(seed));
            var v = seedIsWorldMm ? image.Grid.WorldToVoxel(seed[0], seed[1], seed[2]) : seed;
            var fill = Fill(image, (int)Math.Round(v[0]), (int)Math.Round(v[1]), (int)Math.Round(v[2]), options, cancellation);
            var h = AtlasVolume.MakeHeader(image.Grid, Atlas.Core.Nifti.NiftiDataType.UInt8, image.Header);
            h.CalMin = 0; h.CalMax = 1; h.IntentName = "B";
            return new AtlasVolume(h, fill);
        }

        /// <summary>The seed given in world millimetres (rounded to the nearest voxel).</summary>
        public static byte[] FillFromWorld(AtlasVolume image, double x, double y, double z, LesionFillOptions options = null, CancellationToken cancellation = default)
        {
            var v = image.Grid.WorldToVoxel(x, y, z);
            return Fill(image, (int)Math.Round(v[0]), (int)Math.Round(v[1]), (int)Math.Round(v[2]), options, cancellation);
        }

        public static byte[] Fill(double[] img, Grid g, int si, int sj, int sk, LesionFillOptions options = null, CancellationToken cancellation = default)
        {
            var o = options ?? new LesionFillOptions();
            if (img.LongLength != g.VoxelCount) throw new ArgumentException("The image does not match its grid.");
            if (!g.Contains(si, sj, sk))
                throw new ArgumentException("The seed (" + si + ", " + sj + ", " + sk + ") lies outside the " + g.NX + "x" + g.NY + "x" + g.NZ + " image.");
            if (!(o.RadiusMm > 0)) throw new ArgumentException("RadiusMm must be positive.");
            if (o.EdgeDifference < 0 || o.OriginDifference < 0) throw new ArgumentException("Differences must not be negative.");
            if (o.ErodeDilateCycles < 0) throw new ArgumentException("ErodeDilateCycles must not be negative.");
            if (o.Constrain != null && o.Constrain.LongLength != img.LongLength) throw new ArgumentException("The constraint mask is not on the image's grid.");

            double edge = o.EdgeDifference, origin = o.OriginDifference;
            if (o.Percent)
            {
                double range = RobustRange(img);
                edge = edge / 100 * range; origin = origin / 100 * range;
            }
            int nx = g.NX, ny = g.NY, nz = g.NZ, plane = nx * ny;
            var a = g.Affine;
            double r2 = o.RadiusMm * o.RadiusMm;
            int seed = g.Index(si, sj, sk);
            double iSeed = img[seed];
            var fill = new byte[img.LongLength];
            fill[seed] = 1;
            var queue = new Queue<int>();
            queue.Enqueue(seed);
            int[] di = { -1, 1, 0, 0, 0, 0 }, dj = { 0, 0, -1, 1, 0, 0 }, dk = { 0, 0, 0, 0, -1, 1 };
            long steps = 0;
            while (queue.Count > 0)
            {
                if ((++steps & 0xFFFF) == 0) cancellation.ThrowIfCancellationRequested();
                int v = queue.Dequeue();
                int vi = v % nx, vj = v / nx % ny, vk = v / plane;
                double iv = img[v];
                for (int n = 0; n < 6; n++)
                {
                    int pi = vi + di[n], pj = vj + dj[n], pk = vk + dk[n];
                    if (pi < 0 || pj < 0 || pk < 0 || pi >= nx || pj >= ny || pk >= nz) continue;
                    int p = pi + nx * (pj + ny * pk);
                    if (fill[p] != 0) continue;
                    if (o.Constrain != null && o.Constrain[p] != 0) continue;
                    if (o.ZeroConstrains && !(img[p] > 0)) continue;
                    double ddi = pi - si, ddj = pj - sj, ddk = pk - sk;
                    double wx = a[0, 0] * ddi + a[0, 1] * ddj + a[0, 2] * ddk;
                    double wy = a[1, 0] * ddi + a[1, 1] * ddj + a[1, 2] * ddk;
                    double wz = a[2, 0] * ddi + a[2, 1] * ddj + a[2, 2] * ddk;
                    if (wx * wx + wy * wy + wz * wz > r2) continue;
                    double m7 = Mean7(img, nx, ny, nz, pi, pj, pk);
                    if (Math.Abs(m7 - iv) > edge || Math.Abs(m7 - iSeed) > origin) continue;
                    fill[p] = 1;
                    queue.Enqueue(p);
                }
            }
            if (o.ErodeDilateCycles > 0) fill = Open(fill, g, seed, o.ErodeDilateCycles);
            return fill;
        }

        /// <summary>Mean of voxel p and its face neighbours that lie inside the volume.</summary>
        public static double Mean7(double[] img, int nx, int ny, int nz, int i, int j, int k)
        {
            int p = i + nx * (j + ny * k), plane = nx * ny;
            double s = img[p]; int n = 1;
            if (i > 0) { s += img[p - 1]; n++; }
            if (i < nx - 1) { s += img[p + 1]; n++; }
            if (j > 0) { s += img[p - nx]; n++; }
            if (j < ny - 1) { s += img[p + nx]; n++; }
            if (k > 0) { s += img[p - plane]; n++; }
            if (k < nz - 1) { s += img[p + plane]; n++; }
            return s / n;
        }

        /// <summary>98th minus 2nd percentile (numpy's linear rule) of the non-zero voxels; the full range when that is 0.</summary>
        public static double RobustRange(double[] img)
        {
            var nz = new List<double>();
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var v in img)
            {
                if (double.IsNaN(v)) continue;
                if (v < min) min = v;
                if (v > max) max = v;
                if (v != 0) nz.Add(v);
            }
            if (nz.Count == 0) return max > min ? max - min : 0;
            var s = nz.ToArray();
            double hi = Percentile.OfUnsortedInPlace(s, s.Length, 98), lo = Percentile.OfUnsortedInPlace(s, s.Length, 2);
            return hi > lo ? hi - lo : max - min;
        }

        /// <summary>
        /// Erode n times (6-neighbourhood), keep the 6-connected part holding the seed (or, when the seed
        /// was eroded away, the largest part; when nothing survives, the fill unchanged), then dilate n
        /// times without leaving the original fill.
        /// </summary>
        public static byte[] Open(byte[] fill, Grid g, int seed, int cycles)
        {
            var cur = fill;
            for (int c = 0; c < cycles; c++) cur = Step(cur, g, erode: true, within: null);
            var cc = ConnectedComponents.Label(cur, g, 6);
            if (cc.Count == 0) return fill;
            int keep = cc.Labels[seed] != 0 ? cc.Labels[seed] : 1;
            cur = cc.MaskOf(keep);
            for (int c = 0; c < cycles; c++) cur = Step(cur, g, erode: false, within: fill);
            return cur;
        }

        private static byte[] Step(byte[] src, Grid g, bool erode, byte[] within)
        {
            int nx = g.NX, ny = g.NY, nz = g.NZ, plane = nx * ny;
            var dst = new byte[src.LongLength];
            System.Threading.Tasks.Parallel.For(0, nz, k =>
            {
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                    {
                        int p = i + nx * (j + ny * k);
                        if (erode)
                        {
                            if (src[p] == 0) continue;
                            bool all = i > 0 && src[p - 1] != 0 && i < nx - 1 && src[p + 1] != 0
                                && j > 0 && src[p - nx] != 0 && j < ny - 1 && src[p + nx] != 0
                                && k > 0 && src[p - plane] != 0 && k < nz - 1 && src[p + plane] != 0;
                            if (all) dst[p] = 1;
                        }
                        else
                        {
                            if (within != null && within[p] == 0) continue;
                            bool any = src[p] != 0 || (i > 0 && src[p - 1] != 0) || (i < nx - 1 && src[p + 1] != 0)
                                || (j > 0 && src[p - nx] != 0) || (j < ny - 1 && src[p + nx] != 0)
                                || (k > 0 && src[p - plane] != 0) || (k < nz - 1 && src[p + plane] != 0);
                            if (any) dst[p] = 1;
                        }
                    }
            });
            return dst;
        }
    }
}
