using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// One row of the ATLAS R1.1 paper's Tables 1 and 2 (Liew et al. 2018): per cohort (and one Total row),
    /// how many scans there are, how many have one lesion (left, right, elsewhere) or several (Table 1), and
    /// how many lesions are cortical or subcortical in each hemisphere or elsewhere (Table 2). Scans, not
    /// people, are counted (a rescan is a second scan), as the paper's 304 are.
    /// </summary>
    public sealed class DatasetTableRow
    {
        /// <summary>The cohort (c0001, Site1, R001), or Total.</summary>
        public string Cohort { get; set; }
        /// <summary>Scans (subjects at a time point) of the cohort.</summary>
        public int Scans { get; set; }
        /// <summary>Scans with exactly one lesion, in the left hemisphere.</summary>
        public int OneLesionLeft { get; set; }
        /// <summary>Scans with exactly one lesion, in the right hemisphere.</summary>
        public int OneLesionRight { get; set; }
        /// <summary>Scans with exactly one lesion, elsewhere (brainstem, cerebellum; from masks: across the midline).</summary>
        public int OneLesionOther { get; set; }
        /// <summary>Scans with more than one lesion.</summary>
        public int MultipleLesions { get; set; }
        /// <summary>Cortical lesions in the left hemisphere (null from masks: a mask does not say).</summary>
        public int? CorticalLeft { get; set; }
        /// <summary>Cortical lesions in the right hemisphere (null from masks).</summary>
        public int? CorticalRight { get; set; }
        /// <summary>Subcortical lesions in the left hemisphere (null from masks).</summary>
        public int? SubcorticalLeft { get; set; }
        /// <summary>Subcortical lesions in the right hemisphere (null from masks).</summary>
        public int? SubcorticalRight { get; set; }
        /// <summary>Lesions elsewhere (the sheet's other-location columns; null from masks).</summary>
        public int? OtherLesions { get; set; }
        /// <summary>This cohort's lesions as a percentage of all lesions counted (100 for Total).</summary>
        public double PercentOfLesions { get; set; }
        /// <summary>Lesions counted for this row (all locations); not a column of the paper, used for PercentOfLesions.</summary>
        internal int Lesions { get; set; }

        public override string ToString() => Cohort;
    }

    /// <summary>Counts of Tables 1 and 2 from the metadata sheet or from the mask files.</summary>
    public static class DatasetTables
    {
        /// <summary>The four per-hemisphere count columns of ATLAS R1.1, by friendly name.</summary>
        private static readonly string[] CountColumns = { "StrokesLhCortical", "StrokesLhSubcortical", "StrokesRhCortical", "StrokesRhSubcortical" };

        /// <summary>
        /// True for a sheet column that counts lesions elsewhere than the cerebral hemispheres: a header that
        /// names another location ("Other Location", "# Strokes Other", "Brainstem", "Cerebellum") and holds numbers.
        /// </summary>
        public static bool IsOtherLocationColumn(string name, string header)
        {
            string h = (header ?? name ?? "").ToLowerInvariant();
            return h.Contains("other") || h.Contains("brainstem") || h.Contains("brain stem") || h.Contains("cerebell");
        }

        /// <summary>
        /// The tables from the subjects' metadata. Rule for missing counts: a scan whose row lacks any of the
        /// four counts (# Strokes LH/RH Cortical/Subcortical: no row joined, or an empty cell) is counted in
        /// Scans and in no other column, and named in a warning; an other-location cell counts its number, 1 for a
        /// location named in words (Brainstem), 0 when empty, 0, No or None. A scan whose counts add up to 0 is in Scans only.
        /// </summary>
        public static List<DatasetTableRow> FromMetadata(IEnumerable<AtlasSubject> subjects, List<string> warnings)
        {
            var rows = new Dictionary<string, DatasetTableRow>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            var incomplete = new List<string>();
            foreach (var s in subjects)
            {
                var row = RowOf(rows, order, s.Cohort);
                row.Scans++;
                var counts = new int[4];
                bool complete = true;
                for (int i = 0; i < 4; i++)
                {
                    int? v = AsCount(s.GetMetadata(CountColumns[i]));
                    if (v == null) { complete = false; break; }
                    counts[i] = v.Value;
                }
                if (!complete) { incomplete.Add(s.ScanId); continue; }
                int other = 0;
                if (s.Metadata != null)
                    foreach (var kv in s.Metadata)
                    {
                        string header = s.MetadataHeaders != null && s.MetadataHeaders.TryGetValue(kv.Key, out var h) ? h : kv.Key;
                        if (IsOtherLocationColumn(kv.Key, header)) other += OtherCount(kv.Value);
                    }
                int left = counts[0] + counts[1], right = counts[2] + counts[3];
                AddScan(row, left, right, other);
                row.CorticalLeft += counts[0];
                row.SubcorticalLeft += counts[1];
                row.CorticalRight += counts[2];
                row.SubcorticalRight += counts[3];
                row.OtherLesions += other;
            }
            if (incomplete.Count > 0)
                warnings?.Add(incomplete.Count + " scan" + (incomplete.Count == 1 ? "" : "s") + " without all four lesion counts (# Strokes LH/RH Cortical/Subcortical) "
                    + "counted in Scans only: " + string.Join(", ", incomplete.Count > 20 ? incomplete.GetRange(0, 20) : incomplete) + (incomplete.Count > 20 ? " …" : "") + ".");
            return Finish(rows, order, fromMasks: false);
        }

        /// <summary>
        /// The tables from the mask files (<paramref name="maskKind"/>, default the subjects' lesion masks): a scan's
        /// lesions are its mask files; the hemisphere of a one-mask scan comes from the mask's centroid and left
        /// fraction (Measure-Lesion's rule: Bilateral, counted as Other, when more than <paramref name="bilateralFraction"/>
        /// lies across the midline). Cortical and subcortical cannot be told from a mask alone: those columns are null.
        /// </summary>
        public static List<DatasetTableRow> FromMasks(IEnumerable<AtlasSubject> subjects, string maskKind, double bilateralFraction,
            List<string> warnings, CancellationToken cancellation = default)
        {
            var rows = new Dictionary<string, DatasetTableRow>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            foreach (var s in subjects)
            {
                cancellation.ThrowIfCancellationRequested();
                var row = RowOf(rows, order, s.Cohort);
                row.Scans++;
                var masks = s.GetMaskPaths(string.IsNullOrEmpty(maskKind) ? nameof(MaskKind.Lesion) : maskKind) ?? new string[0];
                if (masks.Length != 1)
                {
                    row.MultipleLesions += masks.Length > 1 ? 1 : 0;
                    row.Lesions += masks.Length;
                    continue;
                }
                var measure = LesionMeasurer.Measure(NiftiReader.Read(masks[0]), new LesionMeasureOptions { BilateralFraction = bilateralFraction }, cancellation)[0];
                if (measure.VoxelCount == 0)
                {
                    warnings?.Add("The mask " + masks[0] + " of " + s.ScanId + " is empty: counted in Scans only.");
                    continue;
                }
                row.Lesions++;
                if (measure.Hemisphere == "Left") row.OneLesionLeft++;
                else if (measure.Hemisphere == "Right") row.OneLesionRight++;
                else row.OneLesionOther++;
            }
            return Finish(rows, order, fromMasks: true);
        }

        private static DatasetTableRow RowOf(Dictionary<string, DatasetTableRow> rows, List<string> order, string cohort)
        {
            cohort = string.IsNullOrEmpty(cohort) ? "(none)" : cohort;
            if (!rows.TryGetValue(cohort, out var row))
            {
                rows[cohort] = row = new DatasetTableRow { Cohort = cohort, CorticalLeft = 0, CorticalRight = 0, SubcorticalLeft = 0, SubcorticalRight = 0, OtherLesions = 0 };
                order.Add(cohort);
            }
            return row;
        }

        // Table 1 for one scan: one lesion (left, right, other) or several; Table 2's total of lesions.
        private static void AddScan(DatasetTableRow row, int left, int right, int other)
        {
            int n = left + right + other;
            row.Lesions += n;
            if (n > 1) row.MultipleLesions++;
            else if (n == 1)
            {
                if (left == 1) row.OneLesionLeft++;
                else if (right == 1) row.OneLesionRight++;
                else row.OneLesionOther++;
            }
        }

        private static List<DatasetTableRow> Finish(Dictionary<string, DatasetTableRow> rows, List<string> order, bool fromMasks)
        {
            order.Sort(NaturalOrder.Instance);
            var result = new List<DatasetTableRow>();
            var total = new DatasetTableRow { Cohort = "Total", CorticalLeft = 0, CorticalRight = 0, SubcorticalLeft = 0, SubcorticalRight = 0, OtherLesions = 0 };
            foreach (var c in order)
            {
                var r = rows[c];
                total.Scans += r.Scans;
                total.OneLesionLeft += r.OneLesionLeft;
                total.OneLesionRight += r.OneLesionRight;
                total.OneLesionOther += r.OneLesionOther;
                total.MultipleLesions += r.MultipleLesions;
                total.CorticalLeft += r.CorticalLeft;
                total.CorticalRight += r.CorticalRight;
                total.SubcorticalLeft += r.SubcorticalLeft;
                total.SubcorticalRight += r.SubcorticalRight;
                total.OtherLesions += r.OtherLesions;
                total.Lesions += r.Lesions;
                result.Add(r);
            }
            result.Add(total);
            foreach (var r in result)
            {
                r.PercentOfLesions = total.Lesions == 0 ? 0 : Math.Round(100.0 * r.Lesions / total.Lesions, 1);
                if (fromMasks) { r.CorticalLeft = r.CorticalRight = r.SubcorticalLeft = r.SubcorticalRight = r.OtherLesions = null; }
            }
            return result;
        }

        private static int OtherCount(object v)
        {
            int? n = AsCount(v);
            if (n != null) return n.Value;
            if (!(v is string t)) return 0;
            t = t.Trim();
            return t.Length == 0 || t.Equals("no", StringComparison.OrdinalIgnoreCase) || t.Equals("none", StringComparison.OrdinalIgnoreCase) ? 0 : 1;
        }

        private static int? AsCount(object v)
        {
            switch (v)
            {
                case null: return null;
                case int i: return i;
                case double d when Math.Floor(d) == d && d >= 0 && d <= int.MaxValue: return (int)d;
                case string t when int.TryParse(t.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p): return p;
                default: return null;
            }
        }
    }
}
