using System;
using System.Threading;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>The outcome of a white-matter intensity correction.</summary>
    public sealed class WhiteMatterCorrectionResult
    {
        public string SubjectId { get; set; }
        public string ScanId { get; set; }
        public int? Session { get; set; }
        public string MaskKind { get; set; }
        public int Rank { get; set; } = 1;
        public string MaskPath { get; set; }
        public string T1Path { get; set; }
        private AtlasVolume _mask;

        /// <summary>The corrected mask (uint8 0/1 on the lesion's grid); a method so CSV exports stay flat.</summary>
        public AtlasVolume GetMask() => _mask;

        internal void SetMask(AtlasVolume mask) { _mask = mask; }
        public double OriginalVolumeMm3 { get; set; }
        public double CorrectedVolumeMm3 { get; set; }
        public double RemovedVolumeMm3 { get; set; }
        public double PercentRemoved { get; set; }
        public long OriginalVoxels { get; set; }
        public long RemovedVoxels { get; set; }
        /// <summary>Mean scaled (0..255) T1 in white matter outside the lesion.</summary>
        public double WhiteMatterMean { get; set; }
        /// <summary>Half-width of the removal band in scaled units: floor(Percent/100 × 255 / 2).</summary>
        public int Band { get; set; }
        public double Percent { get; set; }
        /// <summary>"Mask" (given) or "KMeans3" (estimated).</summary>
        public string WhiteMatterSource { get; set; }
        /// <summary>The written file (set by the cmdlet).</summary>
        public string OutputPath { get; set; }
    }

    /// <summary>
    /// SRQL's white-matter intensity correction of lesion masks: the T1 is rescaled to 0..255 by its
    /// min/max; the reference is the mean scaled T1 in white matter minus the lesion; band =
    /// floor(Percent/100 × 255 / 2); lesion voxels whose scaled intensity lies strictly inside
    /// (mean − band, mean + band) look like normal white matter and are removed.
    /// Without a white-matter mask one is estimated by 3-class k-means of the scaled intensities of
    /// the brain (non-zero T1 voxels outside the lesion): Lloyd iterations in one dimension on a
    /// 4096-bin histogram (class means from the exact bin sums), started at the 1/6, 1/2 and 5/6
    /// quantiles; white matter is every brain voxel at or above the midpoint between the two
    /// brightest class means. This suits skull-stripped T1s; for a T1 with scalp give a mask.
    /// </summary>
    public static class WhiteMatterCorrection
    {
        public static WhiteMatterCorrectionResult Correct(AtlasVolume t1, AtlasVolume lesion, AtlasVolume whiteMatter = null,
            double percent = 5, CancellationToken cancellation = default)
        {
            if (t1 == null) throw new ArgumentNullException(nameof(t1));
            if (lesion == null) throw new ArgumentNullException(nameof(lesion));
            if (!(percent >= 0 && percent <= 100)) throw new ArgumentException("Percent must lie in 0..100.", nameof(percent));
            GridCheck.RequireSame(t1, lesion);
            if (whiteMatter != null) GridCheck.RequireSame(t1, whiteMatter);

            var img = t1.ToFloat64();
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var v in img) { if (double.IsNaN(v)) continue; if (v < min) min = v; if (v > max) max = v; }
            if (!(max > min)) throw new GeometryException(GeometryErrorKind.ValueOutOfRange, t1.Path, "the T1 is constant; it cannot be rescaled to 0..255.");
            var scaled = new double[img.Length];
            double f = 255.0 / (max - min);
            for (long i = 0; i < img.LongLength; i++) scaled[i] = double.IsNaN(img[i]) ? 0 : (img[i] - min) * f;
            cancellation.ThrowIfCancellationRequested();

            var les = lesion.ToMask();
            byte[] wm;
            string source;
            if (whiteMatter != null) { wm = whiteMatter.ToMask(); source = "Mask"; }
            else { wm = EstimateWhiteMatter(img, scaled, les); source = "KMeans3"; }

            double sum = 0; long n = 0;
            for (long i = 0; i < les.LongLength; i++)
                if (wm[i] != 0 && les[i] == 0) { sum += scaled[i]; n++; }
            if (n == 0) throw new GeometryException(GeometryErrorKind.ValueOutOfRange, whiteMatter?.Path ?? t1.Path, "no white-matter voxels outside the lesion.");
            double mean = sum / n;
            int band = (int)Math.Floor(percent / 100.0 * 255.0 / 2.0);

            var outMask = new byte[les.LongLength];
            long orig = 0, removed = 0;
            for (long i = 0; i < les.LongLength; i++)
            {
                if (les[i] == 0) continue;
                orig++;
                double s = scaled[i];
                if (s > mean - band && s < mean + band) { removed++; continue; }
                outMask[i] = 1;
            }
            double vv = lesion.Grid.VoxelVolumeMm3;
            var result = new WhiteMatterCorrectionResult
            {
                MaskPath = lesion.Path, T1Path = t1.Path,
                OriginalVoxels = orig, RemovedVoxels = removed,
                OriginalVolumeMm3 = orig * vv, CorrectedVolumeMm3 = (orig - removed) * vv, RemovedVolumeMm3 = removed * vv,
                PercentRemoved = orig == 0 ? 0 : 100.0 * removed / orig,
                WhiteMatterMean = mean, Band = band, Percent = percent, WhiteMatterSource = source,
            };
            result.SetMask(AtlasVolume.FromMask(lesion.Grid, outMask, lesion.Header));
            return result;
        }

        /// <summary>The k-means white-matter estimate described on the class (1 = white matter).</summary>
        public static byte[] EstimateWhiteMatter(double[] raw, double[] scaled, byte[] lesion)
        {
            const int bins = 4096;
            var count = new long[bins];
            var sum = new double[bins];
            long total = 0;
            for (long i = 0; i < scaled.LongLength; i++)
            {
                if (!(raw[i] != 0) || (lesion != null && lesion[i] != 0)) continue;
                int b = Bin(scaled[i], bins);
                count[b]++; sum[b] += scaled[i]; total++;
            }
            if (total < 3) throw new ArgumentException("Too few brain voxels to estimate white matter.");
            var c = KMeans3(count, sum, total);
            double cut = (c[1] + c[2]) / 2;
            var wm = new byte[scaled.LongLength];
            for (long i = 0; i < scaled.LongLength; i++)
                if (raw[i] != 0 && scaled[i] >= cut && (lesion == null || lesion[i] == 0)) wm[i] = 1;
            return wm;
        }

        private static int Bin(double s, int bins)
        {
            int b = (int)(s / 255.0 * bins);
            return b < 0 ? 0 : b >= bins ? bins - 1 : b;
        }

        /// <summary>Three sorted class means by Lloyd's algorithm on a histogram (bin counts and value sums).</summary>
        public static double[] KMeans3(long[] count, double[] sum, long total)
        {
            int bins = count.Length;
            var c = new double[3];
            double[] q = { 1.0 / 6, 3.0 / 6, 5.0 / 6 };
            long cum = 0; int qi = 0;
            for (int b = 0; b < bins && qi < 3; b++)
            {
                cum += count[b];
                while (qi < 3 && cum >= q[qi] * total) { c[qi] = count[b] > 0 ? sum[b] / count[b] : (b + 0.5) * 255.0 / bins; qi++; }
            }
            var assign = new int[bins];
            for (int iter = 0; iter < 200; iter++)
            {
                bool changed = iter == 0;
                var s = new double[3]; var n = new long[3];
                for (int b = 0; b < bins; b++)
                {
                    if (count[b] == 0) continue;
                    double v = sum[b] / count[b];
                    int best = 0;
                    for (int k = 1; k < 3; k++) if (Math.Abs(v - c[k]) < Math.Abs(v - c[best])) best = k;
                    if (assign[b] != best) { assign[b] = best; changed = true; }
                    s[best] += sum[b]; n[best] += count[b];
                }
                for (int k = 0; k < 3; k++) if (n[k] > 0) c[k] = s[k] / n[k];
                if (!changed) break;
            }
            Array.Sort(c);
            return c;
        }
    }
}
