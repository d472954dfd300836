using System;
using System.Globalization;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// What ConvertTo-AtlasStandardSpace recorded about a standardized T1 it wrote: the registration's verdict
    /// and figures, and the template and brain mask it was registered to. Read from the T1's own output record
    /// (the hidden <c>.&lt;name&gt;.atlas.json</c> beside it, see <see cref="OutputRecord"/>), so it needs no shared
    /// file: scans standardized by parallel jobs into one folder each carry their own verdict.
    /// </summary>
    public sealed class StandardizationRecord
    {
        /// <summary>The cmdlet whose records these are.</summary>
        public const string CmdletName = "ConvertTo-AtlasStandardSpace";

        /// <summary>Good, Suspect or Failed (RegistrationVerdict's names).</summary>
        public string Verdict { get; set; }
        /// <summary>Why the verdict is not Good (empty when it is).</summary>
        public string VerdictReason { get; set; }
        public double FinalCost { get; set; } = double.NaN;
        public double BrainOverlap { get; set; } = double.NaN;
        public double Determinant { get; set; } = double.NaN;
        /// <summary>The template (absolute path as given to -Template).</summary>
        public string TemplatePath { get; set; }
        /// <summary>The template's brain mask (-TemplateMask).</summary>
        public string TemplateMaskPath { get; set; }

        public bool IsFailed => string.Equals(Verdict, "Failed", StringComparison.Ordinal);
        public bool IsSuspect => string.Equals(Verdict, "Suspect", StringComparison.Ordinal);

        /// <summary>The record of a T1 written by ConvertTo-AtlasStandardSpace; null for any other file (or no record).</summary>
        public static StandardizationRecord Of(string t1Path)
        {
            if (string.IsNullOrEmpty(t1Path)) return null;
            var r = OutputRecord.TryRead(t1Path);
            if (r == null || !string.Equals(r.Cmdlet, CmdletName, StringComparison.OrdinalIgnoreCase) || r.Result == null) return null;
            if (!r.Result.TryGetValue("Verdict", out var verdict) || string.IsNullOrEmpty(verdict)) return null;
            r.Result.TryGetValue("VerdictReason", out var reason);
            r.Parameters.TryGetValue("Template", out var template);
            r.Parameters.TryGetValue("TemplateMask", out var mask);
            return new StandardizationRecord
            {
                Verdict = verdict, VerdictReason = reason ?? "",
                FinalCost = Number(r, "FinalCost"), BrainOverlap = Number(r, "BrainOverlap"), Determinant = Number(r, "Determinant"),
                TemplatePath = template, TemplateMaskPath = mask,
            };
        }

        private static double Number(OutputRecord r, string key) =>
            r.Result.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
    }
}
