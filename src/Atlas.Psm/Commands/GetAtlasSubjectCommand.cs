using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using Atlas.Core.Datasets;

namespace Atlas.Psm.Commands
{
    /// <summary>Get-AtlasSubject: a dataset folder as a stream of AtlasSubject objects with their metadata as properties.</summary>
    [Cmdlet(VerbsCommon.Get, "AtlasSubject", DefaultParameterSetName = ParameterSets.Path)]
    [OutputType(typeof(AtlasSubject))]
    public sealed class GetAtlasSubjectCommand : AtlasCmdlet
    {
        /// <summary>Dataset roots (wildcards allowed); the current location when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>A CSV, TSV or XLSX metadata sheet joined to the subjects.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string MetadataPath { get; set; }

        /// <summary>The sheet's key column (friendly name or original header); chosen automatically when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MetadataColumnCompleter))]
        public string KeyColumn { get; set; }

        /// <summary>Force a layout instead of detecting it.</summary>
        [Parameter]
        public AtlasLayout Layout { get; set; }

        /// <summary>Keep subjects whose SubjectId or ScanId matches one of these wildcards.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SubjectIdCompleter))]
        public string[] SubjectId { get; set; }

        /// <summary>0-based shard to return (with -ShardCount).</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int ShardIndex { get; set; }

        /// <summary>Number of shards the subjects are split into by a stable hash of SubjectId.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int ShardCount { get; set; } = 1;

        /// <summary>FromEnvironment: the shard index and count come from the SLURM array task's variables.</summary>
        [Parameter]
        public ShardSource Shard { get; set; }

        protected override void BeginProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Shard)) && Shard == ShardSource.FromEnvironment)
            {
                if (MyInvocation.BoundParameters.ContainsKey(nameof(ShardIndex)) || MyInvocation.BoundParameters.ContainsKey(nameof(ShardCount)))
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Shard FromEnvironment takes the shard from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; do not give -ShardIndex or -ShardCount with it."),
                        "ShardParametersConflict", ErrorCategory.InvalidArgument, Shard));
                try
                {
                    SchedulerShard.FromEnvironment(Environment.GetEnvironmentVariable, out int index, out int count);
                    ShardIndex = index;
                    ShardCount = count;
                    WriteVerbose("Shard " + index + " of " + count + " from the SLURM array task's environment.");
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "ShardEnvironmentInvalid", ErrorCategory.InvalidArgument, Shard));
                }
            }
            if (ShardIndex >= ShardCount)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-ShardIndex must be less than -ShardCount (" + ShardCount + ")."),
                    "ShardIndexOutOfRange", ErrorCategory.InvalidArgument, ShardIndex));
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == ParameterSets.LiteralPath;
            var roots = ResolveInputPaths(literal ? LiteralPath : (Path ?? new[] { "." }), literal || Path == null);
            MetadataTable metadata = null;
            if (MetadataPath != null)
            {
                metadata = LoadMetadata(MetadataPath);
                if (metadata == null) return;
            }
            var patterns = SubjectPatterns.Make(SubjectId);
            foreach (var root in roots)
            {
                if (Cancellation.IsCancellationRequested) return;
                try
                {
                    // A dataset read here is a source: no cmdlet writes inside it for the rest of the session.
                    RegisterSourceRoot(root);
                    var result = DatasetScanner.Scan(root, new DatasetScanOptions
                    {
                        Layout = MyInvocation.BoundParameters.ContainsKey(nameof(Layout)) ? (AtlasLayout?)Layout : null,
                        Metadata = metadata,
                        KeyColumn = KeyColumn,
                        Filter = patterns == null ? null : (Func<AtlasSubject, bool>)(s => SubjectPatterns.Matches(patterns, s)),
                        ShardIndex = ShardIndex,
                        ShardCount = ShardCount,
                        Cancellation = Cancellation,
                        FindRootSheet = metadata == null,
                    });
                    foreach (var n in result.Notes) WriteVerbose(n);
                    WriteVerbose(root + ": " + result.Layout + " layout, " + result.TotalSubjects + " scans found, " + result.Subjects.Count + " kept"
                        + (result.KeyColumn != null ? ", metadata joined on '" + result.KeyColumn + "'" : "") + ".");
                    foreach (var w in result.Warnings) WriteWarning(w);
                    if (result.TotalSubjects == 0)
                        WriteWarning(root + ": no ATLAS scan was found (no T1 image named as the R1.1 native, INDI standardized or BIDS layout names it).");
                    foreach (var s in result.Subjects) WriteObject(SubjectObject.Wrap(s));
                }
                catch (OperationCanceledException) { return; }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, "GetAtlasSubjectFailed", ex is ArgumentException ? (object)KeyColumn : root);
                }
            }
        }
    }

    /// <summary>Where Get-AtlasSubject -Shard takes the shard from.</summary>
    public enum ShardSource
    {
        /// <summary>-ShardIndex and -ShardCount as given (the default).</summary>
        Parameters,
        /// <summary>SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP.</summary>
        FromEnvironment,
    }

    /// <summary>
    /// An AtlasSubject as the pipeline sees it. Its properties (identifiers, typed and dynamic metadata columns,
    /// files) come from <see cref="AtlasSubjectAdapter"/>, registered for the type in Atlas.Psm.types.ps1xml.
    /// </summary>
    internal static class SubjectObject
    {
        public static PSObject Wrap(AtlasSubject s) => PSObject.AsPSObject(s);
    }

    /// <summary>-SubjectId wildcards, matched against SubjectId and ScanId (case-insensitive).</summary>
    internal static class SubjectPatterns
    {
        public static List<WildcardPattern> Make(string[] patterns)
        {
            if (patterns == null || patterns.Length == 0) return null;
            var list = new List<WildcardPattern>();
            foreach (var p in patterns) list.Add(WildcardPattern.Get(p, WildcardOptions.IgnoreCase));
            return list;
        }

        public static bool Matches(List<WildcardPattern> patterns, AtlasSubject s)
        {
            foreach (var p in patterns)
                if ((s.SubjectId != null && p.IsMatch(s.SubjectId)) || (s.ScanId != null && p.IsMatch(s.ScanId))) return true;
            return false;
        }
    }

    /// <summary>
    /// Completes -SubjectId with the subject and scan ids of the dataset given in -Path or -LiteralPath (the
    /// current location when neither is typed yet): a name walk of the folder, no image is read.
    /// </summary>
    public sealed class SubjectIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            try
            {
                object given = null;
                bool literal = false;
                if (fakeBoundParameters != null && fakeBoundParameters.Contains("LiteralPath")) { given = fakeBoundParameters["LiteralPath"]; literal = true; }
                else if (fakeBoundParameters != null && fakeBoundParameters.Contains("Path")) given = fakeBoundParameters["Path"];
                var roots = new List<string>();
                using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    var paths = given == null ? new object[] { "." } : LanguagePrimitives.ConvertTo<object[]>(given);
                    foreach (var p in paths)
                    {
                        ps.Commands.Clear();
                        ps.AddCommand("Microsoft.PowerShell.Management\\Resolve-Path").AddParameter(literal ? "LiteralPath" : "Path", Convert.ToString(p));
                        foreach (var r in ps.Invoke()) if (r?.BaseObject is PathInfo info) roots.Add(info.ProviderPath);
                    }
                }
                var pattern = WildcardPattern.Get((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var root in roots)
                {
                    if (!System.IO.Directory.Exists(root)) continue;
                    foreach (var s in DatasetScanner.Scan(root).Subjects)
                        foreach (var id in new[] { s.SubjectId, s.ScanId })
                            if (id != null && pattern.IsMatch(id) && seen.Add(id))
                                results.Add(new CompletionResult(id, id, CompletionResultType.ParameterValue,
                                    id == s.ScanId && id != s.SubjectId ? "scan " + id + " of " + s.SubjectId : "subject " + id + " (" + s.Cohort + ")"));
                }
            }
            catch (Exception) { }
            return results;
        }
    }

    /// <summary>Completes -KeyColumn with the column names of the sheet given in -MetadataPath.</summary>
    public sealed class MetadataColumnCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            if (fakeBoundParameters == null || !fakeBoundParameters.Contains("MetadataPath")) return results;
            try
            {
                string path = Convert.ToString(fakeBoundParameters["MetadataPath"]);
                using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddCommand("Microsoft.PowerShell.Management\\Resolve-Path").AddParameter("LiteralPath", path);
                    foreach (var r in ps.Invoke()) { path = ((PathInfo)r.BaseObject).ProviderPath; break; }
                }
                var table = MetadataTable.Load(path);
                var pattern = WildcardPattern.Get((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
                for (int i = 0; i < table.Names.Length; i++)
                    if (pattern.IsMatch(table.Names[i]))
                        results.Add(new CompletionResult(table.Names[i], table.Names[i], CompletionResultType.ParameterValue, table.Headers[i]));
            }
            catch (Exception) { }
            return results;
        }
    }
}
