using System;
using System.Management.Automation;
using Atlas.Core.Lesions;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>Invoke-LesionFill: MRIcron's 3D fill from a seed; outputs the mask volume.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "LesionFill", DefaultParameterSetName = ParameterSets.Voxel)]
    [OutputType(typeof(AtlasVolume))]
    public sealed class InvokeLesionFillCommand : LesionCmdletBase
    {
        /// <summary>The image to fill in (an AtlasVolume, FileInfo or path), usually the T1.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Alias("Image")]
        public object InputObject { get; set; }

        /// <summary>Seed voxel (i, j, k), 0-based.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Voxel)]
        [ValidateCount(3, 3)]
        public int[] Seed { get; set; }

        /// <summary>Seed in world millimetres (x, y, z), rounded to the nearest voxel.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.World)]
        [ValidateCount(3, 3)]
        public double[] SeedMm { get; set; }

        [Parameter]
        [ValidateRange(0.001, 10000.0)]
        public double RadiusMm { get; set; } = 32;

        [Parameter]
        [ValidateRange(0.0, double.MaxValue)]
        public double EdgeDifference { get; set; } = 5;

        [Parameter]
        [ValidateRange(0.0, double.MaxValue)]
        public double OriginDifference { get; set; } = 10;

        [Parameter]
        public SwitchParameter Percent { get; set; }

        [Parameter]
        public SwitchParameter ZeroConstrains { get; set; }

        [Parameter]
        [ValidateRange(0, 100)]
        public int ErodeDilateCycles { get; set; }

        /// <summary>A barrier mask on the image's grid (AtlasVolume, FileInfo or path): its voxels never join.</summary>
        [Parameter]
        public object Constrain { get; set; }

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            try
            {
                var image = LoadVolume(InputObject);
                byte[] barrier = null;
                if (Constrain != null)
                {
                    var c = LoadVolume(Constrain);
                    GridCheck.RequireSame(image, c);
                    barrier = c.ToMask();
                }
                var options = new LesionFillOptions
                {
                    RadiusMm = RadiusMm, EdgeDifference = EdgeDifference, OriginDifference = OriginDifference, Percent = Percent,
                    ZeroConstrains = ZeroConstrains, ErodeDilateCycles = ErodeDilateCycles, Constrain = barrier,
                };
                bool world = ParameterSetName == ParameterSets.World;
                var seed = world ? SeedMm : new double[] { Seed[0], Seed[1], Seed[2] };
                WriteObject(LesionFill.FillVolume(image, seed, world, options, Cancellation));
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "InvokeLesionFillFailed", Describe(InputObject));
            }
        }
    }
}
