using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-AtlasResample: an image onto the grid of a reference through a transform file's
    /// fixed→moving map (identity without one: nibabel's resample_from_to). Masks default to nearest
    /// neighbour, images to linear. Volumes and paths give volumes unless -OutputPath or -Destination
    /// is given; subjects (T1 linear, masks nearest) are written under -Destination.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AtlasResample", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(AtlasVolume), typeof(FileInfo))]
    public sealed class InvokeAtlasResampleCommand : SpatialCmdletBase
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

        /// <summary>The grid of the output: an image (path, file, AtlasVolume) or a Grid.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public object Reference { get; set; }

        /// <summary>A transform file (ITK/ANTs, elastix, FSL .mat, 4x4 RAS matrix) mapping reference points to input points.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TransformPath { get; set; }

        /// <summary>The format of -TransformPath (default: from its content and extension).</summary>
        [Parameter]
        public TransformFormat TransformFormat { get; set; } = TransformFormat.Auto;

        /// <summary>A transform object (Import-AtlasTransform) instead of a file.</summary>
        [Parameter]
        [ValidateNotNull]
        public AffineTransform Transform { get; set; }

        /// <summary>Use the inverse of the transform (for a transform that maps input points to reference points).</summary>
        [Parameter]
        public SwitchParameter Inverse { get; set; }

        /// <summary>Nearest, Linear or BSpline (cubic); default Nearest for masks and label maps, Linear otherwise.</summary>
        [Parameter]
        public Interpolation Interpolation { get; set; }

        /// <summary>Store the output as this datatype (default: the input's).</summary>
        [Parameter]
        public NiftiDataType DataType { get; set; }

        /// <summary>The output file (one input).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Folder for the outputs: file names kept, a subject's files keep their place below the dataset root.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private ReferenceSpace _reference;
        private TransformFileSource _fileTransform;
        private int _done;

        protected override void BeginProcessing()
        {
            if (OutputPath != null && Destination != null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -OutputPath or -Destination, not both."), "OutputPathAndDestination", ErrorCategory.InvalidArgument, OutputPath));
            if (TransformPath != null && Transform != null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -TransformPath or -Transform, not both."), "TwoTransforms", ErrorCategory.InvalidArgument, TransformPath));
            _reference = LoadReference(Reference);
            if (TransformPath == null) return;
            string tp = ResolveExistingPath(TransformPath);
            if (tp == null) ThrowTerminatingError(new ErrorRecord(new FileNotFoundException("Cannot find the transform file '" + TransformPath + "'."), "TransformNotFound", ErrorCategory.ObjectNotFound, TransformPath));
            try
            {
                TransformPath = tp;
                // An FSL matrix relates the voxels of the reference and of each input: made per input (Make).
                _fileTransform = TransformFileSource.Open(tp, TransformFormat);
                if (_fileTransform.NeedsGrids) TransformFormat = TransformFormat.Fsl;
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                ThrowTerminatingError(MakeError(ex, GeometryErrorId(ex, "BadTransform"), tp));
            }
        }

        private static string GeometryErrorId(Exception ex, string fallback) => ex is GeometryException g ? GeometryException.ErrorIdFor(g.Kind) : fallback;

        protected override void ProcessRecord()
        {
            List<SpatialItem> items;
            try { items = ExpandImages(InputObject, Path, LiteralPath, OutputPath != null || Destination != null); }
            catch (Exception ex) when (IsInputFailure(ex)) { WriteFailure(ex, "InvokeAtlasResampleFailed", Describe(InputObject)); return; }
            foreach (var item in items) ResampleOne(item);
        }

        protected override void EndProcessing() => CompleteProgress("Invoke-AtlasResample");

        private void ResampleOne(SpatialItem item)
        {
            if (Cancellation.IsCancellationRequested) return;
            string target = null;
            try
            {
                Progress("Invoke-AtlasResample", "Resampling " + item.Display + " (" + (_done + 1) + ")", 0, 0);
                target = OutputFor(item, OutputPath, Destination);
                var inputs = new List<string> { item.Path, _reference.Path, TransformPath };
                if (target == null) { WriteObject(Make(item)); return; }
                WriteResult(item, target, "Resample onto " + _reference.Grid + (TransformPath != null ? " through " + TransformPath : ""), inputs, Force, () => Make(item));
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, GeometryErrorId(ex, "InvokeAtlasResampleFailed"), target ?? item.Display);
            }
            finally
            {
                item.Volume = null; // stream: one image in memory at a time
                _done++;
            }
        }

        private AtlasVolume Make(SpatialItem item)
        {
            var v = LoadItem(item);
            var t = Transform ?? _fileTransform?.For(_reference.Grid, v.Grid);
            if (t != null && Inverse) t = t.Inverse();
            var interp = MyInvocation.BoundParameters.ContainsKey(nameof(Interpolation)) ? Interpolation
                : item.IsMask ? Interpolation.Nearest : Resampler.DefaultFor(v);
            WriteVerbose(item.Display + ": " + interp + " interpolation onto " + _reference.Name);
            var options = new ResampleOptions { ReferenceHeader = _reference.Header };
            if (MyInvocation.BoundParameters.ContainsKey(nameof(DataType))) options.DataType = DataType;
            return Resampler.Resample(v, _reference.Grid, t, interp, options, Cancellation);
        }
    }
}
