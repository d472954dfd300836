using System;
using System.Collections.Generic;
using System.Management.Automation;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-AtlasBiasCorrection: N4 bias-field correction of a T1 (Atlas.Core.Intensity.N4BiasCorrection);
    /// writes the corrected image (OUT = IN / FIELD) and, with -BiasFieldPath, the field.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AtlasBiasCorrection", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(BiasCorrectionResult))]
    public sealed class InvokeAtlasBiasCorrectionCommand : IntensityCmdletBase
    {
        /// <summary>Where the multiplicative field is written (float32).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string BiasFieldPath { get; set; }

        [Parameter]
        [ValidateRange(1, 16)]
        public int ShrinkFactor { get; set; } = 4;

        /// <summary>Iterations per level; the number of entries is the number of levels.</summary>
        [Parameter]
        [ValidateCount(1, 8)]
        [ValidateRange(1, 1000)]
        public int[] MaximumIterations { get; set; } = { 50, 50, 50, 50 };

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double ConvergenceThreshold { get; set; } = 0.001;

        [Parameter]
        [ValidateRange(4, 64)]
        public int InitialControlPoints { get; set; } = 4;

        [Parameter]
        [ValidateRange(10, 4096)]
        public int HistogramBins { get; set; } = 200;

        [Parameter]
        [ValidateRange(0.001, 5.0)]
        public double BiasFieldFwhm { get; set; } = 0.15;

        [Parameter]
        [ValidateRange(1e-6, 1.0)]
        public double WienerNoise { get; set; } = 0.01;

        [Parameter]
        [ValidateRange(0.0, 50.0)]
        public double LesionDilationMm { get; set; } = 3;

        protected override void EndProcessing() => CompleteProgress("Invoke-AtlasBiasCorrection");

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            string t1Path = ResolveT1();
            if (t1Path == null) return;
            try
            {
                var mask = ReadMask(Mask, "-Mask");
                var lesion = ReadMask(LesionMask, "-LesionMask");
                var inputs = InputFiles(t1Path, mask, lesion);
                var all = new List<string> { t1Path };
                if (mask?.Path != null) all.Add(mask.Path);
                if (lesion?.Path != null) all.Add(lesion.Path);
                string output = CheckOutput(OutputPath, "-OutputPath", all, t1Path);
                if (output == null) return;
                string fieldPath = null;
                if (BiasFieldPath != null)
                {
                    fieldPath = CheckOutput(BiasFieldPath, "-BiasFieldPath", all, t1Path);
                    if (fieldPath == null) return;
                    if (SamePath(fieldPath, output)) throw new ArgumentException("-BiasFieldPath names the same file as -OutputPath (" + output + ").");
                }
                // Both files are one result: a refused one leaves both; when every one is up to date, nothing is redone.
                var targets = fieldPath == null ? new[] { output } : new[] { output, fieldPath };
                bool anyWrite = false;
                foreach (var t in targets)
                {
                    var a = DecideOutput(t, Force, inputs);
                    if (a == OutputAction.Refuse) return;
                    if (a == OutputAction.Write) anyWrite = true;
                }
                if (!anyWrite)
                {
                    // Up to date: the record of the correction that made the files is still the result.
                    var kept = KeptResult<BiasCorrectionResult>(output);
                    if (kept != null) WriteObject(kept);
                    return;
                }
                if (!ShouldProcess(output, "Write bias-corrected image" + (fieldPath != null ? " and its field " + fieldPath : ""))) return;

                Progress("Invoke-AtlasBiasCorrection", "N4 on " + t1Path, 0, 0);
                var t1 = ReadT1(t1Path);
                var options = new N4Options
                {
                    ShrinkFactor = ShrinkFactor, MaximumIterations = MaximumIterations, ConvergenceThreshold = ConvergenceThreshold,
                    InitialControlPoints = InitialControlPoints, HistogramBins = HistogramBins, BiasFieldFwhm = BiasFieldFwhm,
                    WienerNoise = WienerNoise, LesionDilationMm = LesionDilationMm,
                };
                var r = N4BiasCorrection.Correct(t1, mask, lesion, options, Cancellation);
                foreach (var w in r.Warnings) WriteWarning(t1Path + ": " + w);
                NiftiWriter.Write(r.GetCorrected(), output);
                r.OutputPath = output;
                if (fieldPath != null)
                {
                    NiftiWriter.Write(r.GetBiasField(), fieldPath);
                    r.BiasFieldPath = fieldPath;
                }
                var summary = SummaryOf(r);
                RecordOutput(output, summary);
                if (fieldPath != null) RecordOutput(fieldPath, summary);
                WriteObject(r);
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException || ex is DriveNotFoundException)
            {
                WriteFailure(ex, "BiasCorrectionFailed", t1Path);
            }
        }
    }
}
