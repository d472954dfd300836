using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using Atlas.Core.Datasets;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// ConvertTo-AtlasStandardSpace: subjects' scans into a template's space as the ATLAS standardized release
    /// made them (bias correction, intensity normalization, lesion-masked affine registration, T1 linear and masks
    /// nearest, defacing), written as a dataset Get-AtlasSubject reads back, with the transform beside each scan.
    /// </summary>
    [Cmdlet(VerbsData.ConvertTo, "AtlasStandardSpace", SupportsShouldProcess = true)]
    [OutputType(typeof(AtlasSubject))]
    public sealed class ConvertToAtlasStandardSpaceCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AtlasSubject[] InputObject { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Template { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string TemplateMask { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>The space label in transform names (default: the template's file name, letters and digits only).</summary>
        [Parameter]
        [ValidatePattern("^[A-Za-z0-9]+$")]
        public string SpaceName { get; set; }

        [Parameter]
        public SwitchParameter NoDeface { get; set; }

        [Parameter]
        public SwitchParameter NoBiasCorrection { get; set; }

        /// <summary>Let the whole template head drive the registration cost instead of the template's brain mask.</summary>
        [Parameter]
        public SwitchParameter WholeHeadCost { get; set; }

        [Parameter]
        public NormalizationMethod NormalizationMethod { get; set; } = NormalizationMethod.WhiteMatterPeak;

        [Parameter]
        [ValidateSet("6", "7", "9", "12")]
        public int Dof { get; set; } = 12;

        [Parameter]
        public RegistrationCost Cost { get; set; } = RegistrationCost.CorrelationRatio;

        /// <summary>A metadata sheet to copy to the destination root (else the one .csv/.xlsx at each source root is copied).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string MetadataPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private string _dest, _templatePath, _maskPath, _space;
        private AtlasVolume _template, _templateMask;
        private byte[] _face;
        private readonly List<string[]> _rows = new List<string[]>();
        private readonly HashSet<string> _sourceRoots = new HashSet<string>(StringComparer.Ordinal);
        private int _done;

        protected override void BeginProcessing()
        {
            try
            {
                _templatePath = ResolveExistingPath(Template);
                _maskPath = ResolveExistingPath(TemplateMask);
                if (_templatePath == null || _maskPath == null) { _templatePath = null; return; }
                _template = NiftiReader.Read(_templatePath);
                _templateMask = NiftiReader.Read(_maskPath);
                GridCheck.RequireSame(_template, _templateMask);
                if (!NoDeface) _face = StandardSpace.FaceRegion(_template, _templateMask);
                _space = SpaceName ?? SpaceLabel(_templatePath);
                _dest = ResolveOutputPath(Destination);
                GuardSourceDataset(_dest);
                if (!Directory.Exists(_dest) && ShouldProcess(_dest, "Create folder")) Directory.CreateDirectory(_dest);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                ThrowTerminatingError(MakeError(ex, "StandardSpaceTemplateInvalid", (ex as NiftiFormatException)?.FilePath ?? (ex as GeometryException)?.FilePath ?? _templatePath));
            }
        }

        /// <summary>The BIDS space label of a template file: its name without extensions, letters and digits only.</summary>
        internal static string SpaceLabel(string path)
        {
            string name = System.IO.Path.GetFileName(path);
            int dot = name.IndexOf('.');
            if (dot > 0) name = name.Substring(0, dot);
            var sb = new StringBuilder();
            foreach (char c in name) if (char.IsLetterOrDigit(c) && c < 128) sb.Append(c);
            return sb.Length == 0 ? "template" : sb.ToString();
        }

        protected override void ProcessRecord()
        {
            if (_templatePath == null || InputObject == null) return;
            foreach (var s in InputObject)
            {
                if (Cancellation.IsCancellationRequested) return;
                if (s == null) continue;
                try { Convert(s); }
                catch (OperationCanceledException) { return; }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "ConvertToAtlasStandardSpaceFailed", AtomicFile.TargetOf(ex) ?? (ex as NiftiFormatException)?.FilePath ?? s.T1Path);
                }
            }
        }

        private void Convert(AtlasSubject s)
        {
            if (string.IsNullOrEmpty(s.T1Path))
            {
                WriteError(new ErrorRecord(new ArgumentException("The scan " + s + " has no T1 image to standardize."), "SubjectHasNoT1", ErrorCategory.ObjectNotFound, s.ScanId));
                return;
            }
            if (!string.IsNullOrEmpty(s.Root)) _sourceRoots.Add(s.Root);
            string rel = RelativeFolder(s);
            string dir = System.IO.Path.Combine(_dest, rel);
            GuardSourceDataset(dir, s.Root);
            Progress("ConvertTo-AtlasStandardSpace", "Standardizing " + s, _done++, 0);

            var maskPaths = new List<string>();
            foreach (var m in s.RawLesionMaskPaths ?? new string[0]) maskPaths.Add(m);
            foreach (var m in s.SmoothLesionMaskPaths ?? new string[0]) maskPaths.Add(m);
            foreach (var m in s.LesionMaskPaths ?? new string[0]) if (!maskPaths.Contains(m)) maskPaths.Add(m);

            string t1Out = System.IO.Path.Combine(dir, StandardName(s.T1Path));
            string xfmOut = System.IO.Path.Combine(dir, (s.ScanId ?? s.SubjectId) + "_from-T1w_to-" + _space + "_mode-image_xfm.txt");
            var maskOuts = new List<string>();
            foreach (var m in maskPaths) maskOuts.Add(System.IO.Path.Combine(dir, System.IO.Path.GetFileName(m)));
            foreach (var o in new[] { t1Out, xfmOut }) if (!ClaimOutput(o, s.T1Path, "give scans with the same names different -Destination folders")) return;
            foreach (var o in maskOuts) if (!ClaimOutput(o, s.T1Path, "give scans with the same names different -Destination folders")) return;

            var inputs = new List<string> { s.T1Path, _templatePath, _maskPath };
            inputs.AddRange(maskPaths);
            var actions = new List<OutputAction>();
            foreach (var o in new List<string>(maskOuts) { t1Out, xfmOut })
            {
                var a = DecideOutput(o, Force, inputs);
                if (a == OutputAction.Refuse) return;
                actions.Add(a);
            }
            bool allKept = actions.TrueForAll(a => a == OutputAction.Skip);

            Dictionary<string, string> summary;
            if (allKept)
            {
                var rec = RecordOf(t1Out);
                summary = rec?.Result != null ? new Dictionary<string, string>(rec.Result) : new Dictionary<string, string>();
            }
            else
            {
                if (!ShouldProcess(dir, "Standardize " + s + " into " + _space + " (" + maskPaths.Count + " masks)")) return;
                // One registration makes every file of the scan: outputs kept as up to date are rebuilt with the rest.
                var all = new List<string>(maskOuts) { t1Out, xfmOut };
                for (int i = 0; i < all.Count; i++) if (actions[i] == OutputAction.Skip) DecideOutput(all[i], true, inputs);
                var t1 = NiftiReader.Read(s.T1Path);
                var masks = new List<AtlasVolume>();
                foreach (var m in maskPaths) masks.Add(NiftiReader.Read(m));
                var options = new StandardizationOptions
                {
                    BiasCorrection = !NoBiasCorrection,
                    Normalization = NormalizationMethod,
                    Deface = !NoDeface,
                    WholeHeadCost = WholeHeadCost,
                    Registration = new RegistrationOptions { Dof = Dof, Cost = Cost },
                };
                var std = StandardSpace.Standardize(t1, masks, _template, _templateMask, _face, options, Cancellation);
                foreach (var w in std.Warnings) WriteWarning(s.T1Path + ": " + w);
                var r = std.Registration;
                if (!Directory.Exists(dir)) Directory.CreateDirectory(dir);
                summary = new Dictionary<string, string>
                {
                    ["Verdict"] = r.Verdict.ToString(),
                    ["VerdictReason"] = r.VerdictReason ?? "",
                    ["FinalCost"] = r.FinalCost.ToString("R", CultureInfo.InvariantCulture),
                    ["CorrelationRatio"] = r.CorrelationRatio.ToString("R", CultureInfo.InvariantCulture),
                    ["BrainOverlap"] = r.BrainOverlap.ToString("R", CultureInfo.InvariantCulture),
                    ["Determinant"] = r.Determinant.ToString("R", CultureInfo.InvariantCulture),
                    ["DefacedVoxels"] = std.DefacedVoxels.ToString(CultureInfo.InvariantCulture),
                };
                // Masks first, then the T1, then the transform: the transform's record is the last word of a scan.
                for (int i = 0; i < maskOuts.Count; i++)
                {
                    NiftiWriter.Write(std.Masks[i], maskOuts[i]);
                    RecordOutput(maskOuts[i]);
                }
                NiftiWriter.Write(std.T1, t1Out);
                RecordOutput(t1Out, summary);
                TransformFiles.Write(xfmOut, r.Transform, TransformFormat.Itk, _template.Grid, t1.Grid);
                RecordOutput(xfmOut, summary);
            }
            summary.TryGetValue("Verdict", out var verdict);
            summary.TryGetValue("VerdictReason", out var reason);
            if (verdict == nameof(RegistrationVerdict.Failed))
                WriteWarning("The registration of " + s.T1Path + " failed its checks (" + reason + "); the scan was written and is flagged Failed in " + System.IO.Path.Combine(_dest, RegistrationTable.FileName) + ".");

            var outSubject = new AtlasSubject
            {
                SubjectId = s.SubjectId, ScanId = s.ScanId, Cohort = s.Cohort, Subject = s.Subject, Session = s.Session,
                Layout = s.Layout, Space = AtlasSpace.MNI152, Root = _dest, Directory = dir, T1Path = t1Out,
                LesionMaskPaths = MapPaths(s.LesionMaskPaths, dir), RawLesionMaskPaths = MapPaths(s.RawLesionMaskPaths, dir),
                SmoothLesionMaskPaths = MapPaths(s.SmoothLesionMaskPaths, dir),
                Metadata = s.Metadata, MetadataHeaders = s.MetadataHeaders, MetadataAliases = s.MetadataAliases, HasMetadata = s.HasMetadata,
            };
            var row = new[]
            {
                s.SubjectId, s.Session.ToString(CultureInfo.InvariantCulture), s.ScanId, verdict, reason, Get(summary, "FinalCost"),
                Get(summary, "CorrelationRatio"), Get(summary, "BrainOverlap"), Get(summary, "Determinant"), xfmOut,
            };
            _rows.Add(row);
            var o2 = PSObject.AsPSObject(outSubject);
            for (int i = 3; i < RegistrationTable.Columns.Length; i++)
                o2.Properties.Add(new PSNoteProperty(RegistrationTable.Columns[i], i >= 5 && i <= 8 && double.TryParse(row[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (object)d : row[i]));
            WriteObject(o2);
        }

        private static string Get(Dictionary<string, string> d, string k) => d.TryGetValue(k, out var v) ? v : "";

        private static string[] MapPaths(string[] paths, string dir)
        {
            if (paths == null) return new string[0];
            var o = new string[paths.Length];
            for (int i = 0; i < paths.Length; i++) o[i] = System.IO.Path.Combine(dir, System.IO.Path.GetFileName(paths[i]));
            return o;
        }

        /// <summary>The standardized T1's name: the source name as .nii.gz (an Analyze pair or .nii becomes one gzipped file).</summary>
        private static string StandardName(string t1)
        {
            string name = System.IO.Path.GetFileName(t1);
            string stem = NiftiFiles.StripExtension(name);
            return stem == name ? name : stem + ".nii.gz";
        }

        /// <summary>The scan's folder relative to its dataset root (so the standardized dataset has the source's layout).</summary>
        private static string RelativeFolder(AtlasSubject s)
        {
            string dir = s.Directory ?? System.IO.Path.GetDirectoryName(s.T1Path);
            if (!string.IsNullOrEmpty(s.Root))
            {
                string root = s.Root.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
                if (dir.StartsWith(root, StringComparison.Ordinal)) return dir.Substring(root.Length);
                if (dir.TrimEnd(System.IO.Path.DirectorySeparatorChar) == s.Root.TrimEnd(System.IO.Path.DirectorySeparatorChar)) return "";
            }
            return System.IO.Path.Combine(s.Cohort ?? "", s.Subject ?? s.SubjectId ?? "", "t" + s.Session.ToString("00", CultureInfo.InvariantCulture));
        }

        protected override void EndProcessing()
        {
            CompleteProgress("ConvertTo-AtlasStandardSpace");
            if (_dest == null || !Directory.Exists(_dest)) return;
            try
            {
                WriteRegistrationTable();
                CopySheets();
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "ConvertToAtlasStandardSpaceFailed", AtomicFile.TargetOf(ex) ?? _dest);
            }
        }

        /// <summary>
        /// registration.tsv at the destination: one row per scan, this run's rows replacing earlier ones of the same
        /// scans (merged under a lock, so parallel jobs into one folder lose no rows); rewritten only when its text changes.
        /// </summary>
        private void WriteRegistrationTable()
        {
            if (_rows.Count == 0) return;
            string path = System.IO.Path.Combine(_dest, RegistrationTable.FileName);
            RegistrationTable.Merge(path, _rows, () => ShouldProcess(path, "Write the registration table"), null, Cancellation);
        }

        /// <summary>The metadata sheet goes with the scans: -MetadataPath, else the one .csv/.xlsx at each source root.</summary>
        private void CopySheets()
        {
            var sheets = new List<string>();
            if (MetadataPath != null) { var p = ResolveExistingPath(MetadataPath); if (p != null) sheets.Add(p); }
            else
                foreach (var root in _sourceRoots)
                {
                    if (!Directory.Exists(root)) continue;
                    var found = new List<string>();
                    foreach (var f in Directory.GetFiles(root))
                        if (f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase)) found.Add(f);
                    if (found.Count == 1) sheets.Add(found[0]);
                }
            foreach (var sheet in sheets)
            {
                string target = System.IO.Path.Combine(_dest, System.IO.Path.GetFileName(sheet));
                var bytes = File.ReadAllBytes(sheet);
                if (File.Exists(target) && BytesEqual(File.ReadAllBytes(target), bytes)) continue;
                if (ShouldProcess(target, "Copy the metadata sheet " + sheet))
                {
                    AtomicFile.WriteAllBytes(target, bytes);
                    WriteVerbose("Copied the metadata sheet " + sheet + " to " + target + ".");
                }
            }
        }

        private static bool BytesEqual(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }
}
