using System;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Export-AtlasVolume: writes an AtlasVolume (or the image of a file, -LiteralPath) as .nii, .nii.gz,
    /// .hdr/.img or .voi, atomically, under the one regeneration rule.
    /// </summary>
    [Cmdlet(VerbsData.Export, "AtlasVolume", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportAtlasVolumeCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public AtlasVolume InputObject { get; set; }

        /// <summary>An image file to convert (Get-ChildItem output binds here through PSPath).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; }

        /// <summary>The file to write (its extension chooses the format).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Path")]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Store as this datatype (values rounded; out-of-range values are an error).</summary>
        [Parameter]
        public NiftiDataType? DataType { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            string target, source = null;
            try
            {
                target = ResolveOutputPath(OutputPath);
                NiftiFiles.KindOf(target);
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                WriteFailure(ex, "InvalidOutputPath", OutputPath, ErrorCategory.InvalidArgument);
                return;
            }
            if (ParameterSetName == ParameterSets.LiteralPath)
            {
                source = ResolveExistingPath(LiteralPath);
                if (source == null) return;
                if (string.Equals(System.IO.Path.GetFullPath(source), System.IO.Path.GetFullPath(target), PathComparison))
                {
                    WriteFailure(new IOException("The output " + target + " would replace its input."), "OutputIsInput", target, ErrorCategory.InvalidArgument);
                    return;
                }
            }
            // A file is an input that can be compared; a volume in memory may differ from the file it was read from.
            var action = DecideOutput(target, Force, source != null ? new[] { source } : null, skipWhenUpToDate: source != null);
            if (action == OutputAction.Skip) { if (PassThru) WriteFileObject(target); return; }
            if (action != OutputAction.Write) return;
            if (!ShouldProcess(target, "Write image")) return;
            try
            {
                var volume = source != null ? NiftiReader.Read(source) : InputObject;
                NiftiWriter.Write(volume, target, new NiftiWriteOptions { DataType = DataType });
                RecordOutput(target);
                if (PassThru) WriteFileObject(target);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "ExportAtlasVolumeFailed", ex is NiftiFormatException n && n.FilePath == source ? (object)source : target);
            }
        }
    }
}
