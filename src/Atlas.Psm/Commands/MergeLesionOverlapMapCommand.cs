using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Merge-LesionOverlapMap: adds up partial count maps (New-LesionOverlapMap -Partial, one per
    /// shard) into the maps one pass over all masks would give: counts and N are integers, so the
    /// result is exact.
    /// </summary>
    [Cmdlet(VerbsData.Merge, "LesionOverlapMap", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(LesionOverlapResult))]
    public sealed class MergeLesionOverlapMapCommand : LesionCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The merged proportion map (with -Partial: the merged count map).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CountPath { get; set; }

        /// <summary>Write the merged counts as a partial map again (merging in several levels).</summary>
        [Parameter]
        public SwitchParameter Partial { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private LesionOverlapMap _map;
        private readonly List<string> _inputs = new List<string>();
        private readonly HashSet<string> _added = NewPathSet();
        private int _failed;

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputPaths(Path, LiteralPath))
            {
                if (Cancellation.IsCancellationRequested) return;
                try
                {
                    if (!_added.Add(file)) { WriteDuplicateInput(file, "the merged map"); continue; }
                    Progress("Merge-LesionOverlapMap", "Adding " + file, 0, 0);
                    var v = NiftiReader.Read(file);
                    if (!LesionOverlapMap.IsCountMap(v.Header))
                        throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, file, "not a partial lesion count map (write shards with New-LesionOverlapMap -Partial).");
                    if (_map == null) _map = new LesionOverlapMap(v.Grid, v.Header, file);
                    _map.AddPartial(v);
                    _inputs.Add(file);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    _failed++;
                    WriteFailure(ex, "MergeLesionOverlapMapFailed", file);
                }
            }
        }

        protected override void EndProcessing()
        {
            CompleteProgress("Merge-LesionOverlapMap");
            if (_map == null)
            {
                WriteError(new ErrorRecord(new InvalidOperationException("No partial map could be read; nothing was written."),
                    "NoPartialMaps", ErrorCategory.InvalidData, OutputPath));
                return;
            }
            if (_failed > 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(_failed + " partial map(s) could not be merged; the merged map would be incomplete, so nothing was written."),
                    "IncompleteMerge", ErrorCategory.InvalidData, OutputPath));
                return;
            }
            try
            {
                var r = WriteOverlapMaps(_map, OutputPath, CountPath, Partial, Force, _inputs, true);
                if (r != null) WriteObject(r);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "MergeLesionOverlapMapFailed", OutputPath);
            }
        }
    }
}
