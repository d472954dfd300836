using System;
using System.Globalization;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;

namespace Atlas.Core.Datasets
{
    public sealed class DatasetScanOptions
    {
        /// <summary>Force a layout; null detects it (the layout that finds the most T1 images wins).</summary>
        public AtlasLayout? Layout { get; set; }
        /// <summary>A CSV, TSV or XLSX sheet joined to the subjects; null for none.</summary>
        public string MetadataPath { get; set; }
        /// <summary>A sheet already read (MetadataTable.Load), used instead of <see cref="MetadataPath"/>: read once, joined to several roots.</summary>
        public MetadataTable Metadata { get; set; }
        /// <summary>The sheet's key column (friendly name or original header); null chooses it.</summary>
        public string KeyColumn { get; set; }
        /// <summary>Keep only subjects this accepts (called with the subject; the cmdlet matches wildcards on SubjectId and ScanId).</summary>
        public Func<AtlasSubject, bool> Filter { get; set; }
        /// <summary>0-based shard to keep when <see cref="ShardCount"/> &gt; 1.</summary>
        public int ShardIndex { get; set; }
        /// <summary>Number of shards (1 = no split).</summary>
        public int ShardCount { get; set; } = 1;
        public CancellationToken Cancellation { get; set; }
        /// <summary>
        /// When no sheet is given: use the one .csv/.xlsx sheet at the root (ATLAS R1.1 ships its sheet there);
        /// with several, use none and warn. Off by default for engine callers; the cmdlets turn it on.
        /// </summary>
        public bool FindRootSheet { get; set; }
    }

    public sealed class DatasetScanResult
    {
        public string Root { get; set; }
        public AtlasLayout Layout { get; set; }
        /// <summary>The subjects kept (after filter and shard), sorted by SubjectId then Session.</summary>
        public List<AtlasSubject> Subjects { get; } = new List<AtlasSubject>();
        /// <summary>Files under the root that belong to no subject (hidden files and documents excepted).</summary>
        public List<string> UnmatchedFiles { get; } = new List<string>();
        /// <summary>Messages for the user: unmatched files, metadata rows and subjects that did not join.</summary>
        public List<string> Warnings { get; } = new List<string>();
        /// <summary>Metadata rows that match no subject ("row 7 ('31999')"; row numbers count the header as row 1).</summary>
        public List<string> OrphanMetadataRows { get; } = new List<string>();
        /// <summary>The metadata sheet when one was given.</summary>
        public MetadataTable Metadata { get; set; }
        /// <summary>The key column used for the join (friendly name), or null.</summary>
        public string KeyColumn { get; set; }
        /// <summary>The warning about several sheets at the root (none joined), or null; part of <see cref="Warnings"/> too.</summary>
        public string RootSheetWarning { get; set; }
        /// <summary>Detail for a verbose stream: which sheet was used and why.</summary>
        public List<string> Notes { get; } = new List<string>();
        /// <summary>Subjects found before the filter and the shard split.</summary>
        public int TotalSubjects { get; set; }
    }

    /// <summary>
    /// Turns a dataset folder into AtlasSubject objects: walks the tree once, classifies every file by
    /// the ATLAS layouts (R1.1 native, R1.1/R1.2 standardized, R2.0 or plain BIDS), groups files by
    /// scan, ranks the masks, joins the metadata sheet, and applies the filter and shard split.
    /// </summary>
    public static class DatasetScanner
    {
        private const string Ext = @"(?<ext>\.nii\.gz|\.nii|\.voi)";
        private static readonly Regex NativeName = new Regex(
            @"^(?<c>c\d{4})(?<s>s\d{4})(?<t>t\d{2})(?:_Lesion(?<kind>Raw|Smooth)(?:_(?<rank>\d+))?)?" + Ext + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex StxName = new Regex(
            @"^(?<c>c\d{4})(?<s>s\d{4})(?<t>t\d{2})_(?:(?<t1>t1w(?:_deface)?)|Lesion(?<kind>Raw|Smooth)(?:_(?<rank>\d+))?)_stx" + Ext + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex IndiName = new Regex(
            @"^(?<id>[A-Za-z0-9]+)_(?:(?<t1>t1w(?:_deface)?)|Lesion(?<kind>Raw|Smooth)(?:_(?<rank>\d+))?)_stx" + Ext + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        /// <summary>The folder of a sample standardization dataset's template (New-AtlasSampleDataset -Standardization): no scan.</summary>
        public const string SampleTemplateFolder = "template";

        private static readonly Regex BidsName = new Regex(
            @"^sub-(?<sub>[A-Za-z0-9]+)(?:_ses-(?<ses>[A-Za-z0-9]+))?(?<ents>(?:_[A-Za-z]+-[A-Za-z0-9]+)*)_(?<suffix>T1w|mask)" + Ext + "$",
            RegexOptions.CultureInvariant);
        private static readonly Regex CohortDir = new Regex(@"^c\d{4}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex TimeDir = new Regex(@"^t\d{2}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex SiteDir = new Regex(@"^Site\d+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex R0nnDir = new Regex(@"^R\d{3}$", RegexOptions.CultureInvariant);
        private static readonly Regex TrailingNumber = new Regex(@"(\d+)$", RegexOptions.CultureInvariant);

        private static readonly string[] DocumentExtensions = { ".json", ".tsv", ".csv", ".xlsx", ".xls", ".xlsm", ".txt", ".md", ".pdf", ".html", ".bidsignore" };

        /// <summary>Scans a dataset root. Throws DirectoryNotFoundException when the root does not exist, NiftiFormatException (InvalidArgument) when it is a file.</summary>
        public static DatasetScanResult Scan(string root, DatasetScanOptions options = null)
        {
            options = options ?? new DatasetScanOptions();
            // A file given as the root exists: "not found" would send the user looking for the wrong fault.
            if (File.Exists(root))
                throw new Nifti.NiftiFormatException(Nifti.NiftiErrorKind.InvalidArgument, root, "is a file, not a dataset folder; give the folder that holds the dataset");
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException("Dataset folder not found: " + root);
            if (options.ShardCount < 1) throw new ArgumentException("ShardCount must be at least 1.");
            if (options.ShardIndex < 0 || options.ShardIndex >= options.ShardCount)
                throw new ArgumentException("ShardIndex must be between 0 and ShardCount - 1 (" + (options.ShardCount - 1) + ").");
            root = root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (root.Length == 0) root = Path.DirectorySeparatorChar.ToString();

            var files = new List<string>();
            Walk(root, files, options.Cancellation);
            files.Sort(StringComparer.Ordinal);

            var result = new DatasetScanResult { Root = root };
            Dictionary<string, ScanBuilder> chosen = null;
            HashSet<string> used = null;
            if (options.Layout.HasValue)
            {
                result.Layout = options.Layout.Value;
                chosen = Classify(root, files, result.Layout, out used);
            }
            else
            {
                int best = -1;
                foreach (AtlasLayout layout in new[] { AtlasLayout.Native, AtlasLayout.Standardized, AtlasLayout.Bids })
                {
                    var groups = Classify(root, files, layout, out var u);
                    int t1s = 0;
                    foreach (var g in groups.Values) if (g.T1s.Count > 0) t1s++;
                    int score = t1s * 100000 + u.Count;
                    if (score > best) { best = score; chosen = groups; used = u; result.Layout = layout; }
                }
            }

            foreach (var f in files)
            {
                if (used.Contains(f) || IsIgnorable(root, f)) continue;
                result.UnmatchedFiles.Add(f);
            }
            const int maxListed = 20;
            for (int i = 0; i < result.UnmatchedFiles.Count && i < maxListed; i++)
                result.Warnings.Add("File matches no " + result.Layout + " layout name and was skipped: " + result.UnmatchedFiles[i]);
            if (result.UnmatchedFiles.Count > maxListed)
                result.Warnings.Add("… and " + (result.UnmatchedFiles.Count - maxListed) + " more files that match no " + result.Layout + " layout name.");

            var subjects = new List<AtlasSubject>();
            foreach (var g in chosen.Values) subjects.Add(g.Build(root, result.Layout, result.Warnings));
            subjects.Sort((a, b) =>
            {
                int c = string.CompareOrdinal(a.SubjectId, b.SubjectId);
                if (c != 0) return c;
                c = a.Session.CompareTo(b.Session);
                return c != 0 ? c : string.CompareOrdinal(a.ScanId, b.ScanId);
            });
            result.TotalSubjects = subjects.Count;

            Func<AtlasSubject, bool> kept = s => (options.Filter == null || options.Filter(s))
                && (options.ShardCount <= 1 || SubjectShard.Of(s.SubjectId, options.ShardCount) == options.ShardIndex);
            if (options.Metadata == null && string.IsNullOrEmpty(options.MetadataPath) && options.FindRootSheet)
                options = WithRootSheet(root, options, result);
            if (options.Metadata != null || !string.IsNullOrEmpty(options.MetadataPath))
            {
                result.Metadata = options.Metadata ?? MetadataTable.Load(options.MetadataPath);
                // Subjects left out by -SubjectId or a shard are not this run's business: no "has no row" warning for them.
                result.KeyColumn = MetadataJoin.Join(result.Metadata, subjects, options.KeyColumn, result.Warnings, result.OrphanMetadataRows, kept);
            }

            foreach (var s in subjects)
                if (kept(s)) result.Subjects.Add(s);
            return result;
        }

        /// <summary>The .csv and .xlsx files directly under <paramref name="root"/> (not hidden, not Excel's ~$ lock files), sorted by name.</summary>
        public static List<string> RootSheets(string root)
        {
            var sheets = new List<string>();
            foreach (var f in Directory.EnumerateFiles(root))
            {
                string name = Path.GetFileName(f);
                if (name.StartsWith(".", StringComparison.Ordinal) || name.StartsWith("~$", StringComparison.Ordinal)) continue;
                string ext = Path.GetExtension(name).ToLowerInvariant();
                if (ext == ".csv" || ext == ".xlsx") sheets.Add(f);
            }
            sheets.Sort(StringComparer.Ordinal);
            return sheets;
        }

        // The options with the root's one sheet read in; the options unchanged (and a warning) when there are several or it cannot be read.
        private static DatasetScanOptions WithRootSheet(string root, DatasetScanOptions options, DatasetScanResult result)
        {
            var sheets = RootSheets(root);
            if (sheets.Count == 0) return options;
            if (sheets.Count > 1)
            {
                result.RootSheetWarning = root + " holds " + sheets.Count + " metadata sheets (" + string.Join(", ", sheets.ConvertAll(Path.GetFileName))
                    + "); none was joined. Name one with -MetadataPath.";
                result.Warnings.Add(result.RootSheetWarning);
                return options;
            }
            MetadataTable table;
            try { table = MetadataTable.Load(sheets[0]); }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is ArgumentException || ex is UnauthorizedAccessException)
            {
                result.Warnings.Add("The metadata sheet found at the dataset root was not joined: " + ex.Message);
                return options;
            }
            result.Notes.Add("Using the metadata sheet at the dataset root, " + sheets[0] + " (no -MetadataPath given).");
            return new DatasetScanOptions
            {
                Layout = options.Layout, Metadata = table, KeyColumn = options.KeyColumn, Filter = options.Filter,
                ShardIndex = options.ShardIndex, ShardCount = options.ShardCount, Cancellation = options.Cancellation,
            };
        }

        /// <summary>The rank of a mask file by its name: 0 for the primary (no number), N for _N (native, INDI) or a trailing number in desc-/run- (BIDS).</summary>
        public static int MaskRank(string path)
        {
            string name = Path.GetFileName(path);
            Match m = NativeName.Match(name);
            if (!m.Success) m = StxName.Match(name);
            if (!m.Success) m = IndiName.Match(name);
            if (m.Success) return m.Groups["rank"].Success ? int.Parse(m.Groups["rank"].Value) : 0;
            m = BidsName.Match(name);
            if (m.Success) return BidsRank(m.Groups["ents"].Value);
            return 0;
        }

        /// <summary>
        /// The scan and mask a file's name alone identifies (R1.1 native and _stx names, BIDS names, INDI names in
        /// their folders); null when the name says nothing. Used for files given by path, so their records still
        /// carry SubjectId and Rank. When the file also sits in its layout's folders, as the scanner reads them (native
        /// &lt;root&gt;/c0001/c0001s0001t01/ or &lt;root&gt;/c0001/c0001s0001/t01/, INDI &lt;root&gt;/Site1/031768/t01/, BIDS &lt;root&gt;/sub-X[/ses-Y]/anat/),
        /// <see cref="FileProvenance.DatasetRoot"/> is that root, so a dataset is never written even in a session that
        /// did not read it with Get-AtlasSubject; a loose file (no such folders) has none.
        /// </summary>
        public static FileProvenance IdentifyFile(string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            string name = Path.GetFileName(path);
            Match m = NativeName.Match(name);
            if (!m.Success) m = StxName.Match(name);
            if (m.Success)
            {
                string c = m.Groups["c"].Value.ToLowerInvariant(), subject = m.Groups["s"].Value.ToLowerInvariant(), t = m.Groups["t"].Value.ToLowerInvariant();
                string scan = c + subject + t;
                // The layout's folders (those the scanner reads): the root lies above the cohort folder.
                int depth = ScanFolderDepth(path, c, subject, t);
                return new FileProvenance
                {
                    SubjectId = scan, ScanId = scan, Cohort = c, Session = ParseSession(t), DatasetRoot = depth > 0 ? Ancestor(path, depth + 1) : null,
                    MaskKind = MaskKindOf(m), Rank = ProvenanceRank(m),
                };
            }
            m = IndiName.Match(name);
            if (m.Success)
            {
                // The INDI standardized layout (as the scanner reads it): <root>/<SiteN>/<id>/<tNN>/<file>.
                string id = m.Groups["id"].Value;
                if (InIndiFolder(path, id, out string t, out string site))
                {
                    return new FileProvenance
                    {
                        SubjectId = id, ScanId = id + "_" + t, Cohort = site, Session = ParseSession(t), DatasetRoot = Ancestor(path, 4),
                        MaskKind = MaskKindOf(m), Rank = ProvenanceRank(m),
                    };
                }
            }
            m = BidsName.Match(name);
            if (!m.Success) return null;
            string sub = m.Groups["sub"].Value, ses = m.Groups["ses"].Success ? m.Groups["ses"].Value : null;
            bool isMask = m.Groups["suffix"].Value == "mask";
            // BIDS folders: <root>/sub-X[/ses-Y]/anat/<file>; the root is the folder that holds sub-X.
            int up = ses == null ? 2 : 3;
            string bidsRoot = string.Equals(Parent(path, 1), "anat", StringComparison.Ordinal)
                && (ses == null || string.Equals(Parent(path, 2), "ses-" + ses, StringComparison.Ordinal))
                && string.Equals(Parent(path, up), "sub-" + sub, StringComparison.Ordinal) ? Ancestor(path, up + 1) : null;
            return new FileProvenance
            {
                DatasetRoot = bidsRoot,
                SubjectId = "sub-" + sub, ScanId = ses == null ? "sub-" + sub : "sub-" + sub + "_ses-" + ses,
                Session = ses == null ? 1 : ParseSession(ses),
                MaskKind = isMask ? nameof(MaskKind.Lesion) : null, Rank = isMask ? BidsRank(m.Groups["ents"].Value) + 1 : (int?)null,
            };
        }

        /// <summary>LesionRaw or LesionSmooth from a native, _stx or INDI name's kind group; null for a T1.</summary>
        private static string MaskKindOf(Match m)
        {
            if (!m.Groups["kind"].Success) return null;
            string k = m.Groups["kind"].Value;
            return "Lesion" + char.ToUpperInvariant(k[0]) + k.Substring(1).ToLowerInvariant();
        }

        /// <summary>1 for the primary mask, N + 1 for _N; null for a T1 (the provenance rank of a named mask).</summary>
        private static int? ProvenanceRank(Match m) =>
            m.Groups["kind"].Success ? (m.Groups["rank"].Success ? int.Parse(m.Groups["rank"].Value, CultureInfo.InvariantCulture) : 0) + 1 : (int?)null;

        // ------------------------------------------------------------------ walking

        private static void Walk(string dir, List<string> files, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var f in Directory.EnumerateFiles(dir))
            {
                string name = Path.GetFileName(f);
                if (name.Length > 0 && name[0] == '.' && !name.Equals(".bidsignore", StringComparison.OrdinalIgnoreCase)) continue;
                files.Add(f);
            }
            foreach (var d in Directory.EnumerateDirectories(dir))
            {
                string name = Path.GetFileName(d);
                if (name.Length > 0 && name[0] == '.') continue;
                Walk(d, files, ct);
            }
        }

        private static bool IsIgnorable(string root, string file)
        {
            string name = Path.GetFileName(file);
            string lower = name.ToLowerInvariant();
            if (lower.StartsWith("readme") || lower.StartsWith("changes") || lower.StartsWith("license")) return true;
            // A sample standardization dataset's template (New-AtlasSampleDataset -Standardization) is no scan.
            if (file.Length > root.Length + 1)
            {
                string rel = file.Substring(root.Length + 1).Replace('\\', '/');
                if (rel.StartsWith(SampleTemplateFolder + "/", StringComparison.OrdinalIgnoreCase)) return true;
            }
            foreach (var e in DocumentExtensions) if (lower.EndsWith(e)) return true;
            return false;
        }

        // ------------------------------------------------------------------ classification

        /// <summary>Files grouped by scan for one layout; <paramref name="used"/> gets every file that was placed.</summary>
        private static Dictionary<string, ScanBuilder> Classify(string root, List<string> files, AtlasLayout layout, out HashSet<string> used)
        {
            var groups = new Dictionary<string, ScanBuilder>(StringComparer.OrdinalIgnoreCase);
            used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in files)
            {
                bool ok;
                switch (layout)
                {
                    case AtlasLayout.Native: ok = ClassifyNative(f, groups); break;
                    case AtlasLayout.Standardized: ok = ClassifyStx(f, groups) || ClassifyIndi(f, groups); break;
                    default: ok = ClassifyBids(root, f, groups); break;
                }
                if (ok) used.Add(f);
            }
            return groups;
        }

        /// <summary>The full path of the folder <paramref name="up"/> levels above <paramref name="path"/>, or null.</summary>
        private static string Ancestor(string path, int up)
        {
            string p = path;
            for (int i = 0; i < up && !string.IsNullOrEmpty(p); i++) p = Path.GetDirectoryName(p);
            return string.IsNullOrEmpty(p) ? null : p;
        }

        private static string Parent(string path, int up)
        {
            string p = path;
            for (int i = 0; i < up && p != null; i++) p = Path.GetDirectoryName(p);
            return p == null ? null : Path.GetFileName(p);
        }

        private static bool ClassifyNative(string f, Dictionary<string, ScanBuilder> groups)
        {
            var m = NativeName.Match(Path.GetFileName(f));
            if (!m.Success) return false;
            string c = m.Groups["c"].Value.ToLowerInvariant(), s = m.Groups["s"].Value.ToLowerInvariant(), t = m.Groups["t"].Value.ToLowerInvariant();
            string scan = c + s + t;
            if (ScanFolderDepth(f, c, s, t) == 0) return false;
            var g = Group(groups, scan, () => new ScanBuilder { SubjectId = scan, ScanId = scan, Cohort = c, Subject = s, Session = ParseSession(t), Space = AtlasSpace.Native });
            g.Directory = g.Directory ?? Path.GetDirectoryName(f);
            AddFile(g, f, m);
            return true;
        }

        /// <summary>
        /// How many folders above the file its cohort folder is, when the file lies in a scan folder
        /// cXXXX/cXXXXsXXXXtXX/ (2) or cXXXX/cXXXXsXXXX/tXX/ (3); 0 when it does not.
        /// </summary>
        private static int ScanFolderDepth(string f, string c, string s, string t)
        {
            string p1 = Parent(f, 1), p2 = Parent(f, 2), p3 = Parent(f, 3);
            if (string.Equals(p1, c + s + t, StringComparison.OrdinalIgnoreCase) && p2 != null && string.Equals(p2, c, StringComparison.OrdinalIgnoreCase)) return 2;
            if (string.Equals(p1, t, StringComparison.OrdinalIgnoreCase) && string.Equals(p2, c + s, StringComparison.OrdinalIgnoreCase)
                && string.Equals(p3, c, StringComparison.OrdinalIgnoreCase)) return 3;
            return 0;
        }

        /// <summary>True when the file lies in SiteN/&lt;id&gt;/tNN/ (the INDI layout); <paramref name="t"/> is the time folder in lower case.</summary>
        private static bool InIndiFolder(string f, string id, out string t, out string site)
        {
            t = Parent(f, 1); site = Parent(f, 3);
            bool ok = t != null && TimeDir.IsMatch(t) && string.Equals(Parent(f, 2), id, StringComparison.OrdinalIgnoreCase) && site != null && SiteDir.IsMatch(site);
            t = t?.ToLowerInvariant();
            return ok;
        }

        private static bool ClassifyStx(string f, Dictionary<string, ScanBuilder> groups)
        {
            var m = StxName.Match(Path.GetFileName(f));
            if (!m.Success) return false;
            string c = m.Groups["c"].Value.ToLowerInvariant(), s = m.Groups["s"].Value.ToLowerInvariant(), t = m.Groups["t"].Value.ToLowerInvariant();
            if (ScanFolderDepth(f, c, s, t) == 0) return false;
            string scan = c + s + t;
            var g = Group(groups, scan, () => new ScanBuilder { SubjectId = scan, ScanId = scan, Cohort = c, Subject = s, Session = ParseSession(t), Space = AtlasSpace.MNI152 });
            g.Directory = g.Directory ?? Path.GetDirectoryName(f);
            AddFile(g, f, m);
            return true;
        }

        private static bool ClassifyIndi(string f, Dictionary<string, ScanBuilder> groups)
        {
            var m = IndiName.Match(Path.GetFileName(f));
            if (!m.Success) return false;
            string id = m.Groups["id"].Value;
            if (!InIndiFolder(f, id, out string t, out string site)) return false;
            string key = site + "/" + id + "/" + t;
            var g = Group(groups, key, () => new ScanBuilder { SubjectId = id, ScanId = id + "_" + t, Cohort = site, Subject = id, Session = ParseSession(t), Space = AtlasSpace.MNI152 });
            g.Directory = g.Directory ?? Path.GetDirectoryName(f);
            AddFile(g, f, m);
            return true;
        }

        private static bool ClassifyBids(string root, string f, Dictionary<string, ScanBuilder> groups)
        {
            var m = BidsName.Match(Path.GetFileName(f));
            if (!m.Success) return false;
            string sub = m.Groups["sub"].Value;
            string ses = m.Groups["ses"].Success ? m.Groups["ses"].Value : null;
            string ents = m.Groups["ents"].Value;
            bool isT1 = m.Groups["suffix"].Value == "T1w";
            if (!isT1 && ents.IndexOf("label-L", StringComparison.Ordinal) < 0 && ents.IndexOf("lesion", StringComparison.OrdinalIgnoreCase) < 0) return false;
            // The file must sit in sub-X[/ses-Y]/anat (a raw tree or a derivatives tree).
            string p1 = Parent(f, 1), p2 = Parent(f, 2), p3 = Parent(f, 3);
            if (!string.Equals(p1, "anat", StringComparison.Ordinal)) return false;
            if (ses != null ? !(p2 == "ses-" + ses && p3 == "sub-" + sub) : p2 != "sub-" + sub) return false;
            bool derivative = f.Substring(root.Length).Replace('\\', '/').IndexOf("/derivatives/", StringComparison.Ordinal) >= 0;
            // The R2.0 cohort folder (R001 …) above the subject, when there is one.
            string cohort = null;
            for (string d = Path.GetDirectoryName(f); d != null && d.Length > root.Length; d = Path.GetDirectoryName(d))
            {
                if (R0nnDir.IsMatch(Path.GetFileName(d))) { cohort = Path.GetFileName(d); break; }
            }
            string key = "sub-" + sub + "_ses-" + (ses ?? "");
            var g = Group(groups, key, () => new ScanBuilder
            {
                SubjectId = "sub-" + sub,
                ScanId = ses == null ? "sub-" + sub : "sub-" + sub + "_ses-" + ses,
                Subject = sub,
                Session = ses == null ? 1 : ParseSession(ses),
                Space = AtlasSpace.Native,
            });
            if (cohort != null && g.Cohort == null) g.Cohort = cohort;
            if (isT1)
            {
                g.T1s.Add(f);
                if (g.Directory == null || !derivative) g.Directory = Path.GetDirectoryName(f);
                var sp = Regex.Match(ents, @"_space-([A-Za-z0-9]+)");
                if (sp.Success && sp.Groups[1].Value.StartsWith("MNI", StringComparison.OrdinalIgnoreCase)) g.Space = AtlasSpace.MNI152;
            }
            else
            {
                if (g.Directory == null) g.Directory = Path.GetDirectoryName(f);
                MaskVariant kind = ents.IndexOf("raw", StringComparison.OrdinalIgnoreCase) >= 0 ? MaskVariant.Raw
                    : ents.IndexOf("smooth", StringComparison.OrdinalIgnoreCase) >= 0 ? MaskVariant.Smooth : MaskVariant.Any;
                g.Masks.Add(new MaskFile { Path = f, Kind = kind, Rank = BidsRank(ents), Ext = m.Groups["ext"].Value.ToLowerInvariant() });
            }
            return true;
        }

        /// <summary>BIDS mask rank: run-N → N-1; a desc value ending in digits (desc-lesion2) → that number; else 0.</summary>
        private static int BidsRank(string ents)
        {
            int best = 0;
            foreach (Match e in Regex.Matches(ents, @"_(desc|run)-([A-Za-z0-9]+)"))
            {
                string v = e.Groups[2].Value;
                var n = TrailingNumber.Match(v);
                if (!n.Success) continue;
                if (e.Groups[1].Value == "run") best = Math.Max(best, int.Parse(n.Value) - 1);
                else if (n.Length < v.Length && !Regex.IsMatch(v, @"^T\d$")) best = Math.Max(best, int.Parse(n.Value));
            }
            return best;
        }

        private static ScanBuilder Group(Dictionary<string, ScanBuilder> groups, string key, Func<ScanBuilder> make)
        {
            if (!groups.TryGetValue(key, out var g)) { g = make(); groups[key] = g; }
            return g;
        }

        private static void AddFile(ScanBuilder g, string f, Match m)
        {
            if (!m.Groups["kind"].Success) { g.T1s.Add(f); return; }
            g.Masks.Add(new MaskFile
            {
                Path = f,
                Kind = string.Equals(m.Groups["kind"].Value, "Raw", StringComparison.OrdinalIgnoreCase) ? MaskVariant.Raw : MaskVariant.Smooth,
                Rank = m.Groups["rank"].Success ? int.Parse(m.Groups["rank"].Value) : 0,
                Ext = m.Groups["ext"].Value.ToLowerInvariant(),
            });
        }

        /// <summary>t01 → 1, ses-2 → 2, "3" → 3; the digits of a label, else 1.</summary>
        public static int ParseSession(string label)
        {
            if (string.IsNullOrEmpty(label)) return 1;
            var n = Regex.Match(label, @"\d+");
            return n.Success && int.TryParse(n.Value, out int v) ? v : 1;
        }

        // ------------------------------------------------------------------ building subjects

        // Which masks a file is, as the layout names them (the subject then exposes them by MaskKind).
        private enum MaskVariant { Any, Raw, Smooth }

        private sealed class MaskFile
        {
            public string Path;
            public MaskVariant Kind;
            public int Rank;
            public string Ext;
        }

        private sealed class ScanBuilder
        {
            public string SubjectId, ScanId, Cohort, Subject, Directory;
            public int Session;
            public AtlasSpace Space;
            public readonly List<string> T1s = new List<string>();
            public readonly List<MaskFile> Masks = new List<MaskFile>();

            public AtlasSubject Build(string root, AtlasLayout layout, List<string> warnings)
            {
                T1s.Sort(StringComparer.Ordinal);
                if (T1s.Count > 1) warnings.Add(ScanId + ": " + T1s.Count + " T1 images; using " + T1s[0]);
                var smooth = Pick(MaskVariant.Smooth);
                var raw = Pick(MaskVariant.Raw);
                var any = Pick(MaskVariant.Any);
                string[] lesion = smooth.Length > 0 ? smooth : any.Length > 0 ? any : raw;
                return new AtlasSubject
                {
                    SubjectId = SubjectId,
                    ScanId = ScanId,
                    Cohort = Cohort,
                    Subject = Subject,
                    Session = Session,
                    Layout = layout,
                    Space = Space,
                    Root = root,
                    Directory = Directory,
                    T1Path = T1s.Count > 0 ? T1s[0] : null,
                    LesionMaskPaths = lesion,
                    RawLesionMaskPaths = raw,
                    SmoothLesionMaskPaths = smooth,
                };
            }

            /// <summary>One file per rank (by rank; .nii.gz preferred, then .nii, then .voi).</summary>
            private string[] Pick(MaskVariant kind)
            {
                var byRank = new SortedDictionary<int, MaskFile>();
                foreach (var m in Masks)
                {
                    if (m.Kind != kind) continue;
                    if (!byRank.TryGetValue(m.Rank, out var cur) || Preference(m.Ext) < Preference(cur.Ext)
                        || Preference(m.Ext) == Preference(cur.Ext) && string.CompareOrdinal(m.Path, cur.Path) < 0)
                        byRank[m.Rank] = m;
                }
                var result = new string[byRank.Count];
                int i = 0;
                foreach (var kv in byRank) result[i++] = kv.Value.Path;
                return result;
            }

            private static int Preference(string ext) => ext == ".nii.gz" ? 0 : ext == ".nii" ? 1 : 2;
        }
    }
}
