using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Atlas.Core.Text
{
    /// <summary>A JSON object whose members keep the order they were added in (BIDS sidecars read best that way).</summary>
    public sealed class JsonObject : IEnumerable<KeyValuePair<string, object>>
    {
        private readonly List<KeyValuePair<string, object>> _members = new List<KeyValuePair<string, object>>();

        public int Count => _members.Count;

        /// <summary>Adds or replaces a member (replacing keeps the original position).</summary>
        public void Add(string key, object value)
        {
            for (int i = 0; i < _members.Count; i++)
                if (_members[i].Key == key) { _members[i] = new KeyValuePair<string, object>(key, value); return; }
            _members.Add(new KeyValuePair<string, object>(key, value));
        }

        public object this[string key]
        {
            get { foreach (var m in _members) if (m.Key == key) return m.Value; return null; }
            set => Add(key, value);
        }

        public bool ContainsKey(string key)
        {
            foreach (var m in _members) if (m.Key == key) return true;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _members.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// A small JSON writer (RFC 8259): objects (JsonObject or string-keyed dictionaries), arrays
    /// (any IEnumerable), strings with the required escapes, numbers in invariant culture,
    /// true/false/null. Indented with two spaces and a final newline, so files diff cleanly.
    /// Hand-written so the module ships no JSON library of its own next to PowerShell's.
    /// </summary>
    public static class OrderedJson
    {
        public static string Serialize(object value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value, 0);
            sb.Append('\n');
            return sb.ToString();
        }

        private static void Indent(StringBuilder sb, int level) => sb.Append(' ', level * 2);

        private static void WriteValue(StringBuilder sb, object value, int level)
        {
            switch (value)
            {
                case null: sb.Append("null"); return;
                case string s: WriteString(sb, s); return;
                case bool b: sb.Append(b ? "true" : "false"); return;
                case char c: WriteString(sb, c.ToString()); return;
                case double d: WriteDouble(sb, d); return;
                case float f: WriteDouble(sb, f); return;
                case decimal m: sb.Append(m.ToString(CultureInfo.InvariantCulture)); return;
                case byte _: case sbyte _: case short _: case ushort _: case int _: case uint _: case long _: case ulong _:
                    sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); return;
                case Enum e: WriteString(sb, e.ToString()); return;
                case JsonObject o: WriteObject(sb, o, level); return;
                case IDictionary dict:
                    {
                        var o = new JsonObject();
                        foreach (DictionaryEntry kv in dict) o.Add(Convert.ToString(kv.Key, CultureInfo.InvariantCulture), kv.Value);
                        WriteObject(sb, o, level);
                        return;
                    }
                case IEnumerable list: WriteArray(sb, list, level); return;
                default: WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture)); return;
            }
        }

        private static void WriteDouble(StringBuilder sb, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d)) { sb.Append("null"); return; }
            // "R" round-trips; JSON has no exponent-less requirement, but keep integers plain.
            string s = d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
            sb.Append(s);
        }

        private static void WriteObject(StringBuilder sb, JsonObject o, int level)
        {
            if (o.Count == 0) { sb.Append("{}"); return; }
            sb.Append("{\n");
            int i = 0;
            foreach (var m in o)
            {
                Indent(sb, level + 1);
                WriteString(sb, m.Key);
                sb.Append(": ");
                WriteValue(sb, m.Value, level + 1);
                if (++i < o.Count) sb.Append(',');
                sb.Append('\n');
            }
            Indent(sb, level);
            sb.Append('}');
        }

        private static void WriteArray(StringBuilder sb, IEnumerable list, int level)
        {
            var items = new List<object>();
            foreach (var x in list) items.Add(x);
            if (items.Count == 0) { sb.Append("[]"); return; }
            bool simple = true;
            foreach (var x in items) if (x is JsonObject || x is IDictionary || (x is IEnumerable && !(x is string))) simple = false;
            if (simple)
            {
                sb.Append('[');
                for (int i = 0; i < items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteValue(sb, items[i], level + 1);
                }
                sb.Append(']');
                return;
            }
            sb.Append("[\n");
            for (int i = 0; i < items.Count; i++)
            {
                Indent(sb, level + 1);
                WriteValue(sb, items[i], level + 1);
                if (i + 1 < items.Count) sb.Append(',');
                sb.Append('\n');
            }
            Indent(sb, level);
            sb.Append(']');
        }

        /// <summary>A JSON string literal: quote, backslash and control characters escaped; other characters as UTF-8.</summary>
        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        // Control characters must be escaped; U+2028/2029 too, so the text is also valid JavaScript.
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
