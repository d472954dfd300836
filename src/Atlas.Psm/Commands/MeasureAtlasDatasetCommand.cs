using System;
using System.Collections.Generic;
using System.Management.Automation;
using Atlas.Core.Datasets;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Measure-AtlasDataset: the ATLAS R1.1 paper's Tables 1 and 2 (lesions per brain and by location) for
    /// the subjects piped in or the datasets under -Path: one record per cohort and a Total record, counted
    /// from the metadata sheet, or from the mask files with -FromMasks.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "AtlasDataset", DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(DatasetTableRow))]
    public sealed class MeasureAtlasDatasetCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        [ValidateNotNull]
        public AtlasSubject[] InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Dataset roots taken literally (no wildcards); folders from Get-Item bind by PSPath.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>With -Path: the sheet to join (else the one .csv/.xlsx at each root, as Get-AtlasSubject does).</summary>
        [Parameter(ParameterSetName = ParameterSets.Path)]
        [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
        [ValidateNotNullOrEmpty]
        public string MetadataPath { get; set; }

        /// <summary>Count the mask files instead of the sheet's counts.</summary>
        [Parameter]
        public SwitchParameter FromMasks { get; set; }

        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        [Parameter]
        [ValidateRange(0.0, 0.5)]
        public double BilateralFraction { get; set; } = 0.1;

        private readonly List<AtlasSubject> _subjects = new List<AtlasSubject>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ParameterSets.InputObject)
            {
                foreach (var s in InputObject) if (s != null) _subjects.Add(s);
                return;
            }
            MetadataTable metadata = null;
            if (MetadataPath != null)
            {
                metadata = LoadMetadata(MetadataPath);
                if (metadata == null) return;
            }
            foreach (var root in ResolveInputPaths(Path, LiteralPath))
            {
                try
                {
                    var scan = DatasetScanner.Scan(root, new DatasetScanOptions { Metadata = metadata, FindRootSheet = metadata == null, Cancellation = Cancellation });
                    foreach (var n in scan.Notes) WriteVerbose(n);
                    foreach (var w in scan.Warnings) WriteWarning(w);
                    _subjects.AddRange(scan.Subjects);
                }
                catch (OperationCanceledException) { return; }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "MeasureAtlasDatasetFailed", root);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (_subjects.Count == 0) return;
            var warnings = new List<string>();
            List<DatasetTableRow> rows;
            try
            {
                if (FromMasks)
                    rows = DatasetTables.FromMasks(_subjects, MaskKind, BilateralFraction, warnings, Cancellation);
                else
                {
                    int without = 0;
                    foreach (var s in _subjects) if (!s.HasMetadata) without++;
                    if (without == _subjects.Count)
                        WriteWarning("None of the " + _subjects.Count + " scans has a metadata row: only Scans can be counted. "
                            + "Give the sheet (Get-AtlasSubject -MetadataPath) or count the mask files with -FromMasks.");
                    rows = DatasetTables.FromMetadata(_subjects, warnings);
                }
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                ThrowTerminatingError(MakeError(ex, "MeasureAtlasDatasetFailed", null));
                return;
            }
            foreach (var w in warnings) WriteWarning(w);
            foreach (var r in rows) WriteObject(r);
        }
    }
}
