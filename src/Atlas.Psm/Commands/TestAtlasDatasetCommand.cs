using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;

namespace Atlas.Psm.Commands
{
    /// <summary>Test-AtlasDataset: one finding per problem of a dataset (or of piped subjects), none for a clean one.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "AtlasDataset", DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(DatasetFinding), typeof(DatasetCheckSummary))]
    public sealed class TestAtlasDatasetCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>Subjects from Get-AtlasSubject.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Subject)]
        [ValidateNotNull]
        public AtlasSubject[] InputObject { get; set; }

        [Parameter(ParameterSetName = ParameterSets.Path)]
        [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
        [ValidateNotNullOrEmpty]
        public string MetadataPath { get; set; }

        [Parameter(ParameterSetName = ParameterSets.Path)]
        [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MetadataColumnCompleter))]
        public string KeyColumn { get; set; }

        [Parameter(ParameterSetName = ParameterSets.Path)]
        [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
        public AtlasLayout Layout { get; set; }

        /// <summary>Read voxels too: mask values, empty masks, overlaps, the T1's data.</summary>
        [Parameter]
        public SwitchParameter Deep { get; set; }

        /// <summary>Write one count row per check at the end instead of the findings.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        /// <summary>End with a terminating error when any finding is an Error (non-zero exit code for scheduled tasks).</summary>
        [Parameter]
        public SwitchParameter FailOnError { get; set; }

        private readonly List<DatasetFinding> _all = new List<DatasetFinding>();
        private int _subjects;
        private int _errors;
        // Roots (or the metadata sheet) that could not be checked at all: -FailOnError must not pass them.
        private int _notChecked;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ParameterSets.Subject)
            {
                foreach (var s in InputObject) CheckSubject(s, 1, 1);
                return;
            }
            bool literal = ParameterSetName == ParameterSets.LiteralPath;
            MetadataTable metadata = null;
            if (MetadataPath != null)
            {
                metadata = LoadMetadata(MetadataPath);
                if (metadata == null) { _notChecked++; return; }
            }
            var roots = new List<string>();
            foreach (var p in literal ? LiteralPath : Path)
            {
                var resolved = ResolveInputPaths(new[] { p }, literal);
                if (resolved.Count == 0) _notChecked++;
                roots.AddRange(resolved);
            }
            foreach (var root in roots)
            {
                DatasetScanResult scan;
                try
                {
                    scan = DatasetScanner.Scan(root, new DatasetScanOptions
                    {
                        Layout = MyInvocation.BoundParameters.ContainsKey(nameof(Layout)) ? (AtlasLayout?)Layout : null,
                        Metadata = metadata,
                        KeyColumn = KeyColumn,
                        Cancellation = Cancellation,
                        FindRootSheet = metadata == null,
                    });
                }
                catch (OperationCanceledException) { return; }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "TestAtlasDatasetFailed", root);
                    _notChecked++;
                    continue;
                }
                if (scan.TotalSubjects == 0)
                {
                    // An empty folder (an unmounted share's mount point, say) is not a clean dataset.
                    WriteWarning(root + ": no ATLAS scan was found (no T1 image named as the R1.1 native, INDI standardized or BIDS layout names it).");
                    _notChecked++;
                }
                // Unmatched files and orphan rows become findings; the scan's other warnings are verbose detail.
                foreach (var n in scan.Notes) WriteVerbose(n);
                foreach (var w in scan.Warnings)
                    if (ReferenceEquals(w, scan.RootSheetWarning)) WriteWarning(w); else WriteVerbose(w);
                foreach (var f in DatasetChecker.CheckScan(scan)) Emit(f);
                for (int i = 0; i < scan.Subjects.Count; i++)
                {
                    if (Cancellation.IsCancellationRequested) return;
                    CheckSubject(scan.Subjects[i], i, scan.Subjects.Count);
                }
                CompleteProgress("Test-AtlasDataset");
            }
        }

        private void CheckSubject(AtlasSubject s, int index, int count)
        {
            if (s == null) return;
            if (count > 1) Progress("Test-AtlasDataset", "Checking " + s.ScanId, index, count);
            _subjects++;
            List<DatasetFinding> found;
            try { found = DatasetChecker.Check(s, new DatasetCheckOptions { Deep = Deep, Cancellation = Cancellation }); }
            catch (OperationCanceledException) { return; }
            foreach (var f in found) Emit(f);
        }

        private void Emit(DatasetFinding f)
        {
            if (f.Severity == FindingSeverity.Error) _errors++;
            if (Summary) _all.Add(f);
            else WriteObject(f);
        }

        protected override void EndProcessing()
        {
            if (Summary)
                foreach (var row in DatasetChecker.Summarize(_all, _subjects)) WriteObject(row);
            if (FailOnError && _notChecked > 0)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(_notChecked + " dataset root" + (_notChecked == 1 ? "" : "s") + " or metadata sheet could not be checked (missing, unreadable or without any scan); "
                        + _errors + " error finding" + (_errors == 1 ? "" : "s") + " in " + _subjects + " subject" + (_subjects == 1 ? "" : "s") + " checked."),
                    "DatasetNotChecked", ErrorCategory.ObjectNotFound, null));
            if (FailOnError && _errors > 0)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidDataException(_errors + " error finding" + (_errors == 1 ? "" : "s") + " in " + _subjects + " subject" + (_subjects == 1 ? "" : "s") + " checked."),
                    "DatasetHasErrors", ErrorCategory.InvalidData, null));
        }
    }
}
