using System;
using System.Collections.Generic;

namespace Atlas.Core.Imaging
{
    /// <summary>Mean, sample SD and friends that skip NaN (used by summaries).</summary>
    public static class Stats
    {
        public static double Mean(double[] x)
        {
            double s = 0; int n = 0;
            foreach (var v in x) if (!double.IsNaN(v)) { s += v; n++; }
            return n == 0 ? double.NaN : s / n;
        }

        /// <summary>Standard deviation with n − 1 in the denominator (NaN for fewer than 2 values).</summary>
        public static double SampleSD(double[] x)
        {
            double m = Mean(x), s = 0; int n = 0;
            foreach (var v in x) if (!double.IsNaN(v)) { s += (v - m) * (v - m); n++; }
            return n < 2 ? double.NaN : Math.Sqrt(s / (n - 1));
        }

        public static double Median(double[] x) => Percentile.Of(WithoutNaN(x), 50);

        public static double Min(double[] x)
        {
            double m = double.NaN;
            foreach (var v in x) if (!double.IsNaN(v) && (double.IsNaN(m) || v < m)) m = v;
            return m;
        }

        public static double Max(double[] x)
        {
            double m = double.NaN;
            foreach (var v in x) if (!double.IsNaN(v) && (double.IsNaN(m) || v > m)) m = v;
            return m;
        }

        internal static double[] WithoutNaN(double[] x)
        {
            var l = new List<double>(x.Length);
            foreach (var v in x) if (!double.IsNaN(v)) l.Add(v);
            return l.ToArray();
        }
    }
}
