using System;
using System.Management.Automation;
using Atlas.Core.Spatial;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Import-AtlasTransform: reads an affine transform file (ITK/ANTs text or .mat, elastix
    /// TransformParameters, FSL FLIRT .mat, 4x4 RAS matrix) as an AffineTransform whose Matrix is the
    /// RAS fixed→moving map. FSL files need -FixedImage (FLIRT's -ref) and -MovingImage (FLIRT's -in).
    /// </summary>
    [Cmdlet(VerbsData.Import, "AtlasTransform", DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(AffineTransform))]
    public sealed class ImportAtlasTransformCommand : SpatialCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The file's convention (default: from its content; a numeric .mat is FSL).</summary>
        [Parameter]
        public TransformFormat Format { get; set; } = TransformFormat.Auto;

        /// <summary>The fixed (reference) image of an FSL or elastix transform: path, file, AtlasVolume or Grid.</summary>
        [Parameter]
        [Alias("Reference")]
        public object FixedImage { get; set; }

        /// <summary>The moving (input) image of an FSL transform: path, file, AtlasVolume or Grid.</summary>
        [Parameter]
        public object MovingImage { get; set; }

        /// <summary>Output the inverse (moving→fixed) transform.</summary>
        [Parameter]
        public SwitchParameter Inverse { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputPaths(Path, LiteralPath))
            {
                try
                {
                    var t = TransformFiles.Read(file, Format, GridOf(FixedImage), GridOf(MovingImage));
                    WriteObject(Inverse ? t.Inverse() : t);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, ex is Atlas.Core.Volumes.GeometryException g ? Atlas.Core.Volumes.GeometryException.ErrorIdFor(g.Kind) : "ImportAtlasTransformFailed", file);
                }
            }
        }
    }
}
