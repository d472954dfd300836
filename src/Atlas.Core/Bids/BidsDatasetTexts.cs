using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using Atlas.Core.Datasets;
using Atlas.Core.Text;

namespace Atlas.Core.Bids
{
    /// <summary>
    /// The text files of the converted dataset: dataset_description.json (raw and derivative), README,
    /// CHANGES, .bidsignore, participants.tsv/.json, sessions tables, sidecars and the mapping file.
    /// Contents are deterministic (no dates, sorted rows), so a rerun finds them identical.
    /// </summary>
    internal sealed class BidsDatasetTexts
    {
        public const string BidsVersion = "1.8.0";

        internal static readonly string[] References =
        {
            "Liew SL, et al. A large, open source dataset of stroke anatomical brain images and manual lesion segmentations. Sci Data 5, 180011 (2018). doi:10.1038/sdata.2018.11",
            "Liew SL, et al. A large, curated, open-source stroke neuroimaging dataset to improve lesion segmentation algorithms. Sci Data 9, 320 (2022). doi:10.1038/s41597-022-01401-7",
        };

        private readonly BidsConvertOptions _o;
        private readonly BidsPlan _plan;
        private readonly string _root;
        private readonly Func<string> _mapping;

        public BidsDatasetTexts(BidsConvertOptions o, BidsPlan plan, string root, Func<string> mapping)
        {
            _o = o; _plan = plan; _root = root; _mapping = mapping;
        }

        private JsonObject GeneratedBy(string description)
        {
            var g = new JsonObject();
            g.Add("Name", _o.GeneratorName);
            g.Add("Version", _o.GeneratorVersion);
            g.Add("Description", description);
            return g;
        }

        // ------------------------------------------------------------------ head

        public void AddHeadFiles(BidsPlan plan, bool anyMask, BidsConverter c)
        {
            var d = c.NewFile("dataset_description.json", BidsFileOperation.Text, "dataset description");
            d.Text = () => OrderedJson.Serialize(RawDescription());
            plan.HeadFiles.Add(d);

            var readme = c.NewFile("README", BidsFileOperation.Text, "README");
            readme.KeepExisting = true;
            readme.Text = Readme;
            plan.HeadFiles.Add(readme);

            var changes = c.NewFile("CHANGES", BidsFileOperation.Text, "CHANGES");
            changes.KeepExisting = true;
            changes.Text = () => "1.0.0\n  - Converted from the ATLAS release layout to BIDS by " + _o.GeneratorName + " " + _o.GeneratorVersion + " (Convert-AtlasToBids).\n";
            plan.HeadFiles.Add(changes);

            if (!anyMask) return;
            if (_o.MaskPlacement == BidsMaskPlacement.Derivatives)
            {
                var dd = c.NewFile(BidsConverter.LesionDerivative + "/dataset_description.json", BidsFileOperation.Text, "derivative dataset description");
                dd.Text = () => OrderedJson.Serialize(DerivativeDescription());
                plan.HeadFiles.Add(dd);
            }
            else
            {
                var ignore = c.NewFile(".bidsignore", BidsFileOperation.Text, ".bidsignore");
                string path = ignore.FullPath;
                ignore.Text = () => BidsIgnore(path);
                plan.HeadFiles.Add(ignore);
            }
        }

        private JsonObject RawDescription()
        {
            var j = new JsonObject();
            j.Add("Name", string.IsNullOrEmpty(_o.DatasetName) ? "ATLAS (Anatomical Tracings of Lesions After Stroke), converted to BIDS" : _o.DatasetName);
            j.Add("BIDSVersion", BidsVersion);
            j.Add("DatasetType", "raw");
            j.Add("License", string.IsNullOrEmpty(_o.License) ? "The data use agreement of the ATLAS release the sources came from" : _o.License);
            j.Add("Authors", _o.Authors != null && _o.Authors.Length > 0 ? _o.Authors : new[] { "Sook-Lei Liew", "the ATLAS team (ENIGMA Stroke Recovery Working Group)" });
            j.Add("HowToAcknowledge", "Cite the ATLAS paper of the release used: Liew et al. 2018 (R1.1) or Liew et al. 2022 (R2.0); see ReferencesAndLinks.");
            j.Add("ReferencesAndLinks", References);
            j.Add("GeneratedBy", new[] { GeneratedBy("Convert-AtlasToBids: converted from the ATLAS release layout") });
            return j;
        }

        private JsonObject DerivativeDescription()
        {
            var j = new JsonObject();
            j.Add("Name", "ATLAS lesion masks");
            j.Add("BIDSVersion", BidsVersion);
            j.Add("DatasetType", "derivative");
            j.Add("GeneratedBy", new object[]
            {
                new JsonObject { { "Name", "Manual" }, { "Description", "Lesions traced by hand on the T1w images by the ATLAS tracers (Liew et al.)" } },
                GeneratedBy("Convert-AtlasToBids: masks copied or merged from the ATLAS release"),
            });
            j.Add("SourceDatasets", new[] { new JsonObject { { "URL", "../../" } } });
            j.Add("DatasetLinks", new JsonObject { { "raw", "../../" } });
            j.Add("ReferencesAndLinks", References);
            return j;
        }

        private string Readme()
        {
            var sb = new StringBuilder();
            sb.Append("# ATLAS (Anatomical Tracings of Lesions After Stroke) in BIDS\n\n");
            sb.Append("T1-weighted MRIs of chronic stroke with hand-traced lesion masks, converted from the ATLAS release layout\n");
            sb.Append("to BIDS by ").Append(_o.GeneratorName).Append(' ').Append(_o.GeneratorVersion).Append(" (Convert-AtlasToBids).\n\n");
            sb.Append("## Layout\n\n");
            sb.Append("- `sub-<label>/ses-<n>/anat/*_T1w.nii.gz`: the T1w images; `ses-<n>` is the ATLAS time point (t01 is ses-1).\n");
            if (_o.MaskPlacement == BidsMaskPlacement.Derivatives)
                sb.Append("- `derivatives/lesions/`: the lesion masks (`_label-L_desc-T1lesion_mask.nii.gz`, all lesions of a scan merged;\n  `label-L1`, `label-L2` … one per lesion, largest first, where kept separate; `desc-T1lesionRaw` for unsmoothed masks).\n");
            else
                sb.Append("- Lesion masks next to the T1w (`_label-L_desc-T1lesion_mask.nii.gz`) as the ATLAS R2.0 release has them;\n  `.bidsignore` keeps them out of validation, as BIDS has no raw lesion-mask files.\n");
            sb.Append("- `participants.tsv`/`participants.json`: the ATLAS metadata sheet, one row per participant (first session).\n");
            sb.Append("- `sourcedata/atlas_to_bids.tsv`: every source file, the BIDS file made from it, and SHA-256 checksums.\n\n");
            sb.Append("## References\n\n");
            foreach (var r in References) sb.Append("- ").Append(r).Append('\n');
            return sb.ToString();
        }

        private static readonly string[] IgnoreLines =
        {
            "# Lesion masks next to the T1w as in ATLAS R2.0 (BIDS has no raw lesion-mask suffix); written by Convert-AtlasToBids",
            "*_desc-T1lesion*_mask.nii.gz",
            "*_desc-T1lesion*_mask.json",
        };

        /// <summary>The existing .bidsignore (user lines kept) plus our lines where missing.</summary>
        private static string BidsIgnore(string path)
        {
            var lines = new List<string>();
            if (File.Exists(path))
                foreach (var l in File.ReadAllLines(path)) lines.Add(l.TrimEnd('\r'));
            while (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
            foreach (var l in IgnoreLines) if (!lines.Contains(l)) lines.Add(l);
            return string.Join("\n", lines) + "\n";
        }

        // ------------------------------------------------------------------ sidecars

        /// <summary>The T1w sidecar from the metadata: MagneticFieldStrength, Manufacturer, ManufacturersModelName; nothing invented.</summary>
        public static JsonObject T1wSidecar(AtlasSubject s)
        {
            var j = new JsonObject();
            object strength = FirstMeta(s, "ScannerStrength", "MagneticFieldStrength", "FieldStrength", "ScannerFieldStrength");
            double? tesla = ParseTesla(strength);
            if (tesla.HasValue) j.Add("MagneticFieldStrength", tesla.Value);
            object brand = FirstMeta(s, "ScannerBrand", "Manufacturer", "ScannerManufacturer");
            if (brand != null && BidsTable.Cell(brand) != "n/a") j.Add("Manufacturer", BidsTable.Cell(brand));
            object model = FirstMeta(s, "ScannerModel", "ManufacturersModelName");
            if (model != null && BidsTable.Cell(model) != "n/a") j.Add("ManufacturersModelName", BidsTable.Cell(model));
            return j;
        }

        private static object FirstMeta(AtlasSubject s, params string[] names)
        {
            foreach (var n in names) { var v = s.GetMetadata(n); if (v != null) return v; }
            return null;
        }

        private static readonly Regex Number = new Regex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*(t|tesla)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>3, 1.5, "3T", "1.5 T" → tesla; anything else (e.g. "unknown") → null.</summary>
        internal static double? ParseTesla(object v)
        {
            switch (v)
            {
                case null: return null;
                case double d: return d > 0 && d < 20 ? d : (double?)null;
                case float f: return f > 0 && f < 20 ? f : (double?)null;
                case int i: return i > 0 && i < 20 ? i : (double?)null;
                case long l: return l > 0 && l < 20 ? l : (double?)null;
                case decimal m: return m > 0 && m < 20 ? (double)m : (double?)null;
            }
            var match = Number.Match(v.ToString());
            if (!match.Success) return null;
            double t = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return t > 0 && t < 20 ? t : (double?)null;
        }

        public static JsonObject MaskSidecar(BidsScanPlan scan, string role, string desc, int sourceCount)
        {
            var j = new JsonObject();
            j.Add("Type", "Lesion");
            string what = desc == BidsConverter.RawMaskDesc ? "hand-traced lesion mask before smoothing" : "lesion mask";
            j.Add("Description", sourceCount > 1
                ? "ATLAS " + what + ": the union of the scan's " + sourceCount + " lesion masks"
                : "ATLAS " + what + " (" + role + ")");
            j.Add("Sources", new[] { "bids:raw:" + scan.T1wRelativePath });
            return j;
        }

        // ------------------------------------------------------------------ tail

        private static readonly HashSet<string> SkippedColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Session", "SessionId", "TimePoint" };

        private sealed class Column
        {
            public string Name;       // snake_case BIDS column
            public string Key;        // AtlasSubject.Metadata key
            public string Header;     // the sheet's header
            public bool PerSession;
        }

        public void AddTailFiles(BidsPlan plan, BidsConverter c)
        {
            // The metadata columns, in sheet order across all scans.
            var columns = new List<Column>();
            var byName = new Dictionary<string, Column>(StringComparer.Ordinal);
            bool anyCohort = false;
            foreach (var scan in plan.Scans)
            {
                if (!string.IsNullOrEmpty(scan.Subject.Cohort)) anyCohort = true;
                if (scan.Subject.Metadata == null) continue;
                foreach (var kv in scan.Subject.Metadata)
                {
                    if (SkippedColumns.Contains(kv.Key)) continue;
                    bool known = false;
                    foreach (var col in columns) if (string.Equals(col.Key, kv.Key, StringComparison.OrdinalIgnoreCase)) { known = true; break; }
                    if (known) continue;
                    string name = BidsNames.SnakeCase(kv.Key);
                    if (name.Length == 0 || name == "participant_id" || name == "session_id" || name == "cohort") continue;
                    string unique = name;
                    for (int k = 2; byName.ContainsKey(unique); k++) unique = name + "_" + k;
                    string header = scan.Subject.MetadataHeaders != null && scan.Subject.MetadataHeaders.TryGetValue(kv.Key, out var h) ? h : kv.Key;
                    var cnew = new Column { Name = unique, Key = kv.Key, Header = header };
                    columns.Add(cnew);
                    byName[unique] = cnew;
                }
            }

            // Scans per participant (plan.Scans is sorted by label, then session).
            var groups = new List<List<BidsScanPlan>>();
            foreach (var scan in plan.Scans)
            {
                if (groups.Count > 0 && groups[groups.Count - 1][0].SubjectLabel == scan.SubjectLabel) groups[groups.Count - 1].Add(scan);
                else groups.Add(new List<BidsScanPlan> { scan });
            }
            foreach (var g in groups)
            {
                if (g.Count < 2) continue;
                foreach (var col in columns)
                {
                    string first = BidsTable.Cell(g[0].Subject.GetMetadata(col.Key));
                    for (int i = 1; i < g.Count; i++)
                        if (BidsTable.Cell(g[i].Subject.GetMetadata(col.Key)) != first) col.PerSession = true;
                }
            }

            var pt = c.NewFile("participants.tsv", BidsFileOperation.Text, "participants table");
            string ptPath = pt.FullPath;
            BidsTable participants = null;
            Func<BidsTable> table = () => participants ?? (participants = Participants(groups, columns, anyCohort, ptPath));
            pt.Text = () => table().ToText();
            plan.TailFiles.Add(pt);

            var pj = c.NewFile("participants.json", BidsFileOperation.Text, "participants description");
            pj.Text = () => OrderedJson.Serialize(ParticipantsJson(table(), columns));
            plan.TailFiles.Add(pj);

            var perSession = columns.FindAll(x => x.PerSession);
            foreach (var g in groups)
            {
                if (g.Count < 2) continue;
                string label = g[0].SubjectLabel;
                var st = c.NewFile("sub-" + label + "/sub-" + label + "_sessions.tsv", BidsFileOperation.Text, "sessions table");
                var rows = g;
                st.Text = () =>
                {
                    var t = new BidsTable(new[] { "session_id" });
                    foreach (var col in perSession) t.EnsureColumn(col.Name);
                    foreach (var scan in rows)
                    {
                        var cells = new List<string> { scan.BidsSession };
                        foreach (var col in perSession) cells.Add(BidsTable.Cell(scan.Subject.GetMetadata(col.Key)));
                        t.AddRow(cells.ToArray());
                    }
                    return t.ToText();
                };
                plan.TailFiles.Add(st);
                if (perSession.Count > 0)
                {
                    var sj = c.NewFile("sub-" + label + "/sub-" + label + "_sessions.json", BidsFileOperation.Text, "sessions description");
                    sj.Text = () =>
                    {
                        var values = new Dictionary<string, List<string>>();
                        foreach (var col in perSession)
                        {
                            var l = new List<string>();
                            foreach (var scan in rows) l.Add(BidsTable.Cell(scan.Subject.GetMetadata(col.Key)));
                            values[col.Name] = l;
                        }
                        var j = new JsonObject();
                        j.Add("session_id", new JsonObject { { "Description", "BIDS session label: the ATLAS time point (t01 is ses-1)" } });
                        foreach (var col in perSession) j.Add(col.Name, DescribeColumn(col, values[col.Name]));
                        return OrderedJson.Serialize(j);
                    };
                    plan.TailFiles.Add(sj);
                }
            }

            var map = c.NewFile(BidsConverter.MappingPath, BidsFileOperation.Text, "source-to-BIDS mapping");
            map.Text = _mapping;
            plan.TailFiles.Add(map);
        }

        /// <summary>
        /// One row per participant from its first session. Rows of participants this run does not
        /// convert (another shard's) are kept from the existing participants.tsv.
        /// </summary>
        private BidsTable Participants(List<List<BidsScanPlan>> groups, List<Column> columns, bool anyCohort, string existingPath)
        {
            var t = new BidsTable(new[] { "participant_id" });
            if (anyCohort) t.EnsureColumn("cohort");
            foreach (var col in columns) t.EnsureColumn(col.Name);
            var mine = new HashSet<string>(StringComparer.Ordinal);
            var rows = new List<string[]>();
            foreach (var g in groups)
            {
                var s = g[0].Subject;
                mine.Add(g[0].BidsSubject);
                var cells = new List<string> { g[0].BidsSubject };
                if (anyCohort) cells.Add(BidsTable.Cell(s.Cohort));
                foreach (var col in columns) cells.Add(BidsTable.Cell(s.GetMetadata(col.Key)));
                t.AddRow(cells.ToArray());
            }
            BidsTable old = null;
            try { old = BidsTable.Read(existingPath); } catch (IOException) { }
            if (old != null && old.IndexOf("participant_id") >= 0)
            {
                int pid = old.IndexOf("participant_id");
                foreach (var r in old.Rows)
                {
                    if (mine.Contains(r[pid])) continue;
                    // Keep the participant only while its folder exists (a deleted subject leaves the table).
                    if (!Directory.Exists(Path.Combine(_root, r[pid]))) continue;
                    var cells = new string[t.Columns.Count];
                    for (int i = 0; i < cells.Length; i++) cells[i] = "n/a";
                    for (int i = 0; i < old.Columns.Count; i++)
                    {
                        int at = t.EnsureColumn(old.Columns[i]);
                        if (at >= cells.Length) Array.Resize(ref cells, t.Columns.Count);
                        cells[at] = r[i];
                    }
                    for (int i = 0; i < cells.Length; i++) if (cells[i] == null) cells[i] = "n/a";
                    t.AddRow(cells);
                }
            }
            int p = t.IndexOf("participant_id");
            t.Rows.Sort((a, b) => string.CompareOrdinal(a[p], b[p]));
            return t;
        }

        private JsonObject ParticipantsJson(BidsTable t, List<Column> columns)
        {
            var j = new JsonObject();
            j.Add("participant_id", new JsonObject { { "Description", "BIDS participant label, from the ATLAS subject identifier (cohort and subject, e.g. c0001s0002)" } });
            foreach (var name in t.Columns)
            {
                if (name == "participant_id") continue;
                int ix = t.IndexOf(name);
                var values = new List<string>();
                foreach (var r in t.Rows) values.Add(r[ix]);
                if (name == "cohort")
                {
                    j.Add(name, DescribeColumn(new Column { Name = name, Key = "Cohort", Header = "Cohort" }, values,
                        "ATLAS cohort (research site) or INDI site the participant's scans come from"));
                    continue;
                }
                var col = columns.Find(x => x.Name == name) ?? new Column { Name = name, Key = name, Header = name };
                j.Add(name, DescribeColumn(col, values));
            }
            return j;
        }

        // What we know about the published ATLAS columns (R1.1 and R2.0 sheets); others get their sheet header.
        private static readonly Dictionary<string, string> KnownDescriptions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            { "Pvh", "Fazekas score of periventricular white-matter hyperintensities (0-3)" },
            { "Dwmh", "Fazekas score of deep white-matter hyperintensities (0-3)" },
            { "StrokeType", "Type of stroke" },
            { "VascularTerritory", "Vascular territory of the primary lesion" },
            { "PrimaryStrokeLocation", "Location of the primary lesion" },
            { "PrimaryStrokeLocationHemisphere", "Hemisphere of the primary lesion" },
            { "PrimaryStrokeHemisphere", "Hemisphere of the primary lesion" },
            { "Hemisphere", "Hemisphere of the primary lesion" },
            { "ScannerStrength", "Magnetic field strength of the scanner" },
            { "ScannerBrand", "Manufacturer of the scanner" },
            { "ImageResolution", "Voxel size of the T1w image" },
            { "DaysPostStroke", "Days between the stroke and the scan" },
            { "Chronicity", "Time since stroke at the scan" },
            { "Notes", "Notes of the ATLAS tracers" },
            { "OtherLocation", "Lesions outside the cortex and subcortical structures (e.g. brainstem, cerebellum)" },
        };

        private static readonly Dictionary<string, string> KnownUnits = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            { "ScannerStrength", "T" },
            { "DaysPostStroke", "days" },
        };

        private static readonly string[] FazekasPvh = { "absent", "caps or pencil-thin lining", "smooth halo", "irregular periventricular signal extending into the deep white matter" };
        private static readonly string[] FazekasDwmh = { "absent", "punctate foci", "beginning confluence of foci", "large confluent areas" };

        private static JsonObject DescribeColumn(Column col, List<string> values, string description = null)
        {
            var j = new JsonObject();
            if (!string.IsNullOrEmpty(col.Header) && col.Header != col.Name) j.Add("LongName", col.Header);
            if (description == null && !KnownDescriptions.TryGetValue(col.Key, out description))
                description = "ATLAS metadata column '" + col.Header + "'";
            j.Add("Description", description);

            // Levels for categorical columns: text (not numbers), few distinct short values, not free notes.
            var distinct = new List<string>();
            bool numeric = true, shortText = true;
            foreach (var v in values)
            {
                if (v == "n/a") continue;
                if (v.Length > 40) shortText = false;
                if (!distinct.Contains(v)) distinct.Add(v);
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) numeric = false;
            }
            distinct.Sort(StringComparer.Ordinal);
            string[] fazekas = string.Equals(col.Key, "Pvh", StringComparison.OrdinalIgnoreCase) ? FazekasPvh
                : string.Equals(col.Key, "Dwmh", StringComparison.OrdinalIgnoreCase) ? FazekasDwmh : null;
            if (fazekas != null)
            {
                var levels = new JsonObject();
                for (int i = 0; i < fazekas.Length; i++) levels.Add(i.ToString(CultureInfo.InvariantCulture), fazekas[i]);
                j.Add("Levels", levels);
            }
            else if (!numeric && shortText && distinct.Count > 0 && distinct.Count <= 12 && !string.Equals(col.Key, "Notes", StringComparison.OrdinalIgnoreCase))
            {
                var levels = new JsonObject();
                foreach (var v in distinct) levels.Add(v, v);
                j.Add("Levels", levels);
            }
            if (KnownUnits.TryGetValue(col.Key, out var units) && numeric) j.Add("Units", units);
            return j;
        }
    }
}
