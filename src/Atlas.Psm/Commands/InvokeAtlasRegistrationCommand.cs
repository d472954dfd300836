using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-AtlasRegistration: affine registration of a T1 to a template (AffineRegistration), the transform
    /// written as an ITK text file (.txt/.tfm) or a FLIRT matrix (.mat), optionally the T1 resampled onto the
    /// template; outputs the RegistrationResult (matrix, final cost, verdict).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AtlasRegistration", SupportsShouldProcess = true)]
    [OutputType(typeof(RegistrationResult))]
    public sealed class InvokeAtlasRegistrationCommand : AtlasCmdlet
    {
        /// <summary>The T1 to move (AtlasVolume, FileInfo or path).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Alias("Path", "T1")]
        public object Moving { get; set; }

        /// <summary>The template (AtlasVolume, FileInfo or path).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [Alias("Template")]
        public object Fixed { get; set; }

        /// <summary>The template's brain mask, on the template's grid.</summary>
        [Parameter]
        [Alias("TemplateMask")]
        public object FixedMask { get; set; }

        /// <summary>The lesion, on the moving T1's grid: dilated and left out of the cost.</summary>
        [Parameter]
        [Alias("LesionMask")]
        public object CostFunctionMask { get; set; }

        [Parameter]
        [ValidateSet("6", "7", "9", "12")]
        public int Dof { get; set; } = 12;

        [Parameter]
        public RegistrationCost Cost { get; set; } = RegistrationCost.CorrelationRatio;

        /// <summary>Millimetres the cost-function mask is grown by.</summary>
        [Parameter]
        [ValidateRange(0.0, 50.0)]
        public double CostMaskDilationMm { get; set; } = 3;

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string TransformPath { get; set; }

        /// <summary>The T1 resampled (linear) onto the template's grid.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            string target = Describe(Moving);
            try
            {
                string transformPath = ResolveOutputPath(TransformPath);
                string outputPath = OutputPath == null ? null : ResolveOutputPath(OutputPath);
                var format = TransformFiles.FormatForExtension(transformPath); // a bad extension fails before any work
                if (!ClaimOutput(transformPath, target, "give each T1 its own -TransformPath")) return;
                if (outputPath != null && !ClaimOutput(outputPath, target, "give each T1 its own -OutputPath")) return;

                var moving = LoadVolume(Moving);
                target = moving.Path ?? target;
                var fixedImage = LoadVolume(Fixed);
                var fixedMask = FixedMask == null ? null : LoadVolume(FixedMask);
                var costMask = CostFunctionMask == null ? null : LoadVolume(CostFunctionMask);
                var inputs = new[] { moving.Path, fixedImage.Path, fixedMask?.Path, costMask?.Path };
                var options = new RegistrationOptions { Dof = Dof, Cost = Cost, CostMaskDilationMm = CostMaskDilationMm };

                var transformAction = DecideOutput(transformPath, Force, inputs);
                if (transformAction == OutputAction.Refuse) return;
                var outputAction = outputPath == null ? OutputAction.Skip : DecideOutput(outputPath, Force, new[] { moving.Path, fixedImage.Path, transformPath });
                if (outputAction == OutputAction.Refuse) return;

                RegistrationResult result;
                if (transformAction == OutputAction.Skip)
                {
                    // Up to date: the kept transform is assessed, not recomputed, so a rerun still gives the record.
                    var kept = TransformFiles.Read(transformPath, format, fixedImage.Grid, moving.Grid);
                    result = AffineRegistration.Assess(moving, fixedImage, kept.Matrix, fixedMask, costMask, options, Cancellation);
                }
                else
                {
                    if (!ShouldProcess(transformPath, "Register " + target + " to " + Describe(Fixed) + " (" + Dof + " DOF, " + Cost + ") and write the transform")) return;
                    Progress("Invoke-AtlasRegistration", "Registering " + target, 0, 0);
                    result = AffineRegistration.Register(moving, fixedImage, fixedMask, costMask, options, Cancellation);
                    TransformFiles.Write(transformPath, result.Transform, format, fixedImage.Grid, moving.Grid);
                }
                result.MovingPath = moving.Path;
                result.FixedPath = fixedImage.Path;
                result.TransformPath = transformPath;
                foreach (var w in result.Warnings) WriteWarning(w);
                if (result.Verdict == RegistrationVerdict.Failed)
                    WriteWarning("The registration of " + target + " failed its checks: " + result.VerdictReason + ". The transform was written; look at the overlay before using it.");
                else if (result.Verdict == RegistrationVerdict.Suspect)
                    WriteWarning("The registration of " + target + " is suspect: " + result.VerdictReason + ".");

                if (outputPath != null)
                {
                    if (outputAction == OutputAction.Write && ShouldProcess(outputPath, "Write " + target + " resampled onto the template (linear)"))
                    {
                        var registered = Resampler.Resample(moving, fixedImage.Grid, result.Transform, Interpolation.Linear, Cancellation);
                        NiftiWriter.Write(registered, outputPath);
                    }
                    result.OutputPath = outputPath;
                }
                WriteObject(result);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "InvokeAtlasRegistrationFailed", target);
            }
            finally
            {
                CompleteProgress("Invoke-AtlasRegistration");
            }
        }
    }
}
