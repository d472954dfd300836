using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// What the intensity cmdlets (Invoke-AtlasBiasCorrection, Invoke-AtlasIntensityNormalization) share besides
    /// the T1, -LesionMask and -OutputPath (T1CmdletBase): -Mask on the T1's grid, the reading of both masks (frame 0
    /// of a 4D file with a warning), and the checks and keep/overwrite decision for the images they write.
    /// </summary>
    public abstract class IntensityCmdletBase : T1CmdletBase
    {
        /// <summary>Brain (or head) mask on the T1's grid: AtlasVolume, FileInfo or path.</summary>
        [Parameter]
        public object Mask { get; set; }

        /// <summary>A mask parameter as a volume (frame 0 of a 4D file, warned about), or null.</summary>
        protected AtlasVolume ReadMask(object input, string parameter)
        {
            if (input == null) return null;
            var o = Unwrap(input);
            var v = o is AtlasVolume av ? av : LoadVolume(o, new NiftiReadOptions { Frame = 0 });
            if (v.FrameCount > 1 && v.FramesLoaded <= 1)
                WriteWarning((v.Path ?? parameter) + ": a 4D image with " + v.FrameCount + " frames; only its first frame (0) is used as " + parameter + ".");
            return v;
        }

        /// <summary>The files an output depends on (null when an input is only in memory, so nothing counts as up to date).</summary>
        protected List<string> InputFiles(string t1, AtlasVolume mask, AtlasVolume lesion)
        {
            var list = new List<string> { t1 };
            foreach (var v in new[] { mask, lesion })
            {
                if (v == null) continue;
                if (v.Path == null) return null;
                list.Add(v.Path);
            }
            return list;
        }

        /// <summary>
        /// Resolves and checks an output path: a NIfTI name, not one of the inputs, claimed once per run.
        /// Returns null (after an error) when it cannot be used.
        /// </summary>
        protected string CheckOutput(string output, string parameter, IEnumerable<string> inputs, string inputDisplay)
        {
            string target = ResolveOutputPath(output);
            NiftiFiles.KindOf(target);
            if (inputs != null)
                foreach (var i in inputs)
                    if (SamePath(i, target)) throw new IOException("The output " + target + " (" + parameter + ") would replace its input.");
            return ClaimOutput(target, inputDisplay) ? target : null;
        }
    }
}
