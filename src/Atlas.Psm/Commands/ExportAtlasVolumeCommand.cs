using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>Export-AtlasVolume: writes an AtlasVolume as .nii, .nii.gz, .hdr/.img or .voi, atomically.</summary>
    [Cmdlet(VerbsData.Export, "AtlasVolume", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportAtlasVolumeCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public AtlasVolume InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Store as this datatype (values rounded; out-of-range values are an error).</summary>
        [Parameter]
        public NiftiDataType? DataType { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            string target;
            try
            {
                target = ResolveOutputPath(Path);
                NiftiFiles.KindOf(target);
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                WriteFailure(ex, "InvalidOutputPath", Path, ErrorCategory.InvalidArgument);
                return;
            }
            if (DecideOutput(target, Force, null, skipWhenUpToDate: false) != OutputAction.Write) return;
            if (!ShouldProcess(target, "Write image")) return;
            try
            {
                NiftiWriter.Write(InputObject, target, new NiftiWriteOptions { DataType = DataType });
                if (PassThru) WriteFileObject(target);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "ExportAtlasVolumeFailed", target);
            }
        }
    }
}
