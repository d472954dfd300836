using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Get-LesionComponent: the separate lesions of a mask (connected components), largest first;
    /// with -Destination one mask file per lesion, named as the ATLAS archive names them.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "LesionComponent", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(LesionComponentInfo))]
    public sealed class GetLesionComponentCommand : LesionCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public object InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter]
        [ValidateSet("6", "18", "26")]
        public int Connectivity { get; set; } = 26;

        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long MinimumVoxels { get; set; }

        /// <summary>Which masks of a subject: Lesion (default), LesionSmooth or LesionRaw.</summary>
        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        /// <summary>Folder for one mask file per lesion.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>Base of the per-lesion file names (default: the mask's file name without extension).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string BaseName { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private int _count, _lesionRank;

        // Lesion n of a mask is written as the ATLAS archive numbers separate lesions: rank n of its scan.
        protected override Atlas.Core.Datasets.FileProvenance OutputProvenance(string output, Atlas.Core.Datasets.FileProvenance fromInputs)
        {
            if (fromInputs == null) return null;
            var p = fromInputs.Clone();
            p.Rank = _lesionRank;
            return p;
        }

        protected override void EndProcessing() => CompleteProgress("Get-LesionComponent");

        protected override void ProcessRecord() =>
            ForEachMask(InputObject, Path, LiteralPath, MaskKind, "GetLesionComponentFailed", Process);

        private void Process(LesionMaskItem item)
        {
            if (Cancellation.IsCancellationRequested) return;
            try
            {
                Progress("Get-LesionComponent", "Labelling " + item.Display + " (" + (++_count) + ")", 0, 0);
                var set = LesionComponentSet.Find(Load(item), Connectivity, MinimumVoxels, Cancellation);
                string dir = Destination != null ? PrepareDestination(Destination, item.Provenance?.DatasetRoot) : null;
                string stem = BaseName ?? (item.Path != null ? NiftiFiles.StripExtension(System.IO.Path.GetFileName(item.Path)) : null);
                if (dir != null && stem == null)
                    throw new ArgumentException("The volume has no file name; give -BaseName to name the lesion files.");
                foreach (var lesion in set.Lesions)
                {
                    lesion.SubjectId = item.SubjectId;
                    lesion.MaskRank = item.Rank;
                    if (dir != null)
                    {
                        string target = System.IO.Path.Combine(dir, LesionMasks.ComponentFileName(stem, lesion.Rank));
                        if (SamePath(target, item.Path))
                        {
                            WriteFailure(new IOException("The lesion file " + target + " would replace its input mask; give another -Destination or -BaseName."),
                                "OutputIsInput", target, ErrorCategory.InvalidArgument);
                            continue;
                        }
                        if (!ClaimOutput(target, item.Display, "merge a scan's masks first (Merge-AtlasLesion) or give -BaseName")) continue;
                        _lesionRank = lesion.Rank;
                        var action = DecideOutput(target, Force, item.Path != null ? new[] { item.Path } : null);
                        if (action == OutputAction.Skip) lesion.OutputPath = target;
                        else if (action == OutputAction.Write && ShouldProcess(target, "Write the mask of lesion " + lesion.Rank))
                        {
                            NiftiWriter.Write(set.MaskOf(lesion.Rank), target);
                            lesion.OutputPath = target;
                            RecordOutput(target);
                        }
                    }
                    WriteObject(lesion);
                }
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "GetLesionComponentFailed", item.Display);
            }
            finally
            {
                item.Volume = null;
            }
        }
    }
}
