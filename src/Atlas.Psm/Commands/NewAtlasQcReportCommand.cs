using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Rendering;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// New-AtlasQcReport: one self-contained HTML page with a row per subject (snapshot, lesion
    /// volumes, hemisphere, dataset findings), sortable by column, readable without a network.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "AtlasQcReport", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Destination)]
    [OutputType(typeof(QcReportInfo))]
    public sealed class NewAtlasQcReportCommand : AtlasCmdlet
    {
        /// <summary>Subjects (Get-AtlasSubject) from the pipeline.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [Alias("Subject")]
        [ValidateNotNull]
        public object InputObject { get; set; }

        /// <summary>Folder the page is written into, as index.html (a name ending in .html is still taken as -OutputPath).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Destination)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>The page's own file (.html).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.OutputPath)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Findings to show (Test-AtlasDataset's output, or any objects with SubjectId or ScanId, Severity, Check, Path, Message); replaces the report's own checks.</summary>
        [Parameter]
        public object[] Finding { get; set; }

        /// <summary>Leave the Findings column empty instead of running Test-AtlasDataset's checks on each subject.</summary>
        [Parameter]
        public SwitchParameter NoChecks { get; set; }

        /// <summary>Run the voxel checks too (binary, non-empty, overlapping masks), as Test-AtlasDataset -Deep.</summary>
        [Parameter]
        public SwitchParameter Deep { get; set; }

        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        [Parameter]
        public SnapshotPlane Plane { get; set; } = SnapshotPlane.All;

        [Parameter]
        public LesionSliceMode LesionSlice { get; set; } = LesionSliceMode.Centroid;

        [Parameter]
        public SwitchParameter Radiological { get; set; }

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double Opacity { get; set; } = 0.6;

        [Parameter]
        public string Title { get; set; }

        /// <summary>Write the snapshots as PNG files in a folder beside the page instead of embedding them.</summary>
        [Parameter]
        public SwitchParameter ImagesBeside { get; set; }

        /// <summary>A brain mask in the T1s' world space (a template's), drawn as an outline over every T1; default: the -TemplateMask that ConvertTo-AtlasStandardSpace registered each scan to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TemplateMask { get; set; }

        /// <summary>Draw no template outline, not even over standardized scans.</summary>
        [Parameter]
        public SwitchParameter NoTemplateOutline { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        // Subjects are collected, then the page is decided (its inputs are every subject's files) before any is rendered.
        private readonly List<AtlasSubject> _subjects = new List<AtlasSubject>();
        private Dictionary<string, List<QcFinding>> _byScan, _bySubject;
        private string _target;
        // Template outlines by file (read once per invocation); null when a file could not be read (warned once).
        private readonly Dictionary<string, SnapshotLayer> _outlines = new Dictionary<string, SnapshotLayer>(StringComparer.Ordinal);
        // Each subject's outline file, decided once (its record is read once) when the page's inputs are listed.
        private readonly Dictionary<AtlasSubject, string> _outlineOf = new Dictionary<AtlasSubject, string>();
        private string _explicitMask;
        private bool _stopped;

        protected override void BeginProcessing()
        {
            if (TemplateMask != null && !NoTemplateOutline)
            {
                _explicitMask = ResolveExistingPath(TemplateMask);
                if (_explicitMask == null) { _stopped = true; return; }
                try { _outlines[_explicitMask] = ReadOutline(_explicitMask); }
                catch (Exception ex) when (IsInputFailure(ex)) { ThrowTerminatingError(MakeError(ex, "QcTemplateMaskInvalid", _explicitMask)); }
            }
            string dest = ResolveOutputPath(OutputPath ?? Destination);
            _target = OutputPath != null || dest.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || dest.EndsWith(".htm", StringComparison.OrdinalIgnoreCase)
                ? dest : System.IO.Path.Combine(dest, "index.html");
            _byScan = new Dictionary<string, List<QcFinding>>(StringComparer.OrdinalIgnoreCase);
            _bySubject = new Dictionary<string, List<QcFinding>>(StringComparer.OrdinalIgnoreCase);
            if (Finding == null) return;
            foreach (var f in Finding)
            {
                if (f == null) continue;
                var p = PSObject.AsPSObject(f);
                var q = new QcFinding
                {
                    SubjectId = Prop(p, "SubjectId"),
                    Severity = Prop(p, "Severity") ?? "Warning",
                    Check = Prop(p, "Check"),
                    Path = Prop(p, "Path"),
                    Message = Prop(p, "Message") ?? p.ToString(),
                };
                // A finding that names its scan belongs to that session only; one with just a SubjectId to every session.
                string scan = Prop(p, "ScanId");
                var map = scan != null ? _byScan : _bySubject;
                string key = scan ?? q.SubjectId ?? "";
                if (!map.TryGetValue(key, out var list)) map[key] = list = new List<QcFinding>();
                list.Add(q);
            }
        }

        private static string Prop(PSObject p, string name) => p.Properties[name]?.Value?.ToString();

        /// <summary>A brain mask as the page's reference outline: cyan, opaque, never aimed at by the slice choice.</summary>
        private static SnapshotLayer ReadOutline(string path)
        {
            var v = Core.Nifti.NiftiReader.Read(path, new Core.Nifti.NiftiReadOptions { Frame = 0 });
            var mask = v.ToMask();
            bool any = false;
            foreach (var b in mask) if (b != 0) { any = true; break; }
            if (!any) throw new InvalidDataException("The template mask " + path + " has no non-zero voxel: there is no brain to outline.");
            return new SnapshotLayer(v) { Color = RgbColor.Parse("cyan"), Opacity = 1, Outline = true, IsReference = true, Label = "template" };
        }

        /// <summary>The template brain mask to outline over a subject's T1: -TemplateMask, else the one its standardization used; null for none.</summary>
        private string OutlinePathFor(AtlasSubject s)
        {
            if (NoTemplateOutline) return null;
            if (_explicitMask != null) return _explicitMask;
            string p = StandardizationRecord.Of(s.T1Path)?.TemplateMaskPath;
            return !string.IsNullOrEmpty(p) && File.Exists(p) ? p : null;
        }

        private SnapshotLayer OutlineFor(AtlasSubject s)
        {
            if (!_outlineOf.TryGetValue(s, out var p) || p == null) return null;
            if (_outlines.TryGetValue(p, out var layer)) return layer;
            try { layer = ReadOutline(p); }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteWarning("The template brain mask " + p + " that " + s.T1Path + " was standardized to cannot be outlined: " + ex.Message);
                layer = null;
            }
            _outlines[p] = layer;
            return layer;
        }

        protected override void ProcessRecord()
        {
            var subject = AsSubject(InputObject);
            if (subject == null)
            {
                WriteFailure(new ArgumentException("New-AtlasQcReport takes subjects (Get-AtlasSubject); got " + Describe(InputObject) + "."),
                    "NotASubject", InputObject, ErrorCategory.InvalidArgument);
                return;
            }
            _subjects.Add(subject);
        }

        private void Render(AtlasSubject subject, List<QcReportRow> rows)
        {
            if (Cancellation.IsCancellationRequested) return;
            Progress("New-AtlasQcReport", "Subject " + Describe(subject) + " (" + (rows.Count + 1) + " of " + _subjects.Count + ")", rows.Count, _subjects.Count);
            List<QcFinding> found = null;
            if (Finding != null)
            {
                found = new List<QcFinding>();
                if (_byScan.TryGetValue(subject.ScanId ?? subject.SubjectId ?? "", out var a)) found.AddRange(a);
                if (_bySubject.TryGetValue(subject.SubjectId ?? "", out var b)) found.AddRange(b);
            }
            try
            {
                var options = new SnapshotOptions { Plane = Plane, LesionSlice = LesionSlice, Radiological = Radiological, CancellationToken = Cancellation };
                var outline = OutlineFor(subject);
                var row = QcReport.BuildRow(subject, MaskKind, options, found, Opacity, !NoChecks, Deep, outline == null ? null : new[] { outline });
                if (row.Problem != null) WriteWarning(Describe(subject) + ": " + row.Problem);
                rows.Add(row);
            }
            catch (OperationCanceledException) { }
        }

        protected override void EndProcessing()
        {
            if (Cancellation.IsCancellationRequested || _stopped) return;
            // The page is made from every subject's T1 and masks: up to date, it is kept and its record still output.
            var inputs = new List<string>();
            foreach (var s in _subjects)
            {
                NoteSubjectFiles(s, MaskKind);
                inputs.AddRange(SubjectSnapshot.InputsOf(s, MaskKind));
                string outline = _outlineOf[s] = OutlinePathFor(s);
                if (outline != null && !inputs.Contains(outline)) inputs.Add(outline);
            }
            // The page's rows are its scans: another list of scans is another page, even from the same files.
            var scans = new List<string>();
            foreach (var s in _subjects) scans.Add(s.ScanId ?? s.SubjectId);
            RecordedValues["Scans"] = string.Join(", ", scans);
            OutputAction action;
            try { action = DecideOutput(_target, Force, inputs); }
            catch (Exception ex) when (IsInputFailure(ex)) { WriteFailure(ex, "NewAtlasQcReportFailed", _target); return; }
            if (action == OutputAction.Skip)
            {
                var kept = KeptResult<QcReportInfo>(_target);
                if (kept != null) WriteObject(kept);
                return;
            }
            if (action != OutputAction.Write) return;
            if (!ShouldProcess(_target, "Write QC report of " + _subjects.Count + " scans")) return;
            var rows = new List<QcReportRow>();
            foreach (var s in _subjects) Render(s, rows);
            CompleteProgress("New-AtlasQcReport");
            if (Cancellation.IsCancellationRequested) return;
            try
            {
                var info = QcReport.Write(_target, rows, Title, ImagesBeside);
                RecordOutput(_target, SummaryOf(info));
                WriteObject(info);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "NewAtlasQcReportFailed", _target);
            }
        }
    }
}
