using System;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>Import-AtlasVolume: reads NIfTI-1/2, Analyze and .voi images into AtlasVolume objects.</summary>
    [Cmdlet(VerbsData.Import, "AtlasVolume", DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(AtlasVolume))]
    public sealed class ImportAtlasVolumeCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>Read the header and extensions only; no voxels.</summary>
        [Parameter]
        public SwitchParameter HeaderOnly { get; set; }

        /// <summary>0-based frame of a 4D image; the result is 3D and FrameCount still tells the file's frames.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Frame { get; set; }

        /// <summary>Read complex data as its magnitude (otherwise complex files are an error).</summary>
        [Parameter]
        public SwitchParameter Magnitude { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputPaths(Path, LiteralPath))
            {
                if (Cancellation.IsCancellationRequested) return;
                try
                {
                    var v = NiftiReader.Read(file, new NiftiReadOptions { HeaderOnly = HeaderOnly, Frame = Frame, ComplexAsMagnitude = Magnitude });
                    WriteObject(v);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "ImportAtlasVolumeFailed", file);
                }
            }
        }
    }
}
