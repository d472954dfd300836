using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Metrics;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Measure-LesionOverlap: Dice, volumes, surface distances and lesion-wise detection of a
    /// candidate mask against a reference mask (OverlapMetrics.Compute), one LesionOverlap per pair.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "LesionOverlap", DefaultParameterSetName = ParameterSets.Pair)]
    [OutputType(typeof(LesionOverlap))]
    public sealed class MeasureLesionOverlapCommand : AtlasCmdlet
    {
        private const string Activity = "Measure-LesionOverlap";
        private readonly List<LesionOverlap> _rows = new List<LesionOverlap>();
        private int _pairs;

        /// <summary>Subjects whose masks are compared (Get-AtlasSubject output).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Subject)]
        public AtlasSubject InputObject { get; set; }

        /// <summary>The reference mask: path, FileInfo, AtlasVolume; for subjects a mask kind or a scriptblock.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Pair)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Subject)]
        [ArgumentCompleter(typeof(MaskKindCompleter))]
        [ValidateNotNull]
        public object Reference { get; set; }

        /// <summary>The candidate mask, given like -Reference.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Pair)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = ParameterSets.Subject)]
        [ArgumentCompleter(typeof(MaskKindCompleter))]
        [ValidateNotNull]
        public object Candidate { get; set; }

        /// <summary>A subject label for the row when the masks are given as paths or volumes.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Pair)]
        public string SubjectId { get; set; }

        /// <summary>Compare one label of label maps (voxels equal to it) instead of the binarised masks.</summary>
        [Parameter]
        public double? Label { get; set; }

        /// <summary>6, 18 or 26: which neighbours join voxels into one lesion.</summary>
        [Parameter]
        [ValidateSet("6", "18", "26")]
        public int Connectivity { get; set; } = 26;

        /// <summary>Percentile of the directed surface distances behind Hausdorff95Mm.</summary>
        [Parameter]
        [ValidateRange(0.0, 100.0)]
        public double Percentile { get; set; } = 95;

        /// <summary>After the pairs, write Mean, SD, Median, Min and Max rows.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        // Pairs read from files reuse their voxel and mask arrays from pair to pair.
        private readonly VoxelBufferPool _pool = VoxelBufferPool.Shared; // shared with the pipeline's other steps

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            object refInput, candInput;
            string subjectId;
            if (ParameterSetName == ParameterSets.Subject)
            {
                if (InputObject == null) return;
                subjectId = InputObject.SubjectId;
                refInput = ForSubject(Reference, InputObject, "Reference");
                candInput = ForSubject(Candidate, InputObject, "Candidate");
                if (refInput == null || candInput == null) return;
            }
            else
            {
                subjectId = SubjectId;
                refInput = Unwrap(Reference);
                candInput = Unwrap(Candidate);
            }

            string pair = (subjectId != null ? subjectId + ": " : "") + Describe(refInput) + " vs " + Describe(candInput);
            Progress(Activity, "Pair " + (++_pairs) + ": " + pair, 0, 0);
            var options = new OverlapOptions { Connectivity = Connectivity, Percentile = Percentile };
            string rp, cp;
            AtlasVolume rv = null, cv = null;
            try
            {
                rp = AsPath(refInput); cp = AsPath(candInput);
                if (rp == null || cp == null) { rv = LoadVolume(refInput); cv = LoadVolume(candInput); }
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "MeasureLesionOverlapFailed", AsPath(candInput) ?? Describe(candInput));
                return;
            }
            // The pair is read and compared ahead of the pipeline (the next pairs are read while this one is
            // compared); rows and warnings come out here, in input order.
            var label = Label;
            var pool = _pool;
            string failTarget = cp ?? Describe(candInput);
            RunAhead(() =>
            {
                var row = rp != null && cp != null
                    ? OverlapMetrics.Compute(rp, cp, options, label, pool)
                    : OverlapMetrics.Compute(rv, cv, options, label);
                return () => Emit(row, subjectId, pair);
            }, ex => WriteFailure(ex, "MeasureLesionOverlapFailed", failTarget)); // a grid mismatch gets its kind's id (GridMismatch) from MakeError
        }

        private void Emit(LesionOverlap row, string subjectId, string pair)
        {
            row.SubjectId = subjectId;
            switch (row.EmptyMasks)
            {
                case EmptyMasks.Both:
                    WriteWarning("Both masks are empty (" + pair + "): counted as perfect agreement (Dice 1, distances 0).");
                    break;
                case EmptyMasks.Reference:
                case EmptyMasks.Candidate:
                    WriteWarning("The " + (row.EmptyMasks == EmptyMasks.Reference ? "reference" : "candidate") + " mask is empty (" + pair + "): Dice 0, surface distances NaN.");
                    break;
            }
            if (Summary) _rows.Add(row);
            WriteObject(row);
        }

        protected override void EndProcessing()
        {
            FinishWorkAhead();
            if (_pairs > 0) CompleteProgress(Activity);
            if (Summary && _rows.Count > 0) WriteObject(OverlapSummary.Summarize(_rows), true);
        }

        /// <summary>A file path for a string or FileInfo input (provider-resolved), else null.</summary>
        private string AsPath(object input)
        {
            switch (input)
            {
                case string s: return ProviderPath(s);
                case FileInfo f: return f.FullName;
                default: return null;
            }
        }

        /// <summary>What -Reference/-Candidate mean for one subject: a mask kind, a scriptblock, or a fixed path/volume.</summary>
        private object ForSubject(object spec, AtlasSubject subject, string role)
        {
            var o = Unwrap(spec);
            if (o is ScriptBlock sb)
            {
                var result = sb.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", subject), new PSVariable("PSItem", subject) }, subject);
                object first = result.Count > 0 ? Unwrap(result[0]) : null;
                if (first == null)
                {
                    WriteError(new ErrorRecord(new ArgumentException("The -" + role + " scriptblock returned nothing for subject " + subject.SubjectId + "."),
                        "NoMaskFromScriptBlock", ErrorCategory.InvalidArgument, subject));
                    return null;
                }
                return first;
            }
            if (o is string kind && AtlasSubject.TryParseMaskKind(kind, out _))
            {
                string path = subject.GetMaskPath(kind);
                if (path == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException("Subject " + subject.SubjectId + " has no " + kind + " mask."),
                        "MaskKindNotFound", ErrorCategory.ObjectNotFound, subject));
                    return null;
                }
                return path;
            }
            return o;
        }
    }
}
