using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Metrics;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Measure-RaterReliability: inter- and intra-rater agreement of repeated tracings (Dice,
    /// Hausdorff, ICC of volumes) as the ATLAS R1.1 Technical Validation reported them
    /// (RaterReliability.Compute). Input rows carry SubjectId, Rater, Attempt and MaskPath.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "RaterReliability", DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(RaterReliabilityReport))]
    public sealed class MeasureRaterReliabilityCommand : AtlasCmdlet
    {
        private readonly List<RaterTracing> _rows = new List<RaterTracing>();

        /// <summary>Rows with SubjectId, Rater, Attempt (default 1) and MaskPath properties.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public PSObject InputObject { get; set; }

        /// <summary>A CSV file with the columns SubjectId, Rater, Attempt and MaskPath (relative paths are relative to the CSV).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Csv)]
        [Alias("CsvPath", "LiteralPath", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Confidence level of the ICC intervals (default 0.95).</summary>
        [Parameter]
        [ValidateRange(0.5, 0.999)]
        public double ConfidenceLevel { get; set; } = 0.95;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ParameterSets.Csv)
            {
                string csv = ResolveExistingPath(Path);
                if (csv == null) return;
                string baseDir = System.IO.Path.GetDirectoryName(csv);
                var table = InvokeCommand.InvokeScript("Import-Csv -LiteralPath $args[0]", csv);
                int n = 0;
                foreach (var row in table) Add(row, baseDir, csv, ++n);
            }
            else if (InputObject != null)
            {
                Add(InputObject, null, null, 0);
            }
        }

        private void Add(PSObject row, string baseDir, string csv, int rowNumber)
        {
            string where = csv == null ? "" : " (" + csv + ", data row " + rowNumber + ")";
            object target = csv ?? (object)row;
            string subject = Text(row, "SubjectId"), rater = Text(row, "Rater"), mask = Text(row, "MaskPath"), attempt = Text(row, "Attempt");
            if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(rater) || string.IsNullOrEmpty(mask))
            {
                WriteError(new ErrorRecord(new ArgumentException("A tracing needs SubjectId, Rater and MaskPath; this row has SubjectId '" + subject + "', Rater '" + rater + "', MaskPath '" + mask + "'" + where + "."),
                    "IncompleteTracing", ErrorCategory.InvalidData, target));
                return;
            }
            int a = 1;
            if (!string.IsNullOrEmpty(attempt) && !int.TryParse(attempt, NumberStyles.Integer, CultureInfo.InvariantCulture, out a))
            {
                WriteError(new ErrorRecord(new FormatException("Attempt '" + attempt + "' of " + subject + "/" + rater + " is not a whole number" + where + "."),
                    "BadAttempt", ErrorCategory.InvalidData, target));
                return;
            }
            string path = baseDir != null && !System.IO.Path.IsPathRooted(mask) ? System.IO.Path.Combine(baseDir, mask) : ProviderPath(mask);
            _rows.Add(new RaterTracing { SubjectId = subject, Rater = rater, Attempt = a, MaskPath = path });
        }

        private static string Text(PSObject row, string name)
        {
            var p = row.Properties[name];
            var v = p?.Value;
            if (v is PSObject ps) v = ps.BaseObject;
            if (v is FileInfo f) return f.FullName;
            return v == null ? null : Convert.ToString(v, CultureInfo.InvariantCulture);
        }

        protected override void EndProcessing()
        {
            if (_rows.Count == 0) return;
            const string activity = "Measure-RaterReliability";
            try
            {
                var report = RaterReliability.Compute(_rows, null, ConfidenceLevel,
                    (done, total, status) => Progress(activity, status, done, total), Cancellation);
                CompleteProgress(activity);
                if (report.Pairs == null || report.Pairs.Length == 0)
                    WriteWarning("No subject has two tracings (two raters, or one rater's two attempts) to compare: the report is empty.");
                WriteObject(report);
            }
            catch (OperationCanceledException)
            {
                CompleteProgress(activity);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                CompleteProgress(activity);
                ThrowTerminatingError(MakeError(ex, "MeasureRaterReliabilityFailed", Path));
            }
        }
    }
}
