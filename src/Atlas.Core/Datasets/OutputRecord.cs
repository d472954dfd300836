using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Atlas.Core.Text;
using Atlas.Core.Nifti;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// Where a file comes from: the scan it belongs to, the kind of mask and its rank. Carried from a
    /// subject to the files written for it (in their <see cref="OutputRecord"/>) and from those files to
    /// the records measured on them, so a pipeline keeps its SubjectId and Rank at every step.
    /// </summary>
    public sealed class FileProvenance
    {
        public string SubjectId { get; set; }
        public string ScanId { get; set; }
        public int? Session { get; set; }
        public string Cohort { get; set; }
        /// <summary>Lesion, LesionSmooth, LesionRaw (or null when not a mask).</summary>
        public string MaskKind { get; set; }
        /// <summary>1 = primary mask, 2 = the mask numbered _1 …; 0 = the union of all of a scan's masks; null unknown.</summary>
        public int? Rank { get; set; }
        /// <summary>The dataset root the scan was read from (never written by the module).</summary>
        public string DatasetRoot { get; set; }

        public static FileProvenance Of(AtlasSubject s, string maskKind, int? rank) => s == null ? null : new FileProvenance
        {
            SubjectId = s.SubjectId, ScanId = s.ScanId, Session = s.Session, Cohort = s.Cohort, MaskKind = maskKind == null ? null : s.ConcreteMaskKind(maskKind), Rank = rank, DatasetRoot = s.Root,
        };

        public FileProvenance Clone() => (FileProvenance)MemberwiseClone();

        /// <summary>
        /// The provenance shared by several inputs (e.g. the masks of one scan merged): identifiers all agree
        /// or null; a rank only when all inputs have the same one. Null when no input has a SubjectId.
        /// </summary>
        public static FileProvenance Common(IEnumerable<FileProvenance> items)
        {
            FileProvenance r = null;
            foreach (var p in items)
            {
                if (p == null || p.SubjectId == null) return null;
                if (r == null) { r = p.Clone(); continue; }
                if (r.SubjectId != p.SubjectId || r.ScanId != p.ScanId) return null;
                if (r.Rank != p.Rank) r.Rank = 0;
                if (r.MaskKind != p.MaskKind) r.MaskKind = null;
                if (r.DatasetRoot != p.DatasetRoot) r.DatasetRoot = null;
            }
            return r;
        }

        internal JsonObject ToJson()
        {
            var o = new JsonObject();
            o.Add("SubjectId", SubjectId);
            o.Add("ScanId", ScanId);
            o.Add("Session", Session);
            o.Add("Cohort", Cohort);
            o.Add("MaskKind", MaskKind);
            o.Add("Rank", Rank);
            o.Add("DatasetRoot", DatasetRoot);
            return o;
        }

        internal static FileProvenance FromJson(Dictionary<string, object> o)
        {
            if (o == null) return null;
            return new FileProvenance
            {
                SubjectId = OutputRecord.Str(o, "SubjectId"), ScanId = OutputRecord.Str(o, "ScanId"), Session = OutputRecord.Int(o, "Session"),
                Cohort = OutputRecord.Str(o, "Cohort"), MaskKind = OutputRecord.Str(o, "MaskKind"), Rank = OutputRecord.Int(o, "Rank"),
                DatasetRoot = OutputRecord.Str(o, "DatasetRoot"),
            };
        }
    }

    /// <summary>
    /// The record kept beside every file the module writes: a hidden JSON file <c>.&lt;name&gt;.atlas.json</c>
    /// in the output's folder naming the cmdlet, the module version, the parameters (canonical strings,
    /// paths made absolute), the input files and the provenance of the output. It decides the one
    /// regeneration rule (make's rule plus parameters): an output is up to date when it is newer than every
    /// input and its record names the same cmdlet, version, parameters and inputs. Hidden files are skipped by
    /// Get-AtlasSubject and by bids-validator (1.15.0, verified in tests/Bids.Tests.ps1), and a sidecar per
    /// output (not one file per folder) lets parallel jobs write into one folder without a shared file.
    /// </summary>
    public sealed class OutputRecord
    {
        public const string Suffix = ".atlas.json";
        public const int FormatVersion = 1;

        public string Cmdlet { get; set; }
        public string ModuleVersion { get; set; }
        /// <summary>Parameter name → canonical value (invariant culture, absolute paths, sorted members).</summary>
        public SortedDictionary<string, string> Parameters { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
        /// <summary>The input files (absolute paths); null when an input was a volume in memory (never up to date).</summary>
        public List<string> Inputs { get; set; } = new List<string>();
        public FileProvenance Source { get; set; }
        /// <summary>Summary values of the result, so a kept output can still be reported (e.g. a QC page's counts).</summary>
        public SortedDictionary<string, string> Result { get; set; }
        public DateTime WrittenUtc { get; set; }

        /// <summary>The record's path for an output: the hidden .&lt;name&gt;.atlas.json beside it.</summary>
        public static string PathFor(string output)
        {
            string dir = Path.GetDirectoryName(output);
            string name = "." + Path.GetFileName(output) + Suffix;
            return string.IsNullOrEmpty(dir) ? name : Path.Combine(dir, name);
        }

        /// <summary>The record beside an output, or null when there is none or it cannot be read.</summary>
        public static OutputRecord TryRead(string output)
        {
            string p = PathFor(output);
            try
            {
                if (!File.Exists(p)) return null;
                var o = MiniJson.Parse(File.ReadAllText(p, Encoding.UTF8)) as Dictionary<string, object>;
                if (o == null || Int(o, "AtlasPsmRecord") == null) return null;
                var r = new OutputRecord { Cmdlet = Str(o, "Cmdlet"), ModuleVersion = Str(o, "ModuleVersion") };
                if (o.TryGetValue("Parameters", out var ps) && ps is Dictionary<string, object> pd)
                    foreach (var kv in pd) r.Parameters[kv.Key] = kv.Value as string;
                if (o.TryGetValue("Inputs", out var ins) && ins is List<object> il)
                    foreach (var i in il) r.Inputs.Add(i as string);
                else r.Inputs = null;
                if (o.TryGetValue("Source", out var src)) r.Source = FileProvenance.FromJson(src as Dictionary<string, object>);
                if (o.TryGetValue("Result", out var res) && res is Dictionary<string, object> rd)
                {
                    r.Result = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    foreach (var kv in rd) r.Result[kv.Key] = kv.Value as string;
                }
                if (DateTime.TryParse(Str(o, "WrittenUtc"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var w))
                    r.WrittenUtc = w;
                return r;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException)
            {
                return null;
            }
        }

        /// <summary>Writes the record beside <paramref name="output"/> (atomically, like every output).</summary>
        public void Write(string output)
        {
            var o = new JsonObject();
            o.Add("AtlasPsmRecord", FormatVersion);
            o.Add("Output", Path.GetFileName(output));
            o.Add("Cmdlet", Cmdlet);
            o.Add("ModuleVersion", ModuleVersion);
            var ps = new JsonObject();
            foreach (var kv in Parameters) ps.Add(kv.Key, kv.Value);
            o.Add("Parameters", ps);
            o.Add("Inputs", Inputs);
            if (Source != null) o.Add("Source", Source.ToJson());
            if (Result != null)
            {
                var rs = new JsonObject();
                foreach (var kv in Result) rs.Add(kv.Key, kv.Value);
                o.Add("Result", rs);
            }
            o.Add("WrittenUtc", WrittenUtc.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
            AtomicFile.WriteAllText(PathFor(output), OrderedJson.Serialize(o));
        }

        /// <summary>Removes the record of an output (when the output is replaced by something the module did not record).</summary>
        public static void Delete(string output) => AtomicFile.TryDelete(PathFor(output));

        /// <summary>
        /// Why the existing <paramref name="output"/> is not what a run described by <paramref name="wanted"/> would
        /// write; null when it is up to date. <paramref name="existing"/> is the output's record (null: none).
        /// </summary>
        public static string WhyStale(string output, OutputRecord existing, OutputRecord wanted, StringComparer pathComparer)
        {
            if (existing == null) return "it has no record of how it was made";
            if (wanted.Inputs == null) return "its inputs are volumes in memory, whose age is unknown";
            if (!string.Equals(existing.Cmdlet, wanted.Cmdlet, StringComparison.OrdinalIgnoreCase))
                return "it was made by " + existing.Cmdlet + ", not " + wanted.Cmdlet;
            if (!string.Equals(existing.ModuleVersion, wanted.ModuleVersion, StringComparison.Ordinal))
                return "it was made by Atlas.Psm " + existing.ModuleVersion + ", not " + wanted.ModuleVersion;
            var names = new SortedSet<string>(existing.Parameters.Keys, StringComparer.Ordinal);
            names.UnionWith(wanted.Parameters.Keys);
            foreach (var n in names)
            {
                existing.Parameters.TryGetValue(n, out var a);
                wanted.Parameters.TryGetValue(n, out var b);
                if (!string.Equals(a, b, StringComparison.Ordinal))
                    return "it was made with -" + n + " " + Show(a) + ", not " + Show(b);
            }
            if (existing.Inputs == null) return "it was made from volumes in memory";
            var had = new HashSet<string>(existing.Inputs, pathComparer);
            var now = new HashSet<string>(wanted.Inputs, pathComparer);
            foreach (var i in wanted.Inputs) if (!had.Contains(i)) return "it was not made from " + i;
            foreach (var i in existing.Inputs) if (!now.Contains(i)) return "it was made from " + i + ", which is not an input now";
            var t = File.GetLastWriteTimeUtc(output);
            foreach (var i in wanted.Inputs)
            {
                if (string.IsNullOrEmpty(i) || !File.Exists(i)) continue;
                if (File.GetLastWriteTimeUtc(i) > t) return "it is older than its input " + i;
            }
            return null;
        }

        private static string Show(string v) => v == null ? "(not given)" : "'" + v + "'";

        internal static string Str(Dictionary<string, object> o, string key) =>
            o.TryGetValue(key, out var v) && v != null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

        internal static int? Int(Dictionary<string, object> o, string key) =>
            o.TryGetValue(key, out var v) && v is double d && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d : (int?)null;
    }

    /// <summary>
    /// A minimal JSON reader (RFC 8259) for the module's own records: objects become
    /// Dictionary&lt;string, object&gt;, arrays List&lt;object&gt;, numbers double, and true/false/null as such.
    /// </summary>
    internal static class MiniJson
    {
        public static object Parse(string text)
        {
            int i = 0;
            var v = Value(text, ref i);
            Skip(text, ref i);
            if (i != text.Length) throw new FormatException("Unexpected text after the JSON value at " + i + ".");
            return v;
        }

        private static void Skip(string s, ref int i) { while (i < s.Length && char.IsWhiteSpace(s[i])) i++; }

        private static object Value(string s, ref int i)
        {
            Skip(s, ref i);
            if (i >= s.Length) throw new FormatException("Unexpected end of JSON.");
            char c = s[i];
            if (c == '{')
            {
                var o = new Dictionary<string, object>(StringComparer.Ordinal);
                i++; Skip(s, ref i);
                if (i < s.Length && s[i] == '}') { i++; return o; }
                while (true)
                {
                    Skip(s, ref i);
                    string k = String(s, ref i);
                    Skip(s, ref i);
                    Expect(s, ref i, ':');
                    o[k] = Value(s, ref i);
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    Expect(s, ref i, '}');
                    return o;
                }
            }
            if (c == '[')
            {
                var a = new List<object>();
                i++; Skip(s, ref i);
                if (i < s.Length && s[i] == ']') { i++; return a; }
                while (true)
                {
                    a.Add(Value(s, ref i));
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    Expect(s, ref i, ']');
                    return a;
                }
            }
            if (c == '"') return String(s, ref i);
            if (Word(s, ref i, "true")) return true;
            if (Word(s, ref i, "false")) return false;
            if (Word(s, ref i, "null")) return null;
            int start = i;
            while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0) i++;
            if (i == start) throw new FormatException("Unexpected character '" + c + "' in JSON at " + i + ".");
            return double.Parse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private static bool Word(string s, ref int i, string w)
        {
            if (string.CompareOrdinal(s, i, w, 0, w.Length) != 0) return false;
            i += w.Length;
            return true;
        }

        private static void Expect(string s, ref int i, char c)
        {
            if (i >= s.Length || s[i] != c) throw new FormatException("Expected '" + c + "' in JSON at " + i + ".");
            i++;
        }

        private static string String(string s, ref int i)
        {
            Expect(s, ref i, '"');
            var sb = new StringBuilder();
            while (true)
            {
                if (i >= s.Length) throw new FormatException("Unterminated JSON string.");
                char c = s[i++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (i >= s.Length) throw new FormatException("Unterminated JSON escape.");
                char e = s[i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length) throw new FormatException("Short \\u escape in JSON.");
                        sb.Append((char)int.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: throw new FormatException("Bad JSON escape \\" + e + ".");
                }
            }
        }
    }
}
