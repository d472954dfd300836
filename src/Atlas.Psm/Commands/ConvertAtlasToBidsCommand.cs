using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Bids;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Convert-AtlasToBids: AtlasSubject objects (any layout Get-AtlasSubject reads) to a BIDS dataset
    /// with lesion masks as a derivative. Subjects are collected from the pipeline so that every label
    /// collision is found before anything is written; the files are then written scan by scan.
    /// </summary>
    [Cmdlet(VerbsData.Convert, "AtlasToBids", SupportsShouldProcess = true)]
    [OutputType(typeof(BidsSubjectResult))]
    public sealed class ConvertAtlasToBidsCommand : AtlasCmdlet
    {
        private const string Activity = "Convert-AtlasToBids";
        private readonly List<AtlasSubject> _subjects = new List<AtlasSubject>();

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [Alias("Subject")]
        public PSObject[] InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        public BidsMaskPlacement MaskPlacement { get; set; } = BidsMaskPlacement.Derivatives;

        [Parameter]
        public SwitchParameter KeepSeparateLesions { get; set; }

        [Parameter]
        public SwitchParameter IncludeRawMasks { get; set; }

        [Parameter]
        public BidsLinkMode LinkMode { get; set; } = BidsLinkMode.Copy;

        /// <summary>Computes the participant label from the subject in $_ (letters and digits only).</summary>
        [Parameter]
        public ScriptBlock SubjectLabel { get; set; }

        [Parameter]
        public SwitchParameter AllowGridMismatch { get; set; }

        [Parameter]
        public SwitchParameter KeepSpaceEntity { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DatasetName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Authors { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string License { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            foreach (var o in InputObject)
            {
                var s = AsSubject(o);
                if (s == null)
                {
                    var shown = Unwrap(o);
                    WriteError(new ErrorRecord(
                        new ArgumentException("Convert-AtlasToBids takes AtlasSubject objects (from Get-AtlasSubject), not " + (shown == null ? "null" : shown.GetType().Name) + "."),
                        "NotAnAtlasSubject", ErrorCategory.InvalidType, shown));
                    continue;
                }
                _subjects.Add(s);
            }
        }

        protected override void EndProcessing()
        {
            if (_subjects.Count == 0) return;
            string dest;
            try { dest = ResolveOutputPath(Destination); }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ArgumentException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidDestination", ErrorCategory.InvalidArgument, Destination));
                return;
            }
            // The BIDS tree is never written inside a dataset the subjects were read from.
            foreach (var s in _subjects) GuardSourceDataset(dest, s.Root);
            var options = new BidsConvertOptions
            {
                Destination = dest,
                MaskPlacement = MaskPlacement,
                KeepSeparateLesions = KeepSeparateLesions,
                IncludeRawMasks = IncludeRawMasks,
                LinkMode = LinkMode,
                AllowGridMismatch = AllowGridMismatch,
                KeepSpaceEntity = KeepSpaceEntity,
                Force = Force,
                DatasetName = DatasetName,
                Authors = Authors,
                License = License,
                GeneratorName = "Atlas.Psm",
                GeneratorVersion = ModuleVersion(),
            };
            if (SubjectLabel != null) options.SubjectLabel = InvokeLabel;
            var converter = new BidsConverter(options)
            {
                FileCompleted = (f, outcome) =>
                {
                    if (outcome == BidsFileOutcome.Written) WriteVerbose("Written: " + f.FullPath);
                    else if (outcome == BidsFileOutcome.Skipped)
                        WriteKeptExisting(f.FullPath, f.KeepExisting ? "it is written only when absent, so edits are kept" : "it is identical to what the conversion produces");
                },
                Rebuilding = (f, why) => WriteVerbose("Rebuilding " + f.FullPath + ": " + why + "."),
            };

            BidsPlan plan;
            try { plan = converter.Plan(_subjects, Cancellation); }
            catch (BidsPlanException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "BidsLabelConflict", ErrorCategory.InvalidData, dest));
                return;
            }
            catch (OperationCanceledException) { return; }

            // A scan that cannot be converted is an error naming the file at fault and a record counting
            // it as failed; nothing of it is written.
            foreach (var failure in plan.Failures)
            {
                var ex = failure.Error;
                WriteFailure(ex, "BidsScanFailed", failure.Subject.T1Path ?? failure.Subject.ToString()); // a grid mismatch: GridMismatch
                WriteObject(failure.ToResult(dest));
            }

            try
            {
                var stale = converter.FindStaleTemporaryFiles();
                if (stale.Count > 0 && ShouldProcess(dest, "Remove " + stale.Count + " temporary file(s) left by an interrupted run"))
                    converter.RemoveFiles(stale);

                converter.WriteFiles(plan.HeadFiles, Approve, OnFileError, Cancellation);
                for (int i = 0; i < plan.Scans.Count; i++)
                {
                    var scan = plan.Scans[i];
                    Progress(Activity, scan.BidsSubject + " " + scan.BidsSession + " (" + (i + 1) + " of " + plan.Scans.Count + ")", i, plan.Scans.Count);
                    var result = converter.ConvertScan(scan, Approve, OnFileError, Cancellation);
                    // Under -WhatIf (or "No" to -Confirm) nothing happened to the scan: no record.
                    if (result.FilesWritten + result.FilesSkipped + result.FilesFailed > 0) WriteObject(result);
                }
                converter.WriteFiles(plan.TailFiles, Approve, OnFileError, Cancellation);
                CompleteProgress(Activity);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the file being written was abandoned before its rename; a rerun completes the tree.
            }
        }

        private bool Approve(BidsPlannedFile f)
        {
            string what = f.Operation == BidsFileOperation.Text ? "Write " + f.Role
                : f.Operation + " " + f.Role + " from " + string.Join(", ", f.Sources);
            return ShouldProcess(f.FullPath, what);
        }

        private void OnFileError(BidsPlannedFile f, Exception ex)
        {
            if (ex is BidsOutputExistsException)
                WriteFailure(ex, "BidsFileExists", f.FullPath, ErrorCategory.ResourceExists);
            else
                WriteFailure(ex, "BidsFileFailed", f.FullPath); // a grid mismatch: GridMismatch
        }

        private string InvokeLabel(AtlasSubject s)
        {
            var vars = new List<PSVariable> { new PSVariable("_", s), new PSVariable("PSItem", s) };
            var result = SubjectLabel.InvokeWithContext(null, vars, s);
            if (result.Count == 0 || result[0] == null) return null;
            return Unwrap(result[0])?.ToString();
        }
    }
}
