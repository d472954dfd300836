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
            return Interpolate(sorted[lo], sorted[lo + 1], h - lo);
        }

        /// <summary>
        /// numpy's lerp between neighbouring order statistics a ≤ b at fraction g: a + g(b − a),
        /// computed from the far end when g ≥ 0.5 so that g = 1 gives b exactly.
        /// </summary>
        public static double Interpolate(double a, double b, double g) => g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;

        /// <summary>
        /// The same percentile of unsorted values in linear time (quickselect of the two order
        /// statistics around h, as numpy.percentile partitions rather than sorts). Reorders
        /// <paramref name="values"/>; NaNs are not expected.
        /// </summary>
        public static double OfUnsortedInPlace(double[] values, int count, double p)
        {
            if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), "A percentile lies between 0 and 100.");
            if (count <= 0) return double.NaN;
            double h = (count - 1) * (p / 100.0);
            int lo = (int)Math.Floor(h);
            if (lo >= count - 1) lo = count - 1;
            Select(values, count, lo);
            double a = values[lo];
            if (lo >= count - 1) return a;
            // After the selection everything right of lo is >= a: the next order statistic is their minimum.
            double b = values[lo + 1];
            for (int i = lo + 2; i < count; i++) if (values[i] < b) b = values[i];
            return Interpolate(a, b, h - lo);
        }

        /// <summary>Rearranges a[0..count) so that a[k] holds the k-th smallest, smaller ones left of it, larger right.</summary>
        internal static void Select(double[] a, int count, int k)
        {
            int left = 0, right = count - 1;
            while (right > left)
            {
                // Median of three as the pivot, then Hoare partition.
                int mid = left + (right - left) / 2;
                if (a[mid] < a[left]) Swap(a, mid, left);
                if (a[right] < a[left]) Swap(a, right, left);
                if (a[right] < a[mid]) Swap(a, right, mid);
                double pivot = a[mid];
                int i = left, j = right;
                while (i <= j)
                {
                    while (a[i] < pivot) i++;
                    while (a[j] > pivot) j--;
                    if (i <= j) { Swap(a, i, j); i++; j--; }
                }
                if (k <= j) right = j;
                else if (k >= i) left = i;
                else return;   // j < k < i: a[k] equals the pivot and is in place
            }
        }

        private static void Swap(double[] a, int i, int j)
        {
            double t = a[i]; a[i] = a[j]; a[j] = t;
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
