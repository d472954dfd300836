using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Datasets;
using Atlas.Core.Samples;

namespace Atlas.Psm.Commands
{
    /// <summary>New-AtlasSampleDataset: writes the deterministic synthetic R1.1-native dataset the demo and the tests run on.</summary>
    [Cmdlet(VerbsCommon.New, "AtlasSampleDataset", SupportsShouldProcess = true)]
    [OutputType(typeof(SampleDatasetResult))]
    public sealed class NewAtlasSampleDatasetCommand : AtlasCmdlet
    {
        /// <summary>The folder to create (it may exist but must be empty, or hold a sample dataset this cmdlet made, unless -Force).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Path")]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        [Parameter]
        [ValidateRange(1, 9999)]
        public int SubjectCount { get; set; } = 20;

        [Parameter]
        public int Seed { get; set; } = 1;

        /// <summary>The layout to write; only Native (R1.1) is supported.</summary>
        [Parameter]
        public AtlasLayout Layout { get; set; } = AtlasLayout.Native;

        /// <summary>Also a template of the phantom head and its brain mask, and scans moved by known affines (truth files beside them).</summary>
        [Parameter]
        public SwitchParameter Standardization { get; set; }

        /// <summary>Write into a folder that already has files (same-named files are overwritten).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            string root = ResolveOutputPath(Destination);
            if (Layout != AtlasLayout.Native)
            {
                WriteError(new ErrorRecord(new NotSupportedException("The sample dataset is written in the R1.1 native layout only; use -Layout Native."),
                    "LayoutNotSupported", ErrorCategory.NotImplemented, Layout));
                return;
            }
            if (File.Exists(root))
            {
                WriteError(new ErrorRecord(new IOException("'" + root + "' is a file; give a folder for the sample dataset."),
                    "PathIsAFile", ErrorCategory.ResourceExists, root));
                return;
            }
            // The dataset is one output, represented by its metadata sheet (its record beside it): a folder holding the
            // sample this cmdlet made with the same -SubjectCount and -Seed is up to date; one made otherwise is rebuilt.
            string sheet = System.IO.Path.Combine(root, SampleDataset.MetadataFileName);
            GuardSourceDataset(root);
            bool ours = OutputRecord.TryRead(sheet) != null;
            if (Directory.Exists(root) && Directory.GetFileSystemEntries(root).Length > 0 && !Force && !ours)
            {
                WriteError(new ErrorRecord(new IOException("The folder '" + root + "' is not empty and holds no sample dataset made by this module; use -Force to write the sample dataset into it."),
                    "OutputExists", ErrorCategory.ResourceExists, root));
                return;
            }
            var action = DecideOutput(sheet, Force, new string[0]);
            if (action == OutputAction.Skip)
            {
                var kept = KeptResult<SampleDatasetResult>(sheet);
                if (kept != null) WriteObject(kept);
                return;
            }
            if (action != OutputAction.Write) return;
            if (!ShouldProcess(root, "Create a sample ATLAS dataset of " + SubjectCount + " subjects (seed " + Seed + ")" + (Standardization ? " with a template and scans moved by known affines" : ""))) return;
            // A stale sample of this module's (another count or seed) is replaced whole: its scan folders go first,
            // so no scan of the earlier sample is left beside the new sheet.
            if (ours) SampleDataset.RemoveScans(root);

            const string activity = "New-AtlasSampleDataset";
            int done = 0, total = 1;
            try
            {
                // The engine works on pool threads; progress is reported from this (the pipeline) thread.
                var task = Task.Run(() => SampleDataset.Generate(root, SubjectCount, Seed, Layout, Cancellation,
                    (d, t) => { Interlocked.Exchange(ref total, t); Interlocked.Exchange(ref done, d); }, Standardization));
                while (!task.Wait(250))
                    Progress(activity, "Writing scans under " + root + " (" + Volatile.Read(ref done) + " of " + Volatile.Read(ref total) + ")", Volatile.Read(ref done), Volatile.Read(ref total));
                CompleteProgress(activity);
                RecordOutput(sheet, SummaryOf(task.Result));
                WriteObject(task.Result);
            }
            catch (AggregateException ae)
            {
                CompleteProgress(activity);
                var ex = ae.Flatten().InnerException ?? ae;
                if (ex is OperationCanceledException) return;
                if (IsInputFailure(ex)) WriteFailure(ex, "NewAtlasSampleDatasetFailed", root);
                else throw;
            }
        }
    }
}
