using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    /// <summary>A dataset check's finding shown in the QC report (Test-AtlasDataset's, or any).</summary>
    public sealed class QcFinding
    {
        public string SubjectId { get; set; }
        /// <summary>Error or Warning.</summary>
        public string Severity { get; set; }
        public string Check { get; set; }
        public string Path { get; set; }
        public string Message { get; set; }
    }

    /// <summary>One lesion mask of a subject as the report lists it.</summary>
    public sealed class QcLesion
    {
        public string Path { get; set; }
        /// <summary>0 = primary, 1.. = secondary lesions by rank.</summary>
        public int Rank { get; set; }
        public long VoxelCount { get; set; }
        public double VolumeMm3 { get; set; }
        /// <summary>Share of the volume at world x &lt; 0 (the left hemisphere in RAS/MNI space).</summary>
        public double FractionLeft { get; set; }
        public string Hemisphere { get; set; }
    }

    /// <summary>A row of the QC report: one subject (scan).</summary>
    public sealed class QcReportRow
    {
        public string SubjectId { get; set; }
        public string ScanId { get; set; }
        public string Site { get; set; }
        /// <summary>The person within the site (s0001 of c0001s0001t01): scans of one person at several time points share it.</summary>
        public string Subject { get; set; }
        public int Session { get; set; }
        public string T1Path { get; set; }
        /// <summary>The snapshot as PNG bytes (embedded in the page), or null when it could not be drawn.</summary>
        public byte[] SnapshotPng { get; set; }
        /// <summary>Where the snapshot was written when images go beside the page (relative to it), else null.</summary>
        public string SnapshotFile { get; set; }
        public string Slices { get; set; }
        public List<QcLesion> Lesions { get; set; } = new List<QcLesion>();
        public double TotalVolumeMm3 { get; set; }
        public double FractionLeft { get; set; }
        public string Hemisphere { get; set; }
        public List<QcFinding> Findings { get; set; } = new List<QcFinding>();
        /// <summary>Why the row is incomplete (an unreadable T1 or mask), else null.</summary>
        public string Problem { get; set; }

        public int ErrorCount { get { int n = 0; foreach (var f in Findings) if (string.Equals(f.Severity, "Error", StringComparison.OrdinalIgnoreCase)) n++; return n; } }
        public int WarningCount => Findings.Count - ErrorCount;
    }

    /// <summary>What New-AtlasQcReport wrote: flat, for the pipeline and Export-Csv.</summary>
    public sealed class QcReportInfo
    {
        public string Path { get; set; }
        /// <summary>Scans on the page (one row each; a subject scanned twice is two scans).</summary>
        public int ScanCount { get; set; }
        /// <summary>Scans with at least one finding or problem.</summary>
        public int ScansWithFindings { get; set; }
        public int ErrorCount { get; set; }
        public int WarningCount { get; set; }
        public int SnapshotCount { get; set; }
        public long SizeBytes { get; set; }
    }

    /// <summary>
    /// The QC report: a row per subject (snapshot, lesion volumes, hemisphere, dataset findings),
    /// written as one HTML page that needs no network: images are embedded as data: URIs (or
    /// written beside it), the table sorts by any column with a few lines of inline script.
    /// </summary>
    public static class QcReport
    {
        /// <summary>
        /// A mask's size and side by Measure-Lesion's engine (<see cref="LesionMeasurer"/>): the side
        /// holding most of the volume, Bilateral when more than 10 % lies across world x = 0.
        /// </summary>
        public static QcLesion MeasureMask(AtlasVolume mask, int rank, CancellationToken cancellation = default(CancellationToken))
        {
            var m = LesionMeasurer.Measure(mask, new LesionMeasureOptions { Rank = rank + 1 }, cancellation)[0];
            return new QcLesion
            {
                Path = mask.Path,
                Rank = rank,
                VoxelCount = m.VoxelCount,
                VolumeMm3 = m.VolumeMm3,
                FractionLeft = m.VoxelCount > 0 ? m.FractionLeft : double.NaN,
                Hemisphere = m.Hemisphere,
            };
        }

        /// <summary>The subject's side from its masks' volume-weighted left fraction, by the same rule.</summary>
        public static string HemisphereOf(double fractionLeft, double centroidXMm) =>
            double.IsNaN(fractionLeft) ? null : LesionMeasurer.Hemisphere(fractionLeft, 0.1, centroidXMm, 0);

        /// <summary>
        /// A subject's row: its snapshot (T1 with the masks of <paramref name="maskKind"/>), each
        /// mask's volume and side, and the findings given for it. A subject whose images cannot be
        /// read still gets a row, with the reason in <see cref="QcReportRow.Problem"/>.
        /// </summary>
        public static QcReportRow BuildRow(AtlasSubject subject, string maskKind, SnapshotOptions options, IEnumerable<QcFinding> findings, double opacity = 0.6)
            => BuildRow(subject, maskKind, options, findings, opacity, false, false);

        /// <summary>
        /// As above; when <paramref name="findings"/> is null and <paramref name="runChecks"/> is set, the
        /// findings are Test-AtlasDataset's for this subject (<see cref="DatasetChecker.Check"/>; with
        /// <paramref name="deepChecks"/> its voxel checks too: binary, non-empty, overlapping masks).
        /// </summary>
        public static QcReportRow BuildRow(AtlasSubject subject, string maskKind, SnapshotOptions options, IEnumerable<QcFinding> findings,
            double opacity, bool runChecks, bool deepChecks) => BuildRow(subject, maskKind, options, findings, opacity, runChecks, deepChecks, null);

        /// <summary>As above, with layers drawn over the subject's masks (New-AtlasQcReport: the template's brain outline).</summary>
        public static QcReportRow BuildRow(AtlasSubject subject, string maskKind, SnapshotOptions options, IEnumerable<QcFinding> findings,
            double opacity, bool runChecks, bool deepChecks, IList<SnapshotLayer> extraLayers)
        {
            if (findings == null && runChecks)
            {
                var list = new List<QcFinding>();
                var checks = DatasetChecker.Check(subject, new DatasetCheckOptions { Deep = deepChecks, Cancellation = options?.CancellationToken ?? CancellationToken.None });
                foreach (var f in checks)
                    list.Add(new QcFinding { SubjectId = f.SubjectId, Severity = f.Severity.ToString(), Check = f.Check, Path = f.Path, Message = f.Message });
                findings = list;
            }
            var row = new QcReportRow
            {
                SubjectId = subject.SubjectId,
                ScanId = subject.ScanId ?? subject.SubjectId,
                Site = subject.Cohort,
                Subject = subject.Subject,
                Session = subject.Session,
                T1Path = subject.T1Path,
            };
            if (findings != null) row.Findings.AddRange(findings);
            var token = options?.CancellationToken ?? CancellationToken.None;
            var masks = subject.GetMaskPaths(string.IsNullOrEmpty(maskKind) ? nameof(MaskKind.Lesion) : maskKind) ?? new string[0];
            var problems = new List<string>();
            long total = 0; double volume = 0, left = 0;
            for (int n = 0; n < masks.Length; n++)
            {
                token.ThrowIfCancellationRequested();
                try
                {
                    var l = MeasureMask(NiftiReader.Read(masks[n]), n, token);
                    row.Lesions.Add(l);
                    total += l.VoxelCount;
                    volume += l.VolumeMm3;
                    if (l.VoxelCount > 0) left += l.FractionLeft * l.VolumeMm3;
                }
                catch (Exception ex) when (ex is NiftiFormatException || ex is GeometryException || ex is IOException || ex is InvalidDataException || ex is NotSupportedException)
                {
                    problems.Add(Path.GetFileName(masks[n]) + ": " + ex.Message);
                }
            }
            row.TotalVolumeMm3 = volume;
            row.FractionLeft = volume > 0 ? left / volume : double.NaN;
            row.Hemisphere = volume > 0 ? HemisphereOf(row.FractionLeft, 0) : (masks.Length == 0 ? "No mask" : "None");
            try
            {
                var snap = SubjectSnapshot.Render(subject, maskKind, options, opacity, extraLayers);
                row.SnapshotPng = PngCodec.Encode(snap.Image);
                row.Slices = snap.Info.Slices;
            }
            catch (Exception ex) when (ex is NiftiFormatException || ex is GeometryException || ex is IOException || ex is InvalidDataException || ex is NotSupportedException || ex is ArgumentException)
            {
                problems.Add("snapshot: " + ex.Message);
            }
            if (problems.Count > 0) row.Problem = string.Join("; ", problems);
            return row;
        }

        /// <summary>Writes the page atomically; with <paramref name="imagesBeside"/> the PNGs go to a folder next to it instead of into it.</summary>
        public static QcReportInfo Write(string path, IList<QcReportRow> rows, string title, bool imagesBeside = false)
        {
            string dir = System.IO.Path.GetDirectoryName(path);
            int snaps = 0;
            if (imagesBeside)
            {
                string folder = System.IO.Path.GetFileNameWithoutExtension(path) + "_files";
                foreach (var r in rows)
                {
                    if (r.SnapshotPng == null) continue;
                    string name = SafeName(r.ScanId ?? r.SubjectId) + ".png";
                    AtomicFile.WriteAllBytes(System.IO.Path.Combine(dir ?? "", folder, name), r.SnapshotPng);
                    r.SnapshotFile = folder + "/" + name;
                }
            }
            foreach (var r in rows) if (r.SnapshotPng != null) snaps++;
            string html = ToHtml(rows, title);
            AtomicFile.WriteAllText(path, html);
            var info = new QcReportInfo { Path = path, ScanCount = rows.Count, SnapshotCount = snaps, SizeBytes = new FileInfo(path).Length };
            foreach (var r in rows)
            {
                if (r.Findings.Count > 0 || r.Problem != null) info.ScansWithFindings++;
                info.ErrorCount += r.ErrorCount;
                info.WarningCount += r.WarningCount;
            }
            return info;
        }

        private static string SafeName(string id)
        {
            foreach (char c in System.IO.Path.GetInvalidFileNameChars()) id = id.Replace(c, '_');
            return id;
        }

        private static string Plural(int n, string word) => n + " " + word + (n == 1 ? "" : "s");

        private static string H(string s) => WebUtility.HtmlEncode(s ?? "");

        private static string Num(double v, string format) =>
            double.IsNaN(v) ? "" : v.ToString(format, CultureInfo.InvariantCulture);

        /// <summary>The page: a summary line, then the sortable table. Every cell's sort key is in data-sort.</summary>
        public static string ToHtml(IList<QcReportRow> rows, string title)
        {
            title = string.IsNullOrEmpty(title) ? "Atlas.Psm QC report" : title;
            int errors = 0, warnings = 0, flagged = 0;
            foreach (var r in rows) { errors += r.ErrorCount; warnings += r.WarningCount; if (r.Findings.Count > 0 || r.Problem != null) flagged++; }
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(title)).Append("</title>\n");
            sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            sb.Append("<style>\n")
              .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;background:#fafafa;color:#222}\n")
              .Append("h1{font-size:20px;margin:0 0 4px}\n.summary{margin:0 0 12px;color:#555}\n")
              .Append("table{border-collapse:collapse;background:#fff}\n")
              .Append("th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}\n")
              .Append("th{background:#eee;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}\n")
              .Append("th.asc::after{content:' \\25B2'}\nth.desc::after{content:' \\25BC'}\n")
              .Append("td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
              .Append("td img{display:block;max-width:640px;height:auto;background:#000}\n")
              .Append(".err{color:#b00020;font-weight:600}\n.warn{color:#a35c00}\n.ok{color:#1b7a1b}\n")
              .Append("ul{margin:0;padding-left:16px}\n.small{font-size:12px;color:#666}\n")
              .Append("</style>\n</head>\n<body>\n");
            sb.Append("<h1>").Append(H(title)).Append("</h1>\n");
            // Words with one meaning each: a row is a scan (a subject at one time point), "masks" are files,
            // and the side of the lesion measured from the masks is not called Hemisphere, the metadata column's name.
            var people = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            // A person is the site's subject (c0001s0001t01 and c0001s0001t02 are one), as the demo and Measure-AtlasDataset count them.
            foreach (var r in rows) people.Add((r.Site ?? "") + "/" + (r.Subject ?? r.SubjectId ?? r.ScanId));
            sb.Append("<p class=\"summary\">").Append(Plural(rows.Count, "scan")).Append(" (").Append(Plural(people.Count, "subject")).Append("); ")
              .Append(Plural(flagged, "scan")).Append(" with findings (")
              .Append(Plural(errors, "error")).Append(", ").Append(Plural(warnings, "warning")).Append("). Click a column heading to sort. ")
              .Append("Snapshots: neurological convention (left on the left); each mask file in its own colour, named in the legend under the picture. ")
              .Append("Mask files: the scan's lesion masks (primary, _1, _2 …). Lesion side: measured from the masks' voxels, world x &lt; 0 is left; ")
              .Append("Bilateral when more than 10 % of the lesion volume lies across x = 0; the percentage is the share of the volume at x &lt; 0.</p>\n");
            sb.Append("<table id=\"qc\">\n<thead><tr>");
            string[] heads = { "Scan", "Cohort", "Session", "Snapshot", "Mask files", "Lesion volume (mm³)", "Lesion side (from masks)", "Findings" };
            string[] kinds = { "text", "text", "num", "text", "num", "num", "text", "num" };
            for (int c = 0; c < heads.Length; c++)
                sb.Append("<th data-type=\"").Append(kinds[c]).Append("\">").Append(H(heads[c])).Append("</th>");
            sb.Append("</tr></thead>\n<tbody>\n");
            foreach (var r in rows)
            {
                sb.Append("<tr>");
                sb.Append("<td data-sort=\"").Append(H(r.ScanId)).Append("\"><b>").Append(H(r.ScanId)).Append("</b>");
                if (!string.Equals(r.ScanId, r.SubjectId, StringComparison.Ordinal)) sb.Append("<div class=\"small\">").Append(H(r.SubjectId)).Append("</div>");
                sb.Append("</td>");
                sb.Append("<td data-sort=\"").Append(H(r.Site)).Append("\">").Append(H(r.Site)).Append("</td>");
                sb.Append("<td class=\"num\" data-sort=\"").Append(r.Session).Append("\">").Append(r.Session).Append("</td>");
                sb.Append("<td data-sort=\"").Append(H(r.Slices)).Append("\">");
                if (r.SnapshotFile != null)
                    sb.Append("<img loading=\"lazy\" alt=\"").Append(H(r.ScanId)).Append("\" src=\"").Append(H(r.SnapshotFile)).Append("\">");
                else if (r.SnapshotPng != null)
                    sb.Append("<img alt=\"").Append(H(r.ScanId)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(r.SnapshotPng)).Append("\">");
                else sb.Append("<span class=\"err\">no snapshot</span>");
                if (!string.IsNullOrEmpty(r.Slices)) sb.Append("<div class=\"small\">").Append(H(r.Slices)).Append(" mm</div>");
                sb.Append("</td>");
                sb.Append("<td class=\"num\" data-sort=\"").Append(r.Lesions.Count).Append("\">").Append(r.Lesions.Count).Append("</td>");
                sb.Append("<td class=\"num\" data-sort=\"").Append(Num(r.TotalVolumeMm3, "R")).Append("\">").Append(Num(r.TotalVolumeMm3, "0")).Append("");
                if (r.Lesions.Count > 1)
                {
                    sb.Append("<div class=\"small\">");
                    for (int n = 0; n < r.Lesions.Count; n++)
                        sb.Append(n == 0 ? "" : " + ").Append(Num(r.Lesions[n].VolumeMm3, "0"));
                    sb.Append("</div>");
                }
                sb.Append("</td>");
                sb.Append("<td data-sort=\"").Append(H(r.Hemisphere)).Append("\">").Append(H(r.Hemisphere));
                if (!double.IsNaN(r.FractionLeft)) sb.Append("<div class=\"small\">").Append(Num(100 * r.FractionLeft, "0")).Append(" % at x &lt; 0</div>");
                sb.Append("</td>");
                int findingKey = r.ErrorCount * 1000 + r.WarningCount + (r.Problem != null ? 1000 : 0);
                sb.Append("<td class=\"findings\" data-sort=\"").Append(findingKey).Append("\">");
                if (r.Findings.Count == 0 && r.Problem == null) sb.Append("<span class=\"ok\">none</span>");
                else
                {
                    sb.Append("<ul>");
                    if (r.Problem != null) sb.Append("<li class=\"err\">").Append(H(r.Problem)).Append("</li>");
                    foreach (var f in r.Findings)
                    {
                        bool err = string.Equals(f.Severity, "Error", StringComparison.OrdinalIgnoreCase);
                        sb.Append("<li class=\"").Append(err ? "err" : "warn").Append("\">").Append(H(f.Severity)).Append(" ")
                          .Append(H(f.Check)).Append(": ").Append(H(f.Message)).Append("</li>");
                    }
                    sb.Append("</ul>");
                }
                sb.Append("</td>");
                sb.Append("</tr>\n");
            }
            sb.Append("</tbody>\n</table>\n");
            sb.Append(SortScript);
            sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }

        // Sorts the rows by the clicked column's data-sort keys (numbers as numbers); a second click
        // reverses. A link to page.html#sort=5 (or #sort=5-desc) opens it sorted by column 5 (0-based).
        private const string SortScript = @"<script>
(function () {
  var table = document.getElementById('qc');
  var heads = table.tHead.rows[0].cells;
  function sortBy(col, asc) {
    var th = heads[col];
    for (var h = 0; h < heads.length; h++) heads[h].classList.remove('asc', 'desc');
    th.classList.add(asc ? 'asc' : 'desc');
    var numeric = th.getAttribute('data-type') === 'num';
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-sort'), y = b.cells[col].getAttribute('data-sort');
      var r;
      if (numeric) {
        var fx = parseFloat(x), fy = parseFloat(y);
        if (isNaN(fx)) fx = -Infinity; if (isNaN(fy)) fy = -Infinity;
        r = fx - fy;
      } else r = x.localeCompare(y, undefined, { numeric: true });
      return asc ? r : -r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  for (var c = 0; c < heads.length; c++) {
    heads[c].addEventListener('click', (function (col) {
      return function () { sortBy(col, !heads[col].classList.contains('asc')); };
    })(c));
  }
  var m = /^#sort=(\d+)(-desc)?$/.exec(window.location.hash);
  if (m && +m[1] < heads.length) sortBy(+m[1], !m[2]);
})();
</script>
";
    }
}
