using System;
using System.Collections.Generic;

namespace Atlas.Core.Datasets
{
    /// <summary>The published ATLAS layouts Get-AtlasSubject reads.</summary>
    public enum AtlasLayout
    {
        /// <summary>R1.1 native (ICPSR archive): cXXXX/cXXXXsXXXXtXX/.</summary>
        Native,
        /// <summary>R1.1 standardized (INDI, SiteN/id/tXX) and the R1.2 _stx variant.</summary>
        Standardized,
        /// <summary>R2.0 BIDS (Training/Testing/R0NN/sub-…) or a plain BIDS root.</summary>
        Bids,
    }

    public enum AtlasSpace { Native, MNI152 }

    /// <summary>
    /// One scan (subject at one time point) of an ATLAS-style dataset: identifiers, the T1 and every
    /// lesion mask (primary first, then secondary by rank), and the metadata row joined to it.
    /// </summary>
    public sealed class AtlasSubject
    {
        /// <summary>The subject's identifier as the layout names it (c0001s0002t01, 031768, sub-r001s001).</summary>
        public string SubjectId { get; set; }
        /// <summary>Unique per time point; safe as a file name (c0001s0002t01, 031768_t01, sub-r001s001_ses-1).</summary>
        public string ScanId { get; set; }
        /// <summary>Cohort (c0001) or INDI site (Site1) or R2.0 cohort folder (R001).</summary>
        public string Cohort { get; set; }
        public string Site => Cohort;
        /// <summary>Subject within the cohort (s0002, 031768, r001s001).</summary>
        public string Subject { get; set; }
        /// <summary>Time point / session number (t01 and ses-1 are 1).</summary>
        public int Session { get; set; } = 1;
        public AtlasLayout Layout { get; set; }
        public AtlasSpace Space { get; set; }
        /// <summary>The dataset root the subject was found under.</summary>
        public string Root { get; set; }
        /// <summary>The folder holding the scan's files.</summary>
        public string Directory { get; set; }
        public string T1Path { get; set; }
        /// <summary>The lesion masks to use (smoothed where the layout has them), primary first, then by rank.</summary>
        public string[] LesionMaskPaths { get; set; } = new string[0];
        /// <summary>Raw (hand-traced, unsmoothed) masks, primary first (…_LesionRaw.voi, …_LesionRaw_1.voi …).</summary>
        public string[] RawLesionMaskPaths { get; set; } = new string[0];
        /// <summary>Smoothed masks, primary first (…_LesionSmooth.nii.gz, …_LesionSmooth_1.nii.gz …).</summary>
        public string[] SmoothLesionMaskPaths { get; set; } = new string[0];
        public int LesionFileCount => LesionMaskPaths?.Length ?? 0;

        /// <summary>Metadata values by PowerShell-friendly column name (numbers typed, empty cells null), in sheet order.</summary>
        public IDictionary<string, object> Metadata { get; set; } = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Friendly column name → the sheet's original header.</summary>
        public IDictionary<string, string> MetadataHeaders { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Well-known alias → metadata column name (Hemisphere → PrimaryStrokeLocationHemisphere …).</summary>
        public IDictionary<string, string> MetadataAliases { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>True when a metadata row was joined to this subject.</summary>
        public bool HasMetadata { get; set; }

        // ATLAS R1.1 metadata columns as typed properties (null when the sheet lacks the column or the cell is empty),
        // so tab completion and Get-Member know them; every other column of a sheet stays a dynamic property.

        /// <summary>Hemisphere of the primary stroke (R1.1 "Primary Stroke Location Hemisphere"): Left, Right, Bilateral …</summary>
        public string Hemisphere => MetadataText(nameof(Hemisphere));
        /// <summary>Stroke type (R1.1 "Stroke type"): ischemic, hemorrhagic …</summary>
        public string StrokeType => MetadataText(nameof(StrokeType));
        /// <summary>Location of the primary stroke (R1.1 "Primary Stroke Location"): Cortical, Subcortical, other.</summary>
        public string PrimaryStrokeLocation => MetadataText(nameof(PrimaryStrokeLocation));
        /// <summary>Vascular territory of the primary stroke (R1.1 "Vascular territory"): MCA, PCA, ACA …</summary>
        public string VascularTerritory => MetadataText(nameof(VascularTerritory));
        /// <summary>Fazekas periventricular hyperintensity grade, 0-3 (R1.1 "PVH").</summary>
        public int? Pvh => MetadataInt(nameof(Pvh));
        /// <summary>Fazekas deep white-matter hyperintensity grade, 0-3 (R1.1 "DWMH").</summary>
        public int? Dwmh => MetadataInt(nameof(Dwmh));
        /// <summary>Number of left-hemisphere cortical lesions (R1.1 "# Strokes LH Cortical").</summary>
        public int? StrokesLhCortical => MetadataInt(nameof(StrokesLhCortical));
        /// <summary>Number of left-hemisphere subcortical lesions (R1.1 "# Strokes LH Subcortical").</summary>
        public int? StrokesLhSubcortical => MetadataInt(nameof(StrokesLhSubcortical));
        /// <summary>Number of right-hemisphere cortical lesions (R1.1 "# Strokes RH Cortical").</summary>
        public int? StrokesRhCortical => MetadataInt(nameof(StrokesRhCortical));
        /// <summary>Number of right-hemisphere subcortical lesions (R1.1 "# Strokes RH Subcortical").</summary>
        public int? StrokesRhSubcortical => MetadataInt(nameof(StrokesRhSubcortical));

        /// <summary>The names of the typed metadata properties above, in declaration order.</summary>
        public static readonly string[] TypedMetadataNames =
        {
            nameof(Hemisphere), nameof(StrokeType), nameof(PrimaryStrokeLocation), nameof(VascularTerritory), nameof(Pvh), nameof(Dwmh),
            nameof(StrokesLhCortical), nameof(StrokesLhSubcortical), nameof(StrokesRhCortical), nameof(StrokesRhSubcortical),
        };

        private string MetadataText(string name)
        {
            var v = GetMetadata(name);
            return v == null ? null : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture);
        }

        private int? MetadataInt(string name)
        {
            switch (GetMetadata(name))
            {
                case null: return null;
                case int i: return i;
                case double d when Math.Floor(d) == d && Math.Abs(d) <= int.MaxValue: return (int)d;
                case string s when int.TryParse(s.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int p): return p;
                default: return null;
            }
        }

        /// <summary>The names of <see cref="MaskKind"/>, in its order: the mask kinds cmdlets accept by name (Measure-LesionOverlap -Reference LesionSmooth).</summary>
        public static readonly string[] MaskKinds = Enum.GetNames(typeof(MaskKind));

        /// <summary>
        /// The mask kind a name stands for, ignoring case; false for anything else (numbers and lists included,
        /// which Enum.TryParse would take).
        /// </summary>
        public static bool TryParseMaskKind(string name, out MaskKind kind)
        {
            foreach (MaskKind k in Enum.GetValues(typeof(MaskKind)))
                if (string.Equals(name, k.ToString(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
            kind = MaskKind.Lesion;
            return false;
        }

        /// <summary>Masks of a kind: Lesion (the default masks), LesionSmooth, LesionRaw.</summary>
        public string[] GetMaskPaths(MaskKind kind)
        {
            switch (kind)
            {
                case MaskKind.Lesion: return LesionMaskPaths;
                case MaskKind.LesionSmooth: return SmoothLesionMaskPaths;
                case MaskKind.LesionRaw: return RawLesionMaskPaths;
                default: return null;
            }
        }

        /// <summary>Masks of a kind named as <see cref="MaskKind"/> (any case). Null for an unknown kind.</summary>
        public string[] GetMaskPaths(string kind) => TryParseMaskKind(kind, out var k) ? GetMaskPaths(k) : null;

        /// <summary>
        /// The concrete kind behind a requested one: Lesion names the smoothed (or raw) masks where the layout has
        /// them, so records say LesionSmooth whether a mask came from the subject or from a file of that name.
        /// </summary>
        public string ConcreteMaskKind(string kind)
        {
            if (!TryParseMaskKind(kind, out var k) || k != MaskKind.Lesion) return kind;
            if (LesionMaskPaths != null && LesionMaskPaths.Length > 0)
            {
                if (ReferenceEquals(LesionMaskPaths, SmoothLesionMaskPaths) || SameFiles(LesionMaskPaths, SmoothLesionMaskPaths)) return nameof(MaskKind.LesionSmooth);
                if (ReferenceEquals(LesionMaskPaths, RawLesionMaskPaths) || SameFiles(LesionMaskPaths, RawLesionMaskPaths)) return nameof(MaskKind.LesionRaw);
            }
            return nameof(MaskKind.Lesion);
        }

        private static bool SameFiles(string[] a, string[] b)
        {
            if (a == null || b == null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
            return true;
        }

        /// <summary>The mask of a kind at a rank (0 = primary), or null when there is none.</summary>
        public string GetMaskPath(string kind, int rank = 0)
        {
            var p = GetMaskPaths(kind);
            return p != null && rank >= 0 && rank < p.Length ? p[rank] : null;
        }

        /// <summary>A metadata value by column name, original header or alias; null when absent.</summary>
        public object GetMetadata(string name)
        {
            if (Metadata == null || name == null) return null;
            if (Metadata.TryGetValue(name, out var v)) return v;
            if (MetadataAliases != null && MetadataAliases.TryGetValue(name, out var col) && Metadata.TryGetValue(col, out v)) return v;
            if (MetadataHeaders != null)
                foreach (var kv in MetadataHeaders)
                    if (string.Equals(kv.Value, name, StringComparison.OrdinalIgnoreCase) && Metadata.TryGetValue(kv.Key, out v)) return v;
            return null;
        }

        public override string ToString() => ScanId ?? SubjectId;
    }
}
