using System;
using System.Threading.Tasks;
using Atlas.Core.Imaging;
using Atlas.Core.Volumes;

namespace Atlas.Core.Intensity
{
    /// <summary>
    /// Otsu's threshold (Otsu, IEEE TSMC 9(1), 1979): the cut of a histogram into two classes that
    /// maximises the between-class variance ω0 ω1 (μ0 − μ1)², and the masks built from it.
    /// </summary>
    public static class OtsuThreshold
    {
        /// <summary>
        /// The index k of the last bin of the lower class (bins 0..k below, k+1.. above) for bin counts
        /// and bin centres; the first best k on ties. −1 when fewer than two bins are occupied.
        /// </summary>
        public static int SplitBin(double[] counts, double[] centres)
        {
            double total = 0, sumAll = 0;
            for (int b = 0; b < counts.Length; b++) { total += counts[b]; sumAll += counts[b] * centres[b]; }
            double w0 = 0, s0 = 0, best = -1;
            int bestK = -1;
            for (int k = 0; k < counts.Length - 1; k++)
            {
                w0 += counts[k]; s0 += counts[k] * centres[k];
                double w1 = total - w0;
                if (w0 <= 0 || w1 <= 0) continue;
                double m0 = s0 / w0, m1 = (sumAll - s0) / w1;
                double between = w0 * w1 * (m0 - m1) * (m0 - m1);
                if (between > best * (1 + 1e-12)) { best = between; bestK = k; }
            }
            return bestK;
        }

        /// <summary>
        /// Otsu's threshold of the finite values of <paramref name="values"/> (where <paramref name="include"/>
        /// is non-zero, or all), on <paramref name="bins"/> equal bins between their minimum and maximum:
        /// the upper edge of the lower class's last bin. Values above it form the upper class.
        /// </summary>
        public static double Of(float[] values, byte[] include = null, int bins = 256)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (long i = 0; i < values.LongLength; i++)
            {
                if (include != null && include[i] == 0) continue;
                double v = values[i];
                if (double.IsNaN(v) || double.IsInfinity(v)) continue;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            if (!(max > min)) throw new ArgumentException("The image has fewer than two distinct values; it has no Otsu threshold.");
            double width = (max - min) / bins;
            var counts = new double[bins];
            for (long i = 0; i < values.LongLength; i++)
            {
                if (include != null && include[i] == 0) continue;
                double v = values[i];
                if (double.IsNaN(v) || double.IsInfinity(v)) continue;
                int b = (int)((v - min) / width);
                counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
            }
            var centres = new double[bins];
            for (int b = 0; b < bins; b++) centres[b] = min + (b + 0.5) * width;
            int k = SplitBin(counts, centres);
            if (k < 0) throw new ArgumentException("The image has fewer than two occupied intensity bins; it has no Otsu threshold.");
            return min + (k + 1) * width;
        }

        /// <summary>
        /// A head mask for a T1 without one: voxels above the Otsu threshold of the whole image, the largest
        /// 26-connected part of them (stray bright background voxels dropped).
        /// </summary>
        public static byte[] HeadMask(float[] image, Grid grid, out double threshold)
        {
            threshold = Of(image);
            double t = threshold;
            var m = new byte[image.LongLength];
            Parallel.For(0, grid.NZ, k =>
            {
                long s = (long)k * grid.NX * grid.NY, e = s + (long)grid.NX * grid.NY;
                for (long i = s; i < e; i++) m[i] = image[i] > t ? (byte)1 : (byte)0;
            });
            var labels = ConnectedComponents.Label(m, grid, 26);
            return labels.Count == 0 ? m : labels.MaskOf(1);
        }
    }

    /// <summary>Mask operations the intensity steps share.</summary>
    public static class IntensityMasks
    {
        /// <summary>The mask grown by <paramref name="radiusMm"/> (every voxel whose centre is within that distance of a mask voxel).</summary>
        public static byte[] Dilate(byte[] mask, Grid grid, double radiusMm)
        {
            if (radiusMm <= 0) return (byte[])mask.Clone();
            var vs = grid.VoxelSizeMm;
            var d2 = DistanceTransform.SquaredToNearest(mask, grid.NX, grid.NY, grid.NZ, vs[0], vs[1], vs[2]);
            double r2 = radiusMm * radiusMm;
            var o = new byte[mask.LongLength];
            for (long i = 0; i < o.LongLength; i++) o[i] = d2[i] <= r2 ? (byte)1 : (byte)0;
            return o;
        }
    }
}
