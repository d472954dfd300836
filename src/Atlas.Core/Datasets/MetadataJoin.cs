using System;
using System.Collections.Generic;
using System.Globalization;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// Joins metadata rows to subjects by a key column. Keys compare case-insensitively, numeric ids
    /// without leading zeros (INDI 31768 ↔ folder 031768), and a subject answers to its scan id
    /// (c0001s0002t01, 031768_t01, sub-r001s001_ses-1) and to its subject id without the time
    /// point (c0001s0002, 031768, sub-r001s001 and r001s001). When several rows match a subject
    /// without its time point, a session column (Session, Timepoint, Visit) picks the row.
    /// </summary>
    public static class MetadataJoin
    {
        private static readonly string[] SessionHeaders = { "session", "ses", "timepoint", "time point", "visit" };

        /// <summary>
        /// Fills each subject's Metadata; returns the key column used (null when none matched). Warnings go to <paramref name="warnings"/>.
        /// Every subject takes part in the join (the key column and the orphan rows are judged on the whole dataset), but a
        /// missing row is warned about only for subjects <paramref name="reported"/> accepts (those a filter or shard keeps).
        /// </summary>
        public static string Join(MetadataTable table, IList<AtlasSubject> subjects, string keyColumn, List<string> warnings, List<string> orphanRows = null,
            Func<AtlasSubject, bool> reported = null)
        {
            int key;
            if (!string.IsNullOrEmpty(keyColumn))
            {
                key = table.IndexOf(keyColumn);
                if (key < 0)
                    throw new ArgumentException("The metadata sheet has no column '" + keyColumn + "'. Its columns: " + string.Join(", ", table.Names) + ".");
            }
            else
            {
                key = ChooseKey(table, subjects);
                if (key < 0)
                {
                    warnings.Add("No column of " + table.Path + " matches the subject ids (e.g. " + (subjects.Count > 0 ? subjects[0].SubjectId : "none")
                        + "); no metadata was joined. Name the key column with -KeyColumn.");
                    return null;
                }
            }

            int session = FindSessionColumn(table, key);
            var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int r = 0; r < table.Rows.Count; r++)
            {
                string k = NormalizeKey(table.Rows[r][key]);
                if (k == null) { warnings.Add("Metadata row " + (r + 2) + " has no value in the key column '" + table.Headers[key] + "'."); continue; }
                if (!index.TryGetValue(k, out var list)) index[k] = list = new List<int>();
                list.Add(r);
            }

            var duplicateOf = CheckDuplicates(table, index, key, session, warnings);

            var usedRows = new bool[table.Rows.Count];
            int missing = 0;
            foreach (var s in subjects)
            {
                int row = FindRow(table, s, index, session);
                s.MetadataAliases = new Dictionary<string, string>(table.Aliases, StringComparer.OrdinalIgnoreCase);
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                for (int c = 0; c < table.Names.Length; c++) headers[table.Names[c]] = table.Headers[c];
                s.MetadataHeaders = headers;
                var meta = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
                for (int c = 0; c < table.Names.Length; c++) meta[table.Names[c]] = row >= 0 ? table.Rows[row][c] : null;
                s.Metadata = meta;
                s.HasMetadata = row >= 0;
                if (row >= 0) usedRows[row] = true;
                else if ((reported == null || reported(s)) && ++missing <= 20) warnings.Add("Subject " + s.ScanId + " has no row in " + table.Path + " (key column '" + table.Headers[key] + "').");
            }
            if (missing > 20) warnings.Add("… and " + (missing - 20) + " more subjects without a metadata row.");

            // A duplicate row (reported above) is used when the row it repeats is.
            foreach (var kv in duplicateOf) if (usedRows[kv.Value]) usedRows[kv.Key] = true;
            int orphans = 0;
            for (int r = 0; r < usedRows.Length; r++)
            {
                if (usedRows[r] || NormalizeKey(table.Rows[r][key]) == null) continue;
                orphanRows?.Add("row " + (r + 2) + " ('" + Convert.ToString(table.Rows[r][key], CultureInfo.InvariantCulture) + "')");
                if (++orphans <= 20)
                    warnings.Add("Metadata row " + (r + 2) + " ('" + Convert.ToString(table.Rows[r][key], CultureInfo.InvariantCulture) + "') matches no subject under the dataset root.");
            }
            if (orphans > 20) warnings.Add("… and " + (orphans - 20) + " more metadata rows that match no subject.");
            return table.Names[key];
        }

        /// <summary>
        /// Rows with the same key and the same session value (or both without one) describe the same scan twice.
        /// When they agree in every column, a warning names their rows and the subject and the first is used;
        /// when any value differs, no row can be trusted: an InvalidDataException names the file, the rows, the
        /// subject and the columns that differ. Returns duplicate row → the first row it repeats.
        /// Row numbers count the header as row 1, as a spreadsheet shows them.
        /// </summary>
        private static Dictionary<int, int> CheckDuplicates(MetadataTable table, Dictionary<string, List<int>> index, int key, int session, List<string> warnings)
        {
            var duplicateOf = new Dictionary<int, int>();
            var conflicts = new List<string>();
            foreach (var rows in index.Values)
            {
                if (rows.Count < 2) continue;
                var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                foreach (int r in rows)
                {
                    string ses = session < 0 ? "" : SessionKey(table.Rows[r][session]);
                    if (!groups.TryGetValue(ses, out var g)) groups[ses] = g = new List<int>();
                    g.Add(r);
                }
                foreach (var g in groups)
                {
                    if (g.Value.Count < 2) continue;
                    int first = g.Value[0];
                    var differing = new List<string>();
                    for (int c = 0; c < table.Headers.Length; c++)
                    {
                        foreach (int r in g.Value)
                            if (!Equals(table.Rows[r][c], table.Rows[first][c])) { differing.Add("'" + table.Headers[c] + "'"); break; }
                    }
                    var numbers = new List<string>();
                    foreach (int r in g.Value) numbers.Add((r + 2).ToString(CultureInfo.InvariantCulture));
                    string subject = Convert.ToString(table.Rows[first][key], CultureInfo.InvariantCulture)
                        + (session >= 0 && g.Key.Length > 0 ? " (session " + Convert.ToString(table.Rows[first][session], CultureInfo.InvariantCulture) + ")" : "");
                    string rowsText = "rows " + string.Join(", ", numbers);
                    if (differing.Count > 0)
                        conflicts.Add(rowsText + " are all for " + subject + " and differ in " + string.Join(", ", differing));
                    else
                    {
                        warnings.Add("Metadata " + rowsText + " of " + table.Path + " are the same row for " + subject + " repeated; row " + numbers[0] + " is used.");
                        for (int i = 1; i < g.Value.Count; i++) duplicateOf[g.Value[i]] = first;
                    }
                }
            }
            if (conflicts.Count > 0)
                throw new System.IO.InvalidDataException("The metadata sheet " + table.Path + " describes a scan more than once with different values: "
                    + string.Join("; ", conflicts) + ". Keep one row per subject and session.");
            return duplicateOf;
        }

        private static string SessionKey(object v)
        {
            if (v == null) return "";
            if (v is int i) return i.ToString(CultureInfo.InvariantCulture);
            int ses = DatasetScanner.ParseSession(Convert.ToString(v, CultureInfo.InvariantCulture));
            return ses > 0 ? ses.ToString(CultureInfo.InvariantCulture) : NormalizeKey(v) ?? "";
        }

        /// <summary>The column whose values match the most subjects (ties: the leftmost); -1 when none matches any.</summary>
        public static int ChooseKey(MetadataTable table, IList<AtlasSubject> subjects)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in subjects) foreach (var k in KeysOf(s, true)) keys.Add(k);
            int best = -1, bestCount = 0;
            for (int c = 0; c < table.Names.Length; c++)
            {
                int n = 0;
                foreach (var row in table.Rows)
                {
                    string k = NormalizeKey(row[c]);
                    if (k != null && keys.Contains(k)) n++;
                }
                if (n > bestCount) { best = c; bestCount = n; }
            }
            return best;
        }

        /// <summary>Lower-case trimmed text; whole numbers (and digit strings) without leading zeros; null for empty.</summary>
        public static string NormalizeKey(object value)
        {
            switch (value)
            {
                case null: return null;
                case int i: return i.ToString(CultureInfo.InvariantCulture);
                case long l: return l.ToString(CultureInfo.InvariantCulture);
                case double d: return Math.Floor(d) == d && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
            }
            string s = Convert.ToString(value, CultureInfo.InvariantCulture).Trim().ToLowerInvariant();
            if (s.Length == 0) return null;
            bool digits = true;
            foreach (char ch in s) if (ch < '0' || ch > '9') { digits = false; break; }
            if (digits)
            {
                s = s.TrimStart('0');
                if (s.Length == 0) s = "0";
            }
            return s;
        }

        /// <summary>The keys a subject answers to: scan-level first, then (when <paramref name="subjectLevel"/>) subject-level.</summary>
        private static List<string> KeysOf(AtlasSubject s, bool subjectLevel)
        {
            var keys = new List<string>();
            void Add(string k) { k = NormalizeKey(k); if (k != null && !keys.Contains(k)) keys.Add(k); }
            Add(s.ScanId);
            if (s.Layout == AtlasLayout.Bids) Add(s.ScanId != null && s.ScanId.StartsWith("sub-", StringComparison.OrdinalIgnoreCase) ? s.ScanId.Substring(4) : null);
            if (s.Layout != AtlasLayout.Bids && s.Layout != AtlasLayout.Standardized || s.SubjectId == s.ScanId)
                Add(s.SubjectId);
            if (!subjectLevel) return keys;
            if (s.Cohort != null && s.Subject != null && s.Cohort.StartsWith("c", StringComparison.OrdinalIgnoreCase) && s.Subject.StartsWith("s", StringComparison.OrdinalIgnoreCase))
                Add(s.Cohort + s.Subject);
            Add(s.SubjectId);
            if (s.SubjectId != null && s.SubjectId.StartsWith("sub-", StringComparison.OrdinalIgnoreCase)) Add(s.SubjectId.Substring(4));
            return keys;
        }

        private static int FindRow(MetadataTable table, AtlasSubject s, Dictionary<string, List<int>> index, int session)
        {
            var scanKeys = KeysOf(s, false);
            foreach (var k in scanKeys)
                if (index.TryGetValue(k, out var rows)) return rows[0];
            foreach (var k in KeysOf(s, true))
            {
                if (scanKeys.Contains(k) || !index.TryGetValue(k, out var rows)) continue;
                if (rows.Count == 1 && session < 0) return rows[0];
                if (session >= 0)
                {
                    foreach (int r in rows)
                    {
                        var v = table.Rows[r][session];
                        if (v == null) continue;
                        int ses = v is int i ? i : DatasetScanner.ParseSession(Convert.ToString(v, CultureInfo.InvariantCulture));
                        if (ses == s.Session) return r;
                    }
                    // Rows with no session value apply to every time point.
                    foreach (int r in rows) if (table.Rows[r][session] == null) return r;
                    return -1;
                }
                return rows[0];
            }
            return -1;
        }

        private static int FindSessionColumn(MetadataTable table, int key)
        {
            for (int c = 0; c < table.Headers.Length; c++)
            {
                if (c == key) continue;
                string h = table.Headers[c].Trim().ToLowerInvariant();
                foreach (var n in SessionHeaders) if (h == n) return c;
            }
            return -1;
        }
    }
}
