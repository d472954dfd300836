using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Merge-AtlasLesion: the union of several lesion masks (a subject's primary and secondary masks)
    /// as one binary mask, or a label map with one value per source mask. Subjects are merged one by
    /// one; other inputs are collected and merged at the end.
    /// </summary>
    [Cmdlet(VerbsData.Merge, "AtlasLesion", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(AtlasVolume), typeof(FileInfo))]
    public sealed class MergeAtlasLesionCommand : LesionCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public object[] InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>A label map (1 = first mask, 2 = second …; the first mask wins overlaps) instead of a union.</summary>
        [Parameter]
        public SwitchParameter AsLabelMap { get; set; }

        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        /// <summary>The file to write the merged mask of non-subject inputs to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Folder for subjects' merged masks (&lt;ScanId&gt;_LesionMerged.nii.gz).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private readonly List<LesionMaskItem> _collected = new List<LesionMaskItem>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ParameterSets.InputObject)
            {
                foreach (var f in ResolveInputPaths(Path, LiteralPath)) _collected.Add(new LesionMaskItem { Path = f });
                return;
            }
            foreach (var input in InputObject ?? new object[0])
            {
                if (Cancellation.IsCancellationRequested) return;
                try
                {
                    var subject = AsSubject(input);
                    if (subject == null) { _collected.AddRange(ExpandMasks(input, MaskKind)); continue; }
                    if (OutputPath != null && Destination == null)
                    {
                        // -OutputPath is one file for the merge of files and volumes; writing each
                        // subject there would either overwrite or silently keep the first subject's mask.
                        WriteError(new ErrorRecord(new ArgumentException(
                                "-OutputPath is the file for merged files and volumes; the merged mask of subject " + subject
                                + " was not written. Give -Destination, a folder for <ScanId>_LesionMerged.nii.gz."),
                            "OutputPathForSubject", ErrorCategory.InvalidArgument, subject));
                        continue;
                    }
                    var items = ExpandMasks(subject, MaskKind);
                    if (items.Count == 0) continue;
                    Progress("Merge-AtlasLesion", "Merging the masks of " + subject + " (" + (++_count) + ")", 0, 0);
                    string target = null;
                    if (Destination != null)
                        target = System.IO.Path.Combine(PrepareDestination(Destination, subject.Root), (subject.ScanId ?? subject.SubjectId) + "_LesionMerged.nii.gz");
                    if (target != null && !ClaimOutput(target, subject.Directory ?? subject.ToString())) continue;
                    Emit(items, target, subject.ToString());
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "MergeAtlasLesionFailed", Describe(input));
                }
            }
        }

        private int _count;

        protected override void EndProcessing()
        {
            CompleteProgress("Merge-AtlasLesion");
            if (_collected.Count == 0) return;
            if (OutputPath == null && Destination != null)
            {
                // -Destination names subjects' files only; the merge of files and volumes needs a file name.
                WriteError(new ErrorRecord(new ArgumentException(
                        "-Destination is the folder for subjects' merged masks; the merge of " + _collected.Count
                        + " masks was not written. Give -OutputPath, the file to write it to."),
                    "DestinationForMasks", ErrorCategory.InvalidArgument, Destination));
                return;
            }
            try
            {
                Emit(_collected, OutputPath != null ? ResolveOutputPath(OutputPath) : null, "masks");
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "MergeAtlasLesionFailed", OutputPath ?? _collected[0].Display);
            }
        }

        private void Emit(List<LesionMaskItem> items, string target, string what)
        {
            var inputs = new List<string>();
            foreach (var i in items) if (i.Path != null) inputs.Add(i.Path);
            if (target != null)
            {
                var action = DecideOutput(target, Force, inputs.Count == items.Count ? inputs : null);
                if (action == OutputAction.Skip) { WriteFileObject(target); return; } // up to date: the kept file is the result
                if (action != OutputAction.Write) return; // refused (error written): nothing is output
                if (!ShouldProcess(target, "Write the " + (AsLabelMap ? "label map" : "union") + " of " + items.Count + " " + what)) return;
            }
            var vols = new List<AtlasVolume>();
            foreach (var i in items) vols.Add(Load(i));
            var merged = LesionMasks.Merge(vols, AsLabelMap);
            if (target == null) { WriteObject(merged); return; }
            NiftiWriter.Write(merged, target);
            WriteFileObject(target);
        }
    }
}
