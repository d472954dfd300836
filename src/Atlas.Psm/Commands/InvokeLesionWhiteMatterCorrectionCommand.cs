using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-LesionWhiteMatterCorrection: SRQL's correction that removes lesion voxels whose T1
    /// intensity looks like normal white matter. Writes the corrected mask and reports the volumes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "LesionWhiteMatterCorrection", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Files)]
    [OutputType(typeof(WhiteMatterCorrectionResult))]
    public sealed class InvokeLesionWhiteMatterCorrectionCommand : LesionCmdletBase
    {
        /// <summary>The T1 (AtlasVolume, FileInfo or path).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Files)]
        public object T1 { get; set; }

        /// <summary>The lesion mask (AtlasVolume, FileInfo or path).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = ParameterSets.Files)]
        public object Mask { get; set; }

        /// <summary>Subjects: the T1 and each lesion mask of -MaskKind.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Subject)]
        public object InputObject { get; set; }

        [Parameter(ParameterSetName = ParameterSets.Subject)]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        /// <summary>White-matter mask on the T1's grid; without it, 3-class k-means estimates one.</summary>
        [Parameter]
        public object WhiteMatterMask { get; set; }

        [Parameter]
        [ValidateRange(0.0, 100.0)]
        public double Percent { get; set; } = 5;

        /// <summary>The corrected mask file (Files set).</summary>
        [Parameter(ParameterSetName = ParameterSets.Files)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Folder for corrected masks (&lt;mask name&gt;_wmcorrected.nii.gz); required (the subjects' dataset is never written).</summary>
        [Parameter(ParameterSetName = ParameterSets.Subject)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private int _count;

        protected override void EndProcessing() => CompleteProgress("Invoke-LesionWhiteMatterCorrection");

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            if (ParameterSetName == ParameterSets.Files)
            {
                try
                {
                    var t1 = LoadVolume(T1);
                    var items = ExpandMasks(Mask, null);
                    if (items.Count != 1) throw new ArgumentException("-Mask must name exactly one mask.");
                    Correct(t1, items[0], OutputPath != null ? ResolveOutputPath(OutputPath) : null);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "WhiteMatterCorrectionFailed", Describe(Mask));
                }
                return;
            }
            var subject = AsSubject(InputObject);
            try
            {
                if (subject == null) throw new ArgumentException("Give an AtlasSubject, or use -T1 and -Mask.");
                if (Destination == null) ThrowTerminatingError(DestinationRequired("white-matter-corrected masks"));
                if (string.IsNullOrEmpty(subject.T1Path)) throw new ArgumentException("Subject " + subject + " has no T1.");
                Atlas.Core.Volumes.AtlasVolume t1 = null;
                foreach (var item in ExpandMasks(subject, MaskKind))
                {
                    string dir = PrepareDestination(Destination, subject.Root);
                    string target = System.IO.Path.Combine(dir, NiftiFiles.StripExtension(System.IO.Path.GetFileName(item.Path)) + "_wmcorrected.nii.gz");
                    if (t1 == null) t1 = NiftiReader.Read(subject.T1Path);
                    Correct(t1, item, target);
                }
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "WhiteMatterCorrectionFailed", Describe(InputObject));
            }
        }

        // The white-matter mask's file, when it has one (for the up-to-date rule).
        private string WhiteMatterPath()
        {
            switch (Unwrap(WhiteMatterMask))
            {
                case string s: return ResolveOutputPath(s);
                case FileInfo f: return f.FullName;
                case Atlas.Core.Volumes.AtlasVolume v: return v.Path;
                default: return null;
            }
        }

        private void Correct(Atlas.Core.Volumes.AtlasVolume t1, LesionMaskItem item, string target)
        {
            try
            {
                if (target != null)
                {
                    string wmPath = WhiteMatterPath();
                    var inputs = t1.Path != null && item.Path != null && (WhiteMatterMask == null || wmPath != null)
                        ? (wmPath != null ? new[] { t1.Path, item.Path, wmPath } : new[] { t1.Path, item.Path }) : null;
                    if (SamePath(target, item.Path)) throw new IOException("The output " + target + " would replace its input.");
                    if (!ClaimOutput(target, item.Display)) return;
                    var action = DecideOutput(target, Force, inputs);
                    if (action == OutputAction.Skip)
                    {
                        // Up to date: the record of the correction that made the file is still the result.
                        var kept = KeptResult<WhiteMatterCorrectionResult>(target);
                        if (kept != null) WriteObject(kept);
                        return;
                    }
                    if (action != OutputAction.Write) return;
                    if (!ShouldProcess(target, "Write white-matter-corrected mask")) return;
                }
                Progress("Invoke-LesionWhiteMatterCorrection", "Correcting " + item.Display + " (" + (++_count) + ")", 0, 0);
                var r = WhiteMatterCorrection.Correct(t1, Load(item), LoadOptional(WhiteMatterMask), Percent, Cancellation);
                r.SubjectId = item.SubjectId; r.Rank = item.Rank; r.ScanId = item.Provenance?.ScanId; r.Session = item.Provenance?.Session; r.MaskKind = item.Provenance?.MaskKind;
                if (target != null)
                {
                    NiftiWriter.Write(r.GetMask(), target);
                    r.OutputPath = target;
                    RecordOutput(target, SummaryOf(r));
                }
                WriteObject(r);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "WhiteMatterCorrectionFailed", item.Display);
            }
            finally
            {
                item.Volume = null;
            }
        }
    }
}
