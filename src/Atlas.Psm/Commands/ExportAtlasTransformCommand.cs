using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Export-AtlasTransform: writes a transform (an AffineTransform, or a transform file to convert)
    /// as ITK/ANTs text or binary .mat, elastix parameters, FSL FLIRT .mat or a 4x4 RAS matrix, atomically.
    /// </summary>
    [Cmdlet(VerbsData.Export, "AtlasTransform", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Transform)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportAtlasTransformCommand : SpatialCmdletBase
    {
        /// <summary>The transform to write (from Import-AtlasTransform or a registration).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Transform)]
        [ValidateNotNull]
        public AffineTransform Transform { get; set; }

        /// <summary>A transform file to convert (wildcards allowed; they must match one file).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>A transform file to convert, taken literally.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; }

        /// <summary>The convention of -Path (default: from its content).</summary>
        [Parameter(ParameterSetName = ParameterSets.Path)]
        [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
        public TransformFormat InputFormat { get; set; } = TransformFormat.Auto;

        /// <summary>The file to write.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>The convention to write (default: .txt/.tfm ITK, .mat FSL; Itk with a .mat name writes ANTs' binary form).</summary>
        [Parameter]
        public TransformFormat Format { get; set; } = TransformFormat.Auto;

        /// <summary>The fixed (reference) image: needed for FSL and elastix files.</summary>
        [Parameter]
        [Alias("Reference")]
        public object FixedImage { get; set; }

        /// <summary>The moving (input) image: needed for FSL files.</summary>
        [Parameter]
        public object MovingImage { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            string target = null;
            try
            {
                target = ResolveOutputPath(OutputPath);
                var fixedGrid = GridOf(FixedImage);
                var movingGrid = GridOf(MovingImage);
                string source = null;
                var t = Transform;
                if (ParameterSetName != ParameterSets.Transform)
                {
                    var found = ResolveInputPaths(Path, LiteralPath);
                    if (found.Count == 0) return; // the not-found error is written
                    if (found.Count > 1) throw new ArgumentException("-Path '" + Path + "' matches " + found.Count + " files; a conversion takes one.");
                    source = found[0];
                    if (SamePath(source, target)) throw new IOException("The output " + target + " would replace its input.");
                    t = TransformFiles.Read(source, InputFormat, fixedGrid, movingGrid);
                }
                var format = Format == TransformFormat.Auto ? TransformFiles.FormatForExtension(target) : Format;
                if (!ClaimOutput(target, source ?? "the transform")) return;
                var decision = DecideOutput(target, Force, source == null ? null : new[] { source }, source != null);
                if (decision == OutputAction.Skip) { WriteFileObject(target); return; }
                if (decision != OutputAction.Write) return;
                if (!ShouldProcess(target, "Write " + format + " transform")) return;
                TransformFiles.Write(target, t, format, fixedGrid, movingGrid);
                WriteFileObject(target);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, ex is GeometryException g ? GeometryException.ErrorIdFor(g.Kind) : "ExportAtlasTransformFailed", target ?? OutputPath);
            }
        }
    }
}
