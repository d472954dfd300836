using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// ConvertTo-AtlasCanonical: voxel axes reordered and flipped to the closest RAS+ orientation (or
    /// -Orientation) without interpolation, as nibabel's as_closest_canonical; qform and sform both
    /// follow. Volumes and paths give volumes unless -OutputPath or -Destination is given; subjects
    /// (T1 and masks) are written under -Destination.
    /// </summary>
    [Cmdlet(VerbsData.ConvertTo, "AtlasCanonical", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(AtlasVolume), typeof(FileInfo))]
    public sealed class ConvertToAtlasCanonicalCommand : SpatialCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public object InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The target orientation: three letters from R/L, A/P, S/I (RAS by default; FSL stores LAS).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(OrientationCompleter))]
        [ValidateNotNullOrEmpty]
        public string Orientation { get; set; } = "RAS";

        /// <summary>The output file (one input).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>Folder for the outputs: file names kept, a subject's files keep their place below the dataset root.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private string _target;

        protected override void BeginProcessing()
        {
            if (OutputPath != null && Destination != null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -OutputPath or -Destination, not both."), "OutputPathAndDestination", ErrorCategory.InvalidArgument, OutputPath));
            try { _target = Canonical.ParseOrientation(Orientation); }
            catch (ArgumentException ex) { ThrowTerminatingError(new ErrorRecord(ex, "BadOrientation", ErrorCategory.InvalidArgument, Orientation)); }
        }

        protected override void ProcessRecord()
        {
            List<SpatialItem> items;
            try { items = ExpandImages(InputObject, Path, LiteralPath, OutputPath != null || Destination != null); }
            catch (Exception ex) when (IsInputFailure(ex)) { WriteFailure(ex, "ConvertToAtlasCanonicalFailed", Describe(InputObject)); return; }
            foreach (var item in items) ConvertOne(item);
        }

        private void ConvertOne(SpatialItem item)
        {
            if (Cancellation.IsCancellationRequested) return;
            string target = null;
            try
            {
                target = OutputFor(item, OutputPath, Destination);
                if (target == null) { WriteObject(Make(item)); return; }
                WriteResult(item, target, "Reorient to " + _target, new[] { item.Path }, Force, () => Make(item));
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "ConvertToAtlasCanonicalFailed", target ?? item.Display);
            }
            finally
            {
                item.Volume = null;
            }
        }

        private AtlasVolume Make(SpatialItem item)
        {
            var r = Canonical.ReorientDetailed(LoadItem(item), _target);
            if (r.QFormSFormDifferenceMm > 1.0)
                WriteWarning(item.Display + ": its qform and sform disagree by up to " + r.QFormSFormDifferenceMm.ToString("0.##", CultureInfo.InvariantCulture)
                    + " mm; the sform was used (sform_code > 0) and both were reoriented as stored.");
            WriteVerbose(item.Display + ": " + r.FromOrientation + " → " + r.ToOrientation + (r.Unchanged ? " (already " + r.ToOrientation + "; voxels unchanged)" : ""));
            var v = r.Volume;
            v.Path = null;
            return v;
        }
    }

    /// <summary>Tab completion of orientation codes: the common ones first, then all 48.</summary>
    public sealed class OrientationCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
        {
            var seen = new HashSet<string>();
            foreach (var c in AllCodes())
                if (seen.Add(c) && c.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
                    yield return new CompletionResult(c, c, CompletionResultType.ParameterValue, c);
        }

        private static IEnumerable<string> AllCodes()
        {
            yield return "RAS"; yield return "LAS"; yield return "LPS"; yield return "LPI"; yield return "RPI";
            var letters = new[] { "RL", "AP", "SI" };
            var perms = new[] { new[] { 0, 1, 2 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 }, new[] { 1, 2, 0 }, new[] { 2, 0, 1 }, new[] { 2, 1, 0 } };
            foreach (var p in perms)
                for (int f = 0; f < 8; f++)
                    yield return new string(new[] { letters[p[0]][f & 1], letters[p[1]][(f >> 1) & 1], letters[p[2]][(f >> 2) & 1] });
        }
    }
}
