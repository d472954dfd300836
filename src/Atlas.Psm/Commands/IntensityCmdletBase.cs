using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// What the intensity cmdlets (Invoke-AtlasBiasCorrection, Invoke-AtlasIntensityNormalization) share:
    /// -Path (one T1, frame 0 of a 4D file with a warning), -Mask and -LesionMask on its grid, and the
    /// checks and keep/overwrite decision for the images they write.
    /// </summary>
    public abstract class IntensityCmdletBase : LesionCmdletBase
    {
        /// <summary>The T1 image (a path; wildcards must match one file); binds a subject's T1Path.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Path)]
        [Alias("T1Path")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>The T1 image, the name taken as it is; binds Get-ChildItem output (PSPath).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; }

        /// <summary>Brain (or head) mask on the T1's grid: AtlasVolume, FileInfo or path.</summary>
        [Parameter]
        public object Mask { get; set; }

        /// <summary>Lesion mask on the T1's grid: AtlasVolume, FileInfo or path; left out of the estimation.</summary>
        [Parameter]
        public object LesionMask { get; set; }

        /// <summary>The output image.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The one T1 -Path names, or null after an error.</summary>
        protected string ResolveT1()
        {
            var paths = ResolveInputPaths(Path, LiteralPath);
            if (paths.Count == 0) return null;
            if (paths.Count > 1)
            {
                // Only wildcards match several files, so this is -Path.
                WriteError(new ErrorRecord(new ArgumentException("-Path '" + Path + "' matches " + paths.Count + " files; give one T1 per call (pipe files for several)."),
                    "AmbiguousPath", ErrorCategory.InvalidArgument, Path));
                return null;
            }
            if (Directory.Exists(paths[0]))
            {
                WriteError(new ErrorRecord(new ArgumentException(paths[0] + " is a folder, not an image."), "NotAnImage", ErrorCategory.InvalidArgument, paths[0]));
                return null;
            }
            return paths[0];
        }

        /// <summary>Frame 0 of the T1 (a 4D file is warned about); complex data is refused by the reader.</summary>
        protected AtlasVolume ReadT1(string path)
        {
            var v = NiftiReader.Read(path, new NiftiReadOptions { Frame = 0 });
            if (v.FrameCount > 1)
                WriteWarning(path + ": a 4D image with " + v.FrameCount + " frames; only its first frame (0) is used.");
            return v;
        }

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
