using System;
using System.Collections.Generic;
using System.Reflection;
using Atlas.Core.Imaging;

namespace Atlas.Core.Metrics
{
    /// <summary>
    /// The leaderboard rows of a set of pairs: mean, SD (n − 1), median, min and max of every
    /// numeric column, each statistic over the pairs where the value is defined (NaN skipped, as
    /// numpy's nan-functions do), so a pair with one empty mask does not blank the distance columns.
    /// </summary>
    public static class OverlapSummary
    {
        public static readonly string[] Statistics = { "Mean", "SD", "Median", "Min", "Max" };

        public static LesionOverlap[] Summarize(IList<LesionOverlap> pairs)
        {
            if (pairs == null) throw new ArgumentNullException(nameof(pairs));
            var rows = new LesionOverlap[Statistics.Length];
            for (int s = 0; s < rows.Length; s++)
            {
                rows[s] = new LesionOverlap { Statistic = Statistics[s] };
                if (pairs.Count > 0) { rows[s].Percentile = pairs[0].Percentile; rows[s].Connectivity = pairs[0].Connectivity; }
            }
            var values = new double[pairs.Count];
            foreach (var prop in typeof(LesionOverlap).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (prop.PropertyType != typeof(double) || !prop.CanWrite || prop.Name == nameof(LesionOverlap.Percentile)) continue;
                for (int i = 0; i < pairs.Count; i++) values[i] = (double)prop.GetValue(pairs[i]);
                prop.SetValue(rows[0], Stats.Mean(values));
                prop.SetValue(rows[1], Stats.SampleSD(values));
                prop.SetValue(rows[2], Stats.Median(values));
                prop.SetValue(rows[3], Stats.Min(values));
                prop.SetValue(rows[4], Stats.Max(values));
            }
            return rows;
        }
    }
}
