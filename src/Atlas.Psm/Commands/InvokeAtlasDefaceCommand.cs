using System;
using System.Collections.Generic;
using System.Management.Automation;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Invoke-AtlasDeface: zeroes the face of a T1 in its own space. The face is defined once in template space
    /// (StandardSpace.FaceRegion: head voxels in front of and below the brain, 5 mm from it) and mapped into the scan
    /// through the registration: -TransformPath (fixed to moving, as Invoke-AtlasRegistration writes it), or a
    /// registration made here. Nothing else in the scan changes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AtlasDeface", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(DefaceResult))]
    public sealed class InvokeAtlasDefaceCommand : T1CmdletBase
    {
        /// <summary>The template the face is defined on.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public object Template { get; set; }

        /// <summary>The template's brain mask: the face keeps 5 mm from it. Default: the mask beside the template under its distributor's name (StandardSpace.FindTemplateBrainMask).</summary>
        [Parameter]
        public object TemplateMask { get; set; }

        /// <summary>A transform from the template to this T1 (ITK .txt/.tfm or FLIRT .mat); without it the T1 is registered here.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TransformPath { get; set; }

        // The template, its brain mask and face region: the same for every T1 of the invocation, made once.
        private AtlasVolume _template, _brain;
        private byte[] _face;
        private long _faceVoxels;

        /// <summary>Without -TemplateMask: the brain mask beside the template file, or an error naming what was looked for.</summary>
        private string FindBrainMask(AtlasVolume template)
        {
            string found = StandardSpace.FindTemplateBrainMask(template.Path, out var tried);
            if (found == null)
                throw new ArgumentException("Give -TemplateMask, the template's brain mask: the face is defined by its distance from the brain, and no mask lies beside "
                    + (template.Path ?? "the template (a volume in memory)") + (tried.Count > 0 ? " (looked for " + string.Join(", ", tried) + ")" : "") + ".");
            WriteVerbose("The template's brain mask: " + found + " (found beside the template).");
            return found;
        }

        protected override void ProcessRecord()
        {
            if (Cancellation.IsCancellationRequested) return;
            string target = Path ?? LiteralPath;
            try
            {
                target = ResolveT1();
                if (target == null) return;
                string output = ResolveOutputPath(OutputPath);
                if (!ClaimOutput(output, target, "give each T1 its own -OutputPath")) return;
                var t1 = NiftiReader.Read(target);
                if (t1.Path != null && string.Equals(t1.Path, output, PathComparison)) throw new ArgumentException("-OutputPath names the T1 itself (" + output + "); the scan it reads is never replaced.");
                if (t1.FramesLoaded > 1) WriteWarning(target + ": a 4D image with " + t1.FramesLoaded + " frames; the face is zeroed in every frame.");
                if (_template == null) _template = LoadVolume(Template);
                if (_brain == null) _brain = LoadVolume(TemplateMask ?? FindBrainMask(_template));
                var template = _template;
                var brain = _brain;
                var lesion = LesionMask == null ? null : LoadVolume(LesionMask);
                string transformPath = TransformPath == null ? null : ProviderPath(TransformPath);
                var inputs = new List<string> { t1.Path, template.Path, brain.Path, transformPath, lesion?.Path };
                var action = DecideOutput(output, Force, inputs);
                if (action == OutputAction.Refuse) return;
                if (action == OutputAction.Skip)
                {
                    var kept = KeptResult<DefaceResult>(output);
                    if (kept != null) WriteObject(kept);
                    return;
                }
                if (!ShouldProcess(output, "Write " + target + " with its face zeroed")) return;

                Progress("Invoke-AtlasDeface", "Defacing " + target, 0, 0);
                if (_face == null)
                {
                    _face = StandardSpace.FaceRegion(template, brain);
                    foreach (var b in _face) if (b != 0) _faceVoxels++;
                }
                var face = _face;
                AffineTransform transform;
                var result = new DefaceResult { Path = t1.Path, OutputPath = output, TransformPath = transformPath };
                if (transformPath != null)
                    transform = TransformFiles.Read(transformPath, TransformFiles.FormatForExtension(transformPath), template.Grid, t1.Grid);
                else
                {
                    // As ConvertTo-AtlasStandardSpace registers: N4 first (the lesion left out), then the template's brain drives
                    // the cost (and fits a bias field at the finest level).
                    var union = lesion == null ? null : StandardSpace.LesionUnion(t1, new[] { lesion }, Cancellation);
                    var corrected = N4BiasCorrection.Correct(t1, null, union, new N4Options(), Cancellation).GetCorrected();
                    var reg = AffineRegistration.Register(corrected, template, brain, union, new RegistrationOptions(), Cancellation);
                    foreach (var w in reg.Warnings) WriteWarning(target + ": " + w);
                    if (reg.Verdict == RegistrationVerdict.Failed)
                        WriteWarning("The registration of " + target + " failed its checks (" + reg.VerdictReason + "); the face was mapped through it anyway: look at the result.");
                    transform = reg.Transform;
                    result.Verdict = reg.Verdict.ToString();
                }
                var defaced = StandardSpace.DefaceNative(t1, template.Grid, face, transform, out long zeroed, Cancellation);
                NiftiWriter.Write(defaced, output);
                result.ZeroedVoxels = zeroed;
                result.TemplateFaceVoxels = _faceVoxels;
                RecordOutput(output, SummaryOf(result));
                WriteObject(result);
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException)
            {
                WriteFailure(ex, "InvokeAtlasDefaceFailed", target);
            }
            finally
            {
                CompleteProgress("Invoke-AtlasDeface");
            }
        }
    }

    /// <summary>What Invoke-AtlasDeface did to one scan.</summary>
    public sealed class DefaceResult
    {
        public string Path { get; set; }
        public string OutputPath { get; set; }
        /// <summary>The transform used (null when the registration was made here).</summary>
        public string TransformPath { get; set; }
        /// <summary>The verdict of the registration made here (Good, Suspect, Failed); null with -TransformPath.</summary>
        public string Verdict { get; set; }
        /// <summary>Non-zero voxels of the scan set to 0.</summary>
        public long ZeroedVoxels { get; set; }
        /// <summary>Voxels of the face region in template space.</summary>
        public long TemplateFaceVoxels { get; set; }
    }
}
