using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-LesionSmooth: MRIcron's Smooth VOI (FWHM 2 mm, threshold 0.5 as in ATLAS). Volumes and
    /// paths give smoothed volumes; with -Destination (required for subjects, whose dataset is never
    /// written) files under the published names.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "LesionSmooth", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(AtlasVolume), typeof(FileInfo))]
    public sealed class InvokeLesionSmoothCommand : LesionCmdletBase
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
        [ValidateRange(0.01, 100.0)]
        public double Fwhm { get; set; } = 2.0;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double Threshold { get; set; } = 0.5;

        [Parameter]
        public EdgeCorrection EdgeCorrection { get; set; } = EdgeCorrection.ZOnly;

        /// <summary>Which masks of a subject are smoothed: LesionRaw (default), LesionSmooth or Lesion.</summary>
        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.LesionRaw);

        /// <summary>Folder for the smoothed files (required for subjects: their dataset is never written).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private int _done;

        /// <summary>The voxel arrays of masks read, binarised and smoothed here, reused from one mask to the next.</summary>
        private readonly VoxelBufferPool _pool = VoxelBufferPool.Shared; // shared with the pipeline's other steps

        // Subjects' masks are written under -Destination (never beside them: the dataset is read-only);
        // paths and volumes give volumes unless -Destination is given.
        protected override void ProcessRecord()
        {
            if (Destination == null && AsSubject(InputObject) != null)
                ThrowTerminatingError(DestinationRequired("smoothed masks"));
            ForEachMask(InputObject, Path, LiteralPath, MaskKind, "InvokeLesionSmoothFailed", item => Smooth(item, Destination != null));
        }

        // The smoothed file is a LesionSmooth mask of the same scan and rank as the mask it was made from.
        protected override FileProvenance OutputProvenance(string output, FileProvenance fromInputs)
        {
            if (fromInputs == null) return null;
            var p = fromInputs.Clone();
            p.MaskKind = nameof(Core.Datasets.MaskKind.LesionSmooth);
            return p;
        }

        protected override void EndProcessing()
        {
            FinishWorkAhead();
            CompleteProgress("Invoke-LesionSmooth");
        }

        private void Smooth(LesionMaskItem item, bool write)
        {
            if (Cancellation.IsCancellationRequested) return;
            string target = null;
            try
            {
                Progress("Invoke-LesionSmooth", "Smoothing " + item.Display + " (" + (++_done) + ")", 0, 0);
                if (write)
                {
                    if (item.Path == null)
                        throw new ArgumentException("The volume has no file name to derive the output name from; use Export-AtlasVolume instead of -Destination.");
                    string dir = PrepareDestination(Destination, item.Provenance?.DatasetRoot);
                    target = System.IO.Path.Combine(dir, LesionMasks.SmoothFileName(item.Path));
                    if (SamePath(target, item.Path)) throw new IOException("The output " + target + " would replace its input.");
                    if (!ClaimOutput(target, item.Display)) return;
                    var action = DecideOutput(target, Force, new[] { item.Path });
                    if (action == OutputAction.Skip) { WriteFileObject(target); return; } // up to date: the kept file is the result
                    if (action != OutputAction.Write) return; // refused (error written): nothing is output
                    if (!ShouldProcess(target, "Write smoothed mask (FWHM " + Fwhm + " mm, threshold " + Threshold + ")")) return;
                }
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "InvokeLesionSmoothFailed", target ?? item.Display);
                return;
            }
            // Every decision is made; reading, smoothing and writing run ahead of the pipeline (the next masks are
            // read and smoothed while this one is compressed and synced to disk); results come out in input order.
            string output = target;
            double fwhm = Fwhm, threshold = Threshold;
            var edge = EdgeCorrection;
            var token = Cancellation;
            var pool = _pool;
            RunAhead(() =>
            {
                bool fromPool = false;
                try
                {
                    var mask = Read(item, pool, out fromPool);
                    long frames = FramesOf(mask);
                    // A volume sent down the pipeline is the user's: its array never comes from the pool. A mask this
                    // cmdlet read itself is smoothed in its own array, which then belongs to the result alone.
                    var smoothed = output != null && fromPool ? LesionSmoother.SmoothInPlace(mask, fwhm, threshold, edge, token) : null;
                    if (smoothed != null) fromPool = false;
                    else smoothed = LesionSmoother.Smooth(mask, fwhm, threshold, edge, output == null ? null : pool, token);
                    if (output == null) return () => { WarnFrames(item, frames); WriteObject(smoothed); };
                    try { NiftiWriter.Write(smoothed, output); }
                    finally { pool.Return(smoothed); }
                    return () => { WarnFrames(item, frames); WriteFileObject(output); };
                }
                finally
                {
                    if (fromPool && item.Volume != null) pool.Return(item.Volume);
                    item.Volume = null; // stream: only the masks in work are in memory
                }
            }, ex => WriteFailure(ex, "InvokeLesionSmoothFailed", output ?? item.Display));
        }
    }
}
