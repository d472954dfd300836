using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// A metadata sheet (CSV, TSV or XLSX) as typed rows: the original headers, PowerShell-friendly
    /// column names (<c># Strokes LH Cortical</c> → <c>StrokesLhCortical</c>), numbers as int or
    /// double, empty cells (and BIDS's <c>n/a</c>) as null, and the well-known aliases.
    /// </summary>
    public sealed class MetadataTable
    {
        /// <summary>Alias → candidate column names, first match wins; a column whose name ends with the alias is the fallback.</summary>
        private static readonly KeyValuePair<string, string[]>[] AliasCandidates =
        {
            new KeyValuePair<string, string[]>("Hemisphere", new[] { "Hemisphere", "PrimaryStrokeLocationHemisphere", "PrimaryStrokeHemisphere", "PrimaryLesionHemisphere" }),
            new KeyValuePair<string, string[]>("StrokeType", new[] { "StrokeType", "TypeOfStroke" }),
            new KeyValuePair<string, string[]>("VascularTerritory", new[] { "VascularTerritory" }),
            new KeyValuePair<string, string[]>("Pvh", new[] { "Pvh", "FazekasPvh" }),
            new KeyValuePair<string, string[]>("Dwmh", new[] { "Dwmh", "FazekasDwmh" }),
        };

        /// <summary>AtlasSubject's own property names: a column that would shadow one is renamed Sheet&lt;Name&gt;.</summary>
        private static readonly HashSet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "SubjectId", "ScanId", "Cohort", "Site", "Subject", "Session", "Layout", "Space", "Root", "Directory",
            "T1Path", "LesionMaskPaths", "RawLesionMaskPaths", "SmoothLesionMaskPaths", "LesionFileCount",
            "Metadata", "MetadataHeaders", "MetadataAliases", "MetadataRow", "MaskKinds",
        };

        public MetadataTable(string path, string[] headers, IList<object[]> rawRows)
        {
            Path = path;
            Headers = headers;
            Names = MakeNames(headers);
            Rows = TypeColumns(headers.Length, rawRows);
            Aliases = MakeAliases(Names);
        }

        /// <summary>The file the table was read from (null for one built in memory).</summary>
        public string Path { get; }
        /// <summary>The sheet's headers as written.</summary>
        public string[] Headers { get; }
        /// <summary>PowerShell-friendly, unique column names, in sheet order.</summary>
        public string[] Names { get; }
        /// <summary>Typed cells: int, double, string, bool, DateTime or null.</summary>
        public List<object[]> Rows { get; }
        /// <summary>Alias → column name (only aliases whose name is not already a column).</summary>
        public IDictionary<string, string> Aliases { get; }

        /// <summary>Index of a column by friendly name or original header (case-insensitive), -1 when absent.</summary>
        public int IndexOf(string nameOrHeader)
        {
            if (string.IsNullOrEmpty(nameOrHeader)) return -1;
            for (int i = 0; i < Names.Length; i++) if (string.Equals(Names[i], nameOrHeader, StringComparison.OrdinalIgnoreCase)) return i;
            for (int i = 0; i < Headers.Length; i++) if (string.Equals(Headers[i].Trim(), nameOrHeader.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
            if (Aliases.TryGetValue(nameOrHeader, out var target)) return IndexOf(target);
            return -1;
        }

        // ------------------------------------------------------------------ reading

        /// <summary>
        /// Reads a sheet by extension: .csv (comma, or semicolon when the header has no comma), .tsv/.txt
        /// (tab), .xlsx (first sheet). Every failure names the file: a missing file is a
        /// FileNotFoundException, a folder or another kind of file an ArgumentException, and a file that
        /// cannot be read as a sheet (binary data, a damaged workbook, a single column) an InvalidDataException.
        /// </summary>
        public static MetadataTable Load(string path)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("No metadata sheet given.", nameof(path));
            if (Directory.Exists(path))
                throw new ArgumentException("The metadata path " + path + " is a folder; give a .csv, .tsv, .txt or .xlsx sheet.");
            if (!File.Exists(path)) throw new FileNotFoundException("Metadata file not found: " + path, path);
            string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
            List<object[]> cells;
            switch (ext)
            {
                case ".xlsx":
                case ".xlsm":
                    try { cells = XlsxSheet.Read(path); }
                    catch (Exception ex) when (IsUnreadableWorkbook(ex))
                    {
                        throw new InvalidDataException("The metadata sheet " + path + " is not a readable .xlsx workbook: " + ex.Message, ex);
                    }
                    break;
                case ".tsv":
                case ".txt":
                    cells = ToObjects(DelimitedText.Parse(ReadSheetText(path), '\t'));
                    break;
                case ".csv":
                    {
                        string text = ReadSheetText(path);
                        char delimiter = DelimitedText.GuessCsvDelimiter(text);
                        var parsed = DelimitedText.Parse(text, delimiter);
                        // Semicolon CSV is what Excel writes where the comma is the decimal mark: "1,5" is 1.5 there.
                        if (delimiter == ';') DelimitedText.DecimalCommasToPoints(parsed);
                        cells = ToObjects(parsed);
                        break;
                    }
                default:
                    throw new ArgumentException("The metadata path " + path + " is not a metadata sheet: use a .csv, .tsv, .txt or .xlsx file.");
            }
            var table = FromCells(path, cells);
            if (table.Headers.Length < 2)
                throw new InvalidDataException("The metadata sheet " + path + " has a single column ('" + (table.Headers.Length == 1 ? table.Headers[0] : "") + "'): "
                    + "not a " + (ext == ".csv" ? "comma- or semicolon" : "tab") + "-separated sheet with a key column and at least one more.");
            return table;
        }

        // MiniExcel and the zip reader under it report a damaged workbook in several ways.
        private static bool IsUnreadableWorkbook(Exception ex) =>
            ex is InvalidDataException || ex is FormatException || ex is InvalidOperationException || ex is System.Xml.XmlException
            || ex is ArgumentException || ex is NotSupportedException || ex is InvalidCastException || ex is IndexOutOfRangeException;

        /// <summary>The text of a .csv/.tsv/.txt sheet; binary content (an image, a workbook renamed .csv) is refused.</summary>
        private static string ReadSheetText(string path)
        {
            string text = ReadText(path);
            if (text.IndexOf('\0') >= 0)
                throw new InvalidDataException("The metadata sheet " + path + " holds binary data, not text: give a .csv, .tsv, .txt or .xlsx sheet.");
            return text;
        }

        /// <summary>A table from raw cells whose first non-empty row is the header.</summary>
        public static MetadataTable FromCells(string path, List<object[]> cells)
        {
            int h = 0;
            while (h < cells.Count && IsEmptyRow(cells[h])) h++;
            if (h >= cells.Count) throw new InvalidDataException("The metadata sheet has no header row: " + path);
            var headerCells = cells[h];
            int n = headerCells.Length;
            while (n > 0 && IsEmpty(headerCells[n - 1])) n--;
            var headers = new string[n];
            for (int i = 0; i < n; i++) headers[i] = Convert.ToString(headerCells[i], CultureInfo.InvariantCulture)?.Trim() ?? "";
            var rows = new List<object[]>();
            for (int r = h + 1; r < cells.Count; r++)
            {
                if (IsEmptyRow(cells[r])) continue;
                var row = new object[n];
                for (int i = 0; i < n && i < cells[r].Length; i++) row[i] = cells[r][i];
                rows.Add(row);
            }
            return new MetadataTable(path, headers, rows);
        }

        private static string ReadText(string path)
        {
            // UTF-8 with or without BOM (Excel's "CSV UTF-8" writes one).
            using (var r = new StreamReader(path, new UTF8Encoding(false), true)) return r.ReadToEnd();
        }

        private static List<object[]> ToObjects(List<string[]> rows)
        {
            var result = new List<object[]>(rows.Count);
            foreach (var r in rows)
            {
                var o = new object[r.Length];
                for (int i = 0; i < r.Length; i++) o[i] = r[i];
                result.Add(o);
            }
            return result;
        }

        private static bool IsEmpty(object o) => o == null || (o is string s && s.Trim().Length == 0);

        private static bool IsEmptyRow(object[] row)
        {
            foreach (var c in row) if (!IsEmpty(c)) return false;
            return true;
        }

        // ------------------------------------------------------------------ names

        /// <summary>
        /// A PowerShell-friendly name for a header: words split at anything not a letter or digit,
        /// each word capitalised (an all-capitals word such as LH or PVH becomes Lh, Pvh; a mixed-case
        /// word keeps its inner capitals), then joined: <c># Strokes LH Cortical</c> → <c>StrokesLhCortical</c>.
        /// </summary>
        public static string FriendlyName(string header)
        {
            var sb = new StringBuilder();
            var word = new StringBuilder();
            foreach (char ch in (header ?? "") + " ")
            {
                if (char.IsLetterOrDigit(ch)) { word.Append(ch); continue; }
                if (word.Length == 0) continue;
                string w = word.ToString();
                bool allUpper = true;
                foreach (char c in w) if (char.IsLower(c)) { allUpper = false; break; }
                if (allUpper) w = w.ToLowerInvariant();
                sb.Append(char.ToUpperInvariant(w[0])).Append(w, 1, w.Length - 1);
                word.Clear();
            }
            return sb.ToString();
        }

        private static string[] MakeNames(string[] headers)
        {
            var names = new string[headers.Length];
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < headers.Length; i++)
            {
                string n = FriendlyName(headers[i]);
                if (n.Length == 0) n = "Column" + (i + 1);
                if (Reserved.Contains(n)) n = "Sheet" + n;
                string candidate = n;
                for (int k = 2; used.Contains(candidate); k++) candidate = n + k;
                used.Add(candidate);
                names[i] = candidate;
            }
            return names;
        }

        private static IDictionary<string, string> MakeAliases(string[] names)
        {
            var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var present = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
            foreach (var a in AliasCandidates)
            {
                if (present.Contains(a.Key)) continue;
                string target = null;
                foreach (var c in a.Value) if (present.Contains(c)) { target = Find(names, c); break; }
                if (target == null)
                    foreach (var n in names) if (n.EndsWith(a.Key, StringComparison.OrdinalIgnoreCase)) { target = n; break; }
                if (target != null) aliases[a.Key] = target;
            }
            return aliases;
        }

        private static string Find(string[] names, string name)
        {
            foreach (var n in names) if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return n;
            return null;
        }

        // ------------------------------------------------------------------ typing

        /// <summary>
        /// Per column: text that parses as a number (invariant culture) becomes a number; when every
        /// number of the column is whole and fits, they are int, else double (so a column sorts and
        /// compares as one type). Empty cells and "n/a"/"NA" are null; other text stays text.
        /// </summary>
        private static List<object[]> TypeColumns(int columns, IList<object[]> raw)
        {
            var rows = new List<object[]>(raw.Count);
            foreach (var r in raw)
            {
                var row = new object[columns];
                for (int i = 0; i < columns && i < r.Length; i++) row[i] = Normalize(r[i]);
                rows.Add(row);
            }
            for (int c = 0; c < columns; c++)
            {
                bool allWhole = true, any = false;
                foreach (var row in rows)
                {
                    if (row[c] is double d)
                    {
                        any = true;
                        if (Math.Floor(d) != d || Math.Abs(d) > int.MaxValue) allWhole = false;
                    }
                }
                if (!any || !allWhole) continue;
                foreach (var row in rows) if (row[c] is double d) row[c] = (int)d;
            }
            return rows;
        }

        private static object Normalize(object cell)
        {
            switch (cell)
            {
                case null: return null;
                case string s:
                    {
                        string t = s.Trim();
                        if (t.Length == 0) return null;
                        if (t.Equals("n/a", StringComparison.OrdinalIgnoreCase) || t.Equals("NA", StringComparison.Ordinal)) return null;
                        if (TryNumber(t, out double d)) return d;
                        return t;
                    }
                case double d: return double.IsNaN(d) ? (object)null : d;
                case float f: return (double)f;
                case int i: return (double)i;
                case long l: return (double)l;
                case decimal m: return (double)m;
                default: return cell;
            }
        }

        private static bool TryNumber(string t, out double d)
        {
            d = 0;
            // Only plain numbers: digits with an optional sign, point and exponent (not "1,234", not "0x10", not "Infinity").
            char c0 = t[0];
            if (!(char.IsDigit(c0) || c0 == '-' || c0 == '+' || c0 == '.')) return false;
            return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out d) && !double.IsInfinity(d) && !double.IsNaN(d);
        }
    }

    /// <summary>RFC 4180 delimited text: quoted fields with doubled quotes and embedded line breaks.</summary>
    public static class DelimitedText
    {
        public static List<string[]> Parse(string text, char delimiter)
        {
            var rows = new List<string[]>();
            var row = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, fieldStarted = false;
            int i = 0, n = text.Length;
            if (n > 0 && text[0] == '\uFEFF') i = 1;
            for (; i < n; i++)
            {
                char ch = text[i];
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (i + 1 < n && text[i + 1] == '"') { field.Append('"'); i++; }
                        else quoted = false;
                    }
                    else field.Append(ch);
                    continue;
                }
                if (ch == '"' && field.Length == 0) { quoted = true; fieldStarted = true; continue; }
                if (ch == delimiter) { row.Add(field.ToString()); field.Clear(); fieldStarted = true; continue; }
                if (ch == '\r' || ch == '\n')
                {
                    if (ch == '\r' && i + 1 < n && text[i + 1] == '\n') i++;
                    if (fieldStarted || field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row.ToArray()); }
                    row.Clear(); field.Clear(); fieldStarted = false;
                    continue;
                }
                field.Append(ch);
                fieldStarted = true;
            }
            if (fieldStarted || field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row.ToArray()); }
            return rows;
        }

        /// <summary>Comma, unless the first line has semicolons and no comma (European Excel exports).</summary>
        public static char GuessCsvDelimiter(string text)
        {
            int end = text.IndexOf('\n');
            string first = end < 0 ? text : text.Substring(0, end);
            if (first.IndexOf(',') < 0 && first.IndexOf(';') >= 0) return ';';
            if (first.IndexOf(',') < 0 && first.IndexOf('\t') >= 0) return '\t';
            return ',';
        }

        /// <summary>
        /// Rewrites fields that are a number with a decimal comma (<c>1,5</c>, <c>-0,25</c>, <c>2,5E3</c>: digits,
        /// one comma, digits) to the decimal point, in place. Anything else (<c>1,234,5</c>, <c>1.234,5</c>, text) is left alone.
        /// </summary>
        public static void DecimalCommasToPoints(List<string[]> rows)
        {
            foreach (var row in rows)
                for (int i = 0; i < row.Length; i++)
                    if (row[i] != null && DecimalComma.IsMatch(row[i])) row[i] = row[i].Trim().Replace(',', '.');
        }

        private static readonly System.Text.RegularExpressions.Regex DecimalComma =
            new System.Text.RegularExpressions.Regex(@"^\s*[+-]?[0-9]+,[0-9]+(?:[eE][+-]?[0-9]+)?\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>A field quoted when it needs to be (delimiter, quote or line break inside).</summary>
        public static string Quote(string s, char delimiter = ',')
        {
            if (s == null) return "";
            if (s.IndexOf(delimiter) < 0 && s.IndexOf('"') < 0 && s.IndexOf('\n') < 0 && s.IndexOf('\r') < 0) return s;
            return "\"" + s.Replace("\"", "\"\"") + "\"";
        }
    }
}
