using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Atlas.Core.Datasets;

namespace Atlas.Core.Bids
{
    /// <summary>BIDS labels and file names for ATLAS scans.</summary>
    public static class BidsNames
    {
        /// <summary>The template space of ATLAS's standardized images (R1.1 INDI subset and R2.0).</summary>
        public const string StandardSpace = "MNI152NLin2009aSym";

        private static readonly Regex NativeId = new Regex(@"^(c\d+s\d+)(t\d+)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex TimePointSuffix = new Regex(@"(_ses-\w+|_t\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// The default participant label: c0001s0002t01 → c0001s0002 (the time point becomes the session),
        /// INDI numeric ids keep every digit (031768), sub-r001s001 → r001s001; anything else loses its
        /// non-alphanumeric characters. Null when nothing is left.
        /// </summary>
        public static string DefaultSubjectLabel(AtlasSubject s)
        {
            if (s == null) return null;
            string id = s.SubjectId;
            if (string.IsNullOrEmpty(id)) id = string.IsNullOrEmpty(s.Subject) ? s.ScanId : (s.Cohort ?? "") + s.Subject;
            if (string.IsNullOrEmpty(id)) return null;
            if (id.StartsWith("sub-", StringComparison.OrdinalIgnoreCase)) id = id.Substring(4);
            id = TimePointSuffix.Replace(id, "");
            var m = NativeId.Match(id);
            if (m.Success) id = m.Groups[1].Value;
            string label = Sanitize(id);
            return label.Length == 0 ? null : label;
        }

        /// <summary>The session label of a scan: its time point number (t01 → 1).</summary>
        public static string SessionLabel(AtlasSubject s) => s.Session.ToString(CultureInfo.InvariantCulture);

        /// <summary>Only ASCII letters and digits are kept (BIDS entity values are alphanumeric).</summary>
        public static string Sanitize(string value)
        {
            var sb = new StringBuilder(value?.Length ?? 0);
            if (value != null)
                foreach (char c in value) if (IsAlnum(c)) sb.Append(c);
            return sb.ToString();
        }

        public static bool IsValidLabel(string label)
        {
            if (string.IsNullOrEmpty(label)) return false;
            foreach (char c in label) if (!IsAlnum(c)) return false;
            return true;
        }

        private static bool IsAlnum(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        /// <summary>PowerShell-style names to BIDS column names: StrokesLhCortical → strokes_lh_cortical, "INDI Site ID" → indi_site_id.</summary>
        public static string SnakeCase(string name)
        {
            if (string.IsNullOrEmpty(name)) return "";
            var sb = new StringBuilder();
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!IsAlnum(c))
                {
                    if (sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
                    continue;
                }
                if (char.IsUpper(c) && sb.Length > 0 && sb[sb.Length - 1] != '_')
                {
                    char prev = name[i - 1];
                    bool nextLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                    if (char.IsLower(prev) || char.IsDigit(prev) || (char.IsUpper(prev) && nextLower)) sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            return sb.ToString().Trim('_');
        }

        /// <summary>sub-X_ses-N</summary>
        public static string Prefix(string subject, string session) => "sub-" + subject + "_ses-" + session;

        /// <summary>sub-X/ses-N/anat (forward slashes; BIDS paths are relative to the dataset root).</summary>
        public static string AnatFolder(string subject, string session) => "sub-" + subject + "/ses-" + session + "/anat";

        public static string T1wName(string subject, string session, string space) =>
            Prefix(subject, session) + (space == null ? "" : "_space-" + space) + "_T1w.nii.gz";

        /// <summary>The R2.0 lesion mask name: …[_space-S]_label-L[k]_desc-T1lesion[Raw]_mask.nii.gz.</summary>
        public static string MaskName(string subject, string session, string space, string label, string desc) =>
            Prefix(subject, session) + (space == null ? "" : "_space-" + space) + "_label-" + label + "_desc-" + desc + "_mask.nii.gz";
    }
}
