using System;
using System.Management.Automation;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-AtlasIntensityNormalization: a linear intensity normalization of a T1
    /// (Atlas.Core.Intensity.IntensityNormalization): white-matter peak = 1, z-score or percentile scaling.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AtlasIntensityNormalization", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(NormalizationResult))]
    public sealed class InvokeAtlasIntensityNormalizationCommand : IntensityCmdletBase
    {
        [Parameter(Mandatory = true)]
        public NormalizationMethod Method { get; set; }

        [Parameter]
        [ValidateRange(0.0, 100.0)]
        public double LowPercentile { get; set; } = 1;

        [Parameter]
        [ValidateRange(0.0, 100.0)]
        public double HighPercentile { get; set; } = 99;

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            string t1Path = ResolveT1();
            if (t1Path == null) return;
            try
            {
                if (!(LowPercentile < HighPercentile)) throw new ArgumentException("-LowPercentile (" + LowPercentile + ") must be below -HighPercentile (" + HighPercentile + ").");
                var mask = ReadMask(Mask, "-Mask");
                var lesion = ReadMask(LesionMask, "-LesionMask");
                var inputs = InputFiles(t1Path, mask, lesion);
                string output = CheckOutput(OutputPath, "-OutputPath", inputs ?? new System.Collections.Generic.List<string> { t1Path }, t1Path);
                if (output == null) return;
                var action = DecideOutput(output, Force, inputs);
                if (action == OutputAction.Skip)
                {
                    var kept = KeptResult<NormalizationResult>(output);
                    if (kept != null) WriteObject(kept);
                    return;
                }
                if (action != OutputAction.Write) return;
                if (!ShouldProcess(output, "Write " + Method + "-normalized image")) return;
                var t1 = ReadT1(t1Path);
                var r = IntensityNormalization.Normalize(t1, mask, lesion,
                    new NormalizationOptions { Method = Method, LowPercentile = LowPercentile, HighPercentile = HighPercentile });
                foreach (var w in r.Warnings) WriteWarning(t1Path + ": " + w);
                NiftiWriter.Write(r.GetImage(), output);
                r.OutputPath = output;
                RecordOutput(output, SummaryOf(r));
                WriteObject(r);
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException || ex is DriveNotFoundException)
            {
                WriteFailure(ex, "IntensityNormalizationFailed", t1Path);
            }
        }
    }
}
