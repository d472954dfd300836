using System;
using System.Collections.Generic;

namespace Atlas.Core.Imaging
{
    /// <summary>Order statistics with numpy's conventions: metric summaries, fill thresholds, display windows.</summary>
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

        /// <summary>
        /// Exact percentiles (numpy's linear rule) of the finite non-zero values of <paramref name="v"/>
        /// (a robust display window: {0, 0} when every finite value is zero, {0, 1} when none is finite),
        /// in linear time: a 65 536-bin histogram finds the bin holding each needed order statistic, and
        /// only that bin's values are sorted.
        /// </summary>
        public static double[] OfNonZeroFinite(float[] v, double[] qs)
        {
            foreach (var q in qs)
                if (q < 0 || q > 100 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(qs), "Percentiles are between 0 and 100.");
            long n = 0, zeros = 0;
            double min = double.MaxValue, max = double.MinValue;
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (float.IsNaN(x) || float.IsInfinity(x)) continue;
                if (x == 0) { zeros++; continue; }
                n++;
                if (x < min) min = x;
                if (x > max) max = x;
            }
            bool skipZero = n > 0;
            if (!skipZero)
            {
                if (zeros == 0) return new[] { 0.0, 1.0 };
                return new[] { 0.0, 0.0 };
            }
            var result = new double[qs.Length];
            if (max == min) { for (int k = 0; k < qs.Length; k++) result[k] = min; return result; }
            const int Bins = 65536;
            double scale = Bins / (max - min);
            var hist = new long[Bins];
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (x == 0 || float.IsNaN(x) || float.IsInfinity(x)) continue;
                hist[Bin(x, min, scale, Bins)]++;
            }
            // Order statistics needed: floor(rank) and the next one, for every percentile.
            var need = new List<long>();
            foreach (var q in qs)
            {
                double rank = q / 100.0 * (n - 1);
                long k0 = (long)Math.Floor(rank);
                need.Add(k0);
                need.Add(Math.Min(k0 + 1, n - 1));
            }
            var binOf = new Dictionary<long, int>();
            var startOf = new Dictionary<int, long>();
            foreach (long k in need)
            {
                long cum = 0;
                for (int b = 0; b < Bins; b++)
                {
                    if (k < cum + hist[b]) { binOf[k] = b; startOf[b] = cum; break; }
                    cum += hist[b];
                }
            }
            // Collect the needed bins' values in one pass (slot per bin, -1 = not needed), then sort each.
            var slot = new int[Bins];
            for (int b = 0; b < Bins; b++) slot[b] = -1;
            var bins = new List<int>(startOf.Keys);
            var buffers = new float[bins.Count][];
            var fill = new int[bins.Count];
            for (int n2 = 0; n2 < bins.Count; n2++) { slot[bins[n2]] = n2; buffers[n2] = new float[hist[bins[n2]]]; }
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i];
                if (x == 0 || float.IsNaN(x) || float.IsInfinity(x)) continue;
                int sl = slot[Bin(x, min, scale, Bins)];
                if (sl >= 0) buffers[sl][fill[sl]++] = x;
            }
            var sorted = new Dictionary<int, float[]>();
            for (int n2 = 0; n2 < bins.Count; n2++) { Array.Sort(buffers[n2]); sorted[bins[n2]] = buffers[n2]; }
            for (int k = 0; k < qs.Length; k++)
            {
                double rank = qs[k] / 100.0 * (n - 1);
                long k0 = (long)Math.Floor(rank), k1 = Math.Min(k0 + 1, n - 1);
                result[k] = Interpolate(OrderStat(k0), OrderStat(k1), rank - k0);
            }
            return result;

            double OrderStat(long k)
            {
                int b = binOf[k];
                return sorted[b][k - startOf[b]];
            }
        }

        private static int Bin(float x, double min, double scale, int bins)
        {
            int b = (int)((x - min) * scale);
            return b < 0 ? 0 : b >= bins ? bins - 1 : b;
        }
    }
}
