using System;

namespace Atlas.Core.Metrics
{
    /// <summary>Order statistics with numpy's conventions, for the metric summaries.</summary>
    public static class Percentile
    {
        /// <summary>
        /// The p-th percentile (0–100) of values already sorted ascending, by linear interpolation
        /// between order statistics: h = (n − 1)·p/100, a[⌊h⌋] + (h − ⌊h⌋)(a[⌊h⌋+1] − a[⌊h⌋])
        /// (numpy.percentile's default method "linear", Hyndman &amp; Fan type 7). NaN for no values.
        /// </summary>
        public static double OfSorted(double[] sorted, int count, double p)
        {
            if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), "A percentile lies between 0 and 100.");
            if (count <= 0) return double.NaN;
            double h = (count - 1) * (p / 100.0);
            int lo = (int)Math.Floor(h);
            if (lo >= count - 1) return sorted[count - 1];
            double g = h - lo;
            double a = sorted[lo], b = sorted[lo + 1];
            // numpy's lerp: a + g(b − a), computed from the far end when g ≥ 0.5 for exactness at g = 1.
            return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
        }

        /// <summary>The p-th percentile of any values (copied and sorted; NaNs are not expected).</summary>
        public static double Of(double[] values, double p)
        {
            if (values == null || values.Length == 0) return double.NaN;
            var a = (double[])values.Clone();
            Array.Sort(a);
            return OfSorted(a, a.Length, p);
        }
    }
}
