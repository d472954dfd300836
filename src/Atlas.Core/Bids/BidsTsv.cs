using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Atlas.Core.Bids
{
    /// <summary>
    /// BIDS tab-separated tables: a header row, one row per record, "n/a" for missing values, LF line
    /// ends. Tabs and line breaks inside a value become spaces (BIDS TSV has no quoting).
    /// </summary>
    public sealed class BidsTable
    {
        public BidsTable(IEnumerable<string> columns) { Columns = new List<string>(columns); }

        public List<string> Columns { get; }
        public List<string[]> Rows { get; } = new List<string[]>();

        public int IndexOf(string column) => Columns.IndexOf(column);

        /// <summary>Adds a column (n/a in existing rows) unless present; returns its index.</summary>
        public int EnsureColumn(string column)
        {
            int i = Columns.IndexOf(column);
            if (i >= 0) return i;
            Columns.Add(column);
            for (int r = 0; r < Rows.Count; r++)
            {
                var row = Rows[r];
                Array.Resize(ref row, Columns.Count);
                row[Columns.Count - 1] = "n/a";
                Rows[r] = row;
            }
            return Columns.Count - 1;
        }

        public void AddRow(params string[] cells)
        {
            var row = new string[Columns.Count];
            for (int i = 0; i < row.Length; i++) row[i] = i < cells.Length ? Cell(cells[i]) : "n/a";
            Rows.Add(row);
        }

        /// <summary>A value as a TSV cell: null and empty as n/a, numbers in invariant culture.</summary>
        public static string Cell(object value)
        {
            switch (value)
            {
                case null: return "n/a";
                case string s:
                    s = s.Replace("\r\n", " ").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ').Trim();
                    return s.Length == 0 ? "n/a" : s;
                case double d: return double.IsNaN(d) || double.IsInfinity(d) ? "n/a" : d.ToString("R", CultureInfo.InvariantCulture);
                case float f: return float.IsNaN(f) || float.IsInfinity(f) ? "n/a" : ((double)f).ToString("R", CultureInfo.InvariantCulture);
                case bool b: return b ? "true" : "false";
                case IFormattable fm: return Cell(fm.ToString(null, CultureInfo.InvariantCulture));
                default: return Cell(value.ToString());
            }
        }

        public string ToText()
        {
            var sb = new StringBuilder();
            sb.Append(string.Join("\t", Columns)).Append('\n');
            foreach (var r in Rows) sb.Append(string.Join("\t", r)).Append('\n');
            return sb.ToString();
        }

        /// <summary>Reads a table written by <see cref="ToText"/> (or any BIDS TSV); null when the file does not exist.</summary>
        public static BidsTable Read(string path)
        {
            if (!File.Exists(path)) return null;
            var lines = File.ReadAllLines(path, Encoding.UTF8);
            if (lines.Length == 0) return null;
            var t = new BidsTable(lines[0].TrimEnd('\r').Split('\t'));
            for (int i = 1; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Length == 0) continue;
                var cells = line.Split('\t');
                var row = new string[t.Columns.Count];
                for (int c = 0; c < row.Length; c++) row[c] = c < cells.Length ? cells[c] : "n/a";
                t.Rows.Add(row);
            }
            return t;
        }
    }
}
