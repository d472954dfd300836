using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// What the cmdlets that take one T1 per call and write one image share (Invoke-AtlasBiasCorrection,
    /// Invoke-AtlasIntensityNormalization, Invoke-AtlasDeface): -Path (wildcards that must match one file; binds a
    /// subject's T1Path) or -LiteralPath (binds Get-ChildItem's PSPath), resolved to one image file; -LesionMask;
    /// -OutputPath and -Force.
    /// </summary>
    public abstract class T1CmdletBase : LesionCmdletBase
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

        /// <summary>Lesion mask on the T1's grid (AtlasVolume, FileInfo or path): left out of what is estimated from the T1.</summary>
        [Parameter]
        public object LesionMask { get; set; }

        /// <summary>The output image.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The one T1 -Path or -LiteralPath names, or null after an error (nothing found, several files, a folder).</summary>
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
    }
}
