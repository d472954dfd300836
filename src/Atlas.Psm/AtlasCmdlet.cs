using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm
{
    /// <summary>
    /// What every Atlas.Psm cmdlet shares: provider-path resolution, error records that name the
    /// file with the right category, input objects turned into volumes or subjects, the
    /// keep/skip/overwrite decision for outputs, and a cancellation token tied to Ctrl+C.
    /// </summary>
    public abstract class AtlasCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing); pass it to long engine calls.</summary>
        protected CancellationToken Cancellation => _stop.Token;

        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        // ------------------------------------------------------------------ work ahead of the pipeline

        private Queue<Task<Action>> _ahead;

        /// <summary>
        /// How many items may be in work at once: the cores plus one, so that one item's file I/O (inflating,
        /// compressing, the fsync of an atomic write) overlaps the others' computing.
        /// </summary>
        protected virtual int WorkAhead => Math.Min(8, Environment.ProcessorCount + 1);

        /// <summary>
        /// Runs <paramref name="work"/> on the thread pool while the pipeline goes on, at most <see cref="WorkAhead"/> items
        /// at a time, and runs the action it returns (the item's WriteObject, warnings and records) on the pipeline
        /// thread, in the order the items came: results stream in input order whatever finishes first.
        /// <para>
        /// The work is engine work only (read, compute, write a file whose output decision and ShouldProcess were made
        /// before): it never calls Write*, ShouldProcess or the provider. An input failure it throws is handed to
        /// <paramref name="onFailure"/> on the pipeline thread; any other exception is rethrown there as it is.
        /// Call <see cref="FinishWorkAhead"/> in EndProcessing.
        /// </para>
        /// </summary>
        protected void RunAhead(Func<Action> work, Action<Exception> onFailure)
        {
            var token = Cancellation;
            var task = Task.Run(() =>
            {
                token.ThrowIfCancellationRequested();
                try { return work(); }
                catch (Exception ex) when (IsInputFailure(ex)) { return (Action)(() => onFailure(ex)); }
            });
            if (_ahead == null) _ahead = new Queue<Task<Action>>();
            _ahead.Enqueue(task);
            while (_ahead.Count > WorkAhead - 1) EmitOldest();
        }

        /// <summary>Waits for every item still in work and emits its results, in order.</summary>
        protected void FinishWorkAhead()
        {
            while (_ahead != null && _ahead.Count > 0) EmitOldest();
            FinishRecordWrites(warn: true);
        }

        private void EmitOldest()
        {
            var task = _ahead.Dequeue();
            var emit = task.GetAwaiter().GetResult(); // a bug's exception surfaces here, on the pipeline thread
            emit?.Invoke();
        }

        // ------------------------------------------------------------------ paths

        /// <summary>
        /// Provider paths for -Path (wildcards) or -LiteralPath. A path that matches nothing is a
        /// non-terminating ObjectNotFound error and the others are still returned.
        /// </summary>
        protected List<string> ResolveInputPaths(IEnumerable<string> paths, bool literal)
        {
            var result = new List<string>();
            if (paths == null) return result;
            foreach (var p in paths)
            {
                if (string.IsNullOrEmpty(p)) continue;
                try
                {
                    if (literal)
                    {
                        string full = ProviderPath(p);
                        if (!File.Exists(full) && !Directory.Exists(full))
                        {
                            WriteError(new ErrorRecord(new ItemNotFoundException("Cannot find path '" + full + "' because it does not exist."),
                                "PathNotFound", ErrorCategory.ObjectNotFound, full));
                            continue;
                        }
                        result.Add(full);
                    }
                    else
                    {
                        // An absolute path without wildcards that exists is its own match (no provider round trip).
                        if (!WildcardPattern.ContainsWildcardCharacters(p) && AbsoluteFileSystemPath(p) is string known && (File.Exists(known) || Directory.Exists(known)))
                        {
                            result.Add(known);
                            continue;
                        }
                        var resolved = GetResolvedProviderPathFromPSPath(p, out ProviderInfo provider);
                        if (provider.Name != "FileSystem")
                        {
                            WriteError(new ErrorRecord(new ArgumentException("'" + p + "' is not a file system path."),
                                "NotAFileSystemPath", ErrorCategory.InvalidArgument, p));
                            continue;
                        }
                        if (resolved.Count == 0 && WildcardPattern.ContainsWildcardCharacters(p))
                        {
                            WriteError(new ErrorRecord(new ItemNotFoundException("No file matches '" + p + "'."),
                                "PathNotFound", ErrorCategory.ObjectNotFound, p));
                        }
                        // A wildcard's matches in natural order (_2 before _10: the rank order of mask names).
                        var matches = new List<string>(resolved);
                        matches.Sort(NaturalOrder.Instance);
                        result.AddRange(matches);
                    }
                }
                catch (ItemNotFoundException ex)
                {
                    WriteError(new ErrorRecord(ex, "PathNotFound", ErrorCategory.ObjectNotFound, p));
                }
                catch (System.Management.Automation.DriveNotFoundException ex)
                {
                    WriteError(new ErrorRecord(ex, "PathNotFound", ErrorCategory.ObjectNotFound, p));
                }
            }
            return result;
        }

        /// <summary>
        /// Provider paths of whichever of -Path and -LiteralPath the call bound: <paramref name="literalPath"/> taken as
        /// written in the LiteralPath parameter set, else <paramref name="path"/> with wildcards; errors as above.
        /// </summary>
        protected List<string> ResolveInputPaths(IEnumerable<string> path, IEnumerable<string> literalPath)
        {
            bool literal = ParameterSetName == ParameterSets.LiteralPath;
            return ResolveInputPaths(literal ? literalPath : path, literal);
        }

        /// <summary>As <see cref="ResolveInputPaths(IEnumerable{string}, IEnumerable{string})"/> for single-valued -Path and -LiteralPath.</summary>
        protected List<string> ResolveInputPaths(string path, string literalPath) => ResolveInputPaths(new[] { path }, new[] { literalPath });

        /// <summary>A single existing path (no wildcards), or null after writing an error.</summary>
        protected string ResolveExistingPath(string path)
        {
            var r = ResolveInputPaths(new[] { path }, true);
            return r.Count > 0 ? r[0] : null;
        }

        /// <summary>
        /// The metadata sheet of -MetadataPath, read once; null after a non-terminating error whose target
        /// is the metadata path (ObjectNotFound when missing, InvalidArgument for a folder or another kind
        /// of file, InvalidData for a file that cannot be read as a sheet).
        /// </summary>
        protected MetadataTable LoadMetadata(string metadataPath)
        {
            // Folders piped in one by one share the sheet: it is read (or reported unusable) once per invocation.
            if (_metadataPathRead != null && string.Equals(_metadataPathRead, metadataPath, StringComparison.Ordinal)) return _metadata;
            _metadataPathRead = metadataPath;
            _metadata = null;
            string path = ResolveExistingPath(metadataPath);
            if (path == null) return null;
            try
            {
                return _metadata = MetadataTable.Load(path);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                string id = ex is ArgumentException ? "InvalidMetadataPath" : ex is FileNotFoundException ? "PathNotFound" : "MetadataUnreadable";
                WriteFailure(ex, id, path);
                return null;
            }
        }

        private string _metadataPathRead;
        private MetadataTable _metadata;

        /// <summary>An output path as the provider sees it (PowerShell's location, not the process's).</summary>
        protected string ResolveOutputPath(string path) => ProviderPath(path);

        /// <summary>
        /// PSCmdlet.GetUnresolvedProviderPathFromPSPath, without the provider where the answer is already known: an
        /// absolute file-system path ("/data/x.nii.gz", "C:\data\x.nii.gz", "\\server\share\x", optionally
        /// provider-qualified as "FileSystem::..." the way a FileInfo's PSPath is) is that path made canonical. The
        /// provider's way validates the drive on every call, and on Linux that reads /proc/self/mountinfo: in a
        /// pipeline of a few hundred masks it was 5 % of all the CPU time. Relative paths, "~", PowerShell drives
        /// (TestDrive:, Temp:, a mapped drive name) and anything else still go through the provider.
        /// </summary>
        protected string ProviderPath(string path) => AbsoluteFileSystemPath(path) ?? GetUnresolvedProviderPathFromPSPath(path);

        internal static string AbsoluteFileSystemPath(string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            const string Qualified = "Microsoft.PowerShell.Core\\FileSystem::", Short = "FileSystem::";
            string p = path.StartsWith(Qualified, StringComparison.OrdinalIgnoreCase) ? path.Substring(Qualified.Length)
                : path.StartsWith(Short, StringComparison.OrdinalIgnoreCase) ? path.Substring(Short.Length) : path;
            if (p.IndexOf('\0') >= 0) return null;
            if (System.IO.Path.DirectorySeparatorChar == '\\')
            {
                bool drive = p.Length >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' && (p[2] == '\\' || p[2] == '/');
                bool unc = p.Length > 2 && p[0] == '\\' && p[1] == '\\' && p[2] != '?' && p[2] != '.';
                if (!drive && !unc) return null;
            }
            else
            {
                p = p.Replace('\\', '/'); // PowerShell takes a backslash for a separator on Unix too
                if (p.Length == 0 || p[0] != '/') return null;
            }
            try { return System.IO.Path.GetFullPath(p); }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException) { return null; }
        }

        // ------------------------------------------------------------------ errors

        /// <summary>The ErrorCategory for an exception from the engine.</summary>
        public static ErrorCategory CategoryFor(Exception ex)
        {
            switch (ex)
            {
                case NiftiFormatException n:
                    switch (n.Kind)
                    {
                        case NiftiErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                        case NiftiErrorKind.UnsupportedDataType: return ErrorCategory.NotImplemented;
                        case NiftiErrorKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                        case NiftiErrorKind.ValueOutOfRange: return ErrorCategory.InvalidData;
                        default: return ErrorCategory.InvalidData;
                    }
                case GeometryException g:
                    switch (g.Kind)
                    {
                        case GeometryErrorKind.TransformNeedsImages: return ErrorCategory.InvalidArgument;
                        default: return ErrorCategory.InvalidData;
                    }
                case FileNotFoundException _: return ErrorCategory.ObjectNotFound;
                case DirectoryNotFoundException _: return ErrorCategory.ObjectNotFound;
                case UnauthorizedAccessException _: return ErrorCategory.PermissionDenied;
                case IOException _: return ErrorCategory.WriteError;
                case ArgumentException _: return ErrorCategory.InvalidArgument;
                case FormatException _: return ErrorCategory.InvalidData;
                case InvalidDataException _: return ErrorCategory.InvalidData;
                case NotSupportedException _: return ErrorCategory.NotImplemented;
                case OperationCanceledException _: return ErrorCategory.OperationStopped;
                case InvalidOperationException _: return ErrorCategory.InvalidOperation;
                default: return ErrorCategory.NotSpecified;
            }
        }

        /// <summary>
        /// An ErrorRecord whose target is the file involved: the exception's file when it names one (a
        /// NIfTI or geometry error's file, or the output a failed write was for, never its temporary file), else <paramref name="target"/>.
        /// A geometry error's id is its kind's (<see cref="GeometryException.ErrorIdFor"/>: GridMismatch for every
        /// cmdlet), not the cmdlet's <paramref name="errorId"/>, so one kind has one id everywhere; values a computation
        /// cannot use (<see cref="GeometryErrorKind.ValueOutOfRange"/>) keep the cmdlet's id.
        /// </summary>
        protected static ErrorRecord MakeError(Exception ex, string errorId, object target, ErrorCategory? category = null)
        {
            if (ex is GeometryException geo) errorId = GeometryException.ErrorIdFor(geo.Kind) ?? errorId;
            object t = ex is NiftiFormatException n && n.FilePath != null ? n.FilePath
                : ex is GeometryException g && g.FilePath != null ? g.FilePath
                : (object)AtomicFile.TargetOf(ex) ?? target;
            var rec = new ErrorRecord(ex, errorId, category ?? CategoryFor(ex), t);
            if (t is string s && !string.IsNullOrEmpty(s) && ex.Message.IndexOf(s, StringComparison.Ordinal) < 0)
                rec.ErrorDetails = new ErrorDetails(s + ": " + ex.Message);
            return rec;
        }

        /// <summary>A non-terminating error for one input; the pipeline goes on with the next.</summary>
        protected void WriteFailure(Exception ex, string errorId, object target, ErrorCategory? category = null) =>
            WriteError(MakeError(ex, errorId, target, category));

        /// <summary>True for exceptions that describe bad input or a failed file operation (reported, not crashed on).</summary>
        protected static bool IsInputFailure(Exception ex) =>
            ex is NiftiFormatException || ex is GeometryException || ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException
            || ex is InvalidDataException || ex is FormatException || ex is NotSupportedException || ex is InvalidOperationException;

        // ------------------------------------------------------------------ inputs

        private const string FileSystemQualifier = "Microsoft.PowerShell.Core\\FileSystem::";
        // The provider's PSDrive and PSProvider values per path root, learnt from the first file it gave for that root.
        private Dictionary<string, (object Drive, object Provider)> _fileItemShape;

        /// <summary>
        /// The file as Get-Item gives it: a FileInfo with the provider's PSPath, PSParentPath, PSChildName, PSDrive,
        /// PSProvider and PSIsContainer. The first file under a root is asked of the provider; if its properties are
        /// what this method would compute, the later files under that root are made here (the provider's way resolves
        /// the path several times over, and on Linux each resolution reads /proc/self/mountinfo: a pipeline of a few
        /// hundred outputs spent more time there than writing the files). Null if the file is not there.
        /// </summary>
        private PSObject FileItem(string path)
        {
            string full = AbsoluteFileSystemPath(path), root = full == null ? null : System.IO.Path.GetPathRoot(full);
            if (full == path && root != null && _fileItemShape != null && _fileItemShape.TryGetValue(root, out var shape))
            {
                var fi = new FileInfo(full);
                if (!fi.Exists) return null;
                var o = new PSObject(fi);
                foreach (var kv in FileItemNotes(full, shape.Drive, shape.Provider)) o.Properties.Add(new PSNoteProperty(kv.Key, kv.Value));
                return o;
            }
            PSObject item = null;
            try
            {
                var items = InvokeProvider.Item.Get(new[] { path }, true, true);
                if (items != null && items.Count == 1) item = items[0];
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is ProviderInvocationException || ex is NotSupportedException) { }
            if (item != null && full == path && root != null && item.BaseObject is FileInfo)
            {
                object drive = item.Properties["PSDrive"]?.Value, provider = item.Properties["PSProvider"]?.Value;
                bool same = drive != null && provider != null;
                foreach (var kv in FileItemNotes(full, drive, provider))
                    same &= Equals(item.Properties[kv.Key]?.Value, kv.Value);
                if (same) (_fileItemShape ?? (_fileItemShape = new Dictionary<string, (object, object)>(StringComparer.Ordinal)))[root] = (drive, provider);
            }
            return item;
        }

        private static IEnumerable<KeyValuePair<string, object>> FileItemNotes(string full, object drive, object provider)
        {
            yield return new KeyValuePair<string, object>("PSPath", FileSystemQualifier + full);
            yield return new KeyValuePair<string, object>("PSParentPath", FileSystemQualifier + System.IO.Path.GetDirectoryName(full));
            yield return new KeyValuePair<string, object>("PSChildName", System.IO.Path.GetFileName(full));
            yield return new KeyValuePair<string, object>("PSDrive", drive);
            yield return new KeyValuePair<string, object>("PSProvider", provider);
            yield return new KeyValuePair<string, object>("PSIsContainer", false);
        }

        /// <summary>
        /// Writes a file the cmdlet wrote (or kept) as Get-Item would: a FileInfo with the provider's
        /// PSPath/PSIsContainer, so the default file view shows its mode and size; a bare FileInfo if
        /// the provider cannot get it.
        /// </summary>
        protected void WriteFileObject(string path)
        {
            if (_pending.ContainsKey(path)) RecordOutput(path);
            PSObject item = FileItem(path);
            if (item == null) item = new PSObject(new FileInfo(path));
            // The file's provenance as properties, so the next cmdlet (or Select-Object) sees whose file it is.
            var src = RecordOf(path)?.Source;
            if (src != null)
            {
                void Note(string name, object value)
                {
                    if (item.Properties[name] == null) item.Properties.Add(new PSNoteProperty(name, value));
                }
                Note("SubjectId", src.SubjectId);
                Note("ScanId", src.ScanId);
                Note("Session", src.Session);
                Note("MaskKind", src.MaskKind);
                Note("Rank", src.Rank);
            }
            WriteObject(item);
        }

        /// <summary>The object behind a PSObject wrapper.</summary>
        protected static object Unwrap(object o) => o is PSObject p ? p.BaseObject : o;

        /// <summary>An AtlasSubject from a pipeline object (Get-AtlasSubject wraps them in PSObjects), else null.</summary>
        protected static AtlasSubject AsSubject(object o) => Unwrap(o) as AtlasSubject;

        /// <summary>
        /// A volume from an AtlasVolume, a FileInfo, or a path string (resolved against PowerShell's
        /// location). Errors propagate as exceptions for the caller to report.
        /// </summary>
        protected AtlasVolume LoadVolume(object input, NiftiReadOptions options = null)
        {
            var o = Unwrap(input);
            switch (o)
            {
                case AtlasVolume v: return v;
                case FileInfo f: return NiftiReader.Read(f.FullName, options);
                case string s: return NiftiReader.Read(ProviderPath(s), options);
                case null: throw new ArgumentNullException(nameof(input), "No volume given.");
                default:
                    throw new ArgumentException("Cannot use a " + o.GetType().Name + " as a volume; give an AtlasVolume, a file or a path.");
            }
        }

        /// <summary>A display name for an input (its path when it has one).</summary>
        protected static string Describe(object input)
        {
            var o = Unwrap(input);
            switch (o)
            {
                case AtlasVolume v: return v.Path ?? "(volume in memory)";
                case FileInfo f: return f.FullName;
                case AtlasSubject s: return s.ScanId ?? s.SubjectId;
                default: return o?.ToString() ?? "(null)";
            }
        }

        // ------------------------------------------------------------------ outputs

        /// <summary>File paths compared as the file system does (case-insensitive on Windows only): the one path comparison of the cmdlets.</summary>
        protected static StringComparer PathComparer => PathsIgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        /// <summary>The same rule as <see cref="PathComparer"/> for string.Equals and StartsWith.</summary>
        protected static StringComparison PathComparison => PathsIgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        private static bool PathsIgnoreCase => Environment.OSVersion.Platform == PlatformID.Win32NT;

        /// <summary>What to do with an output path.</summary>
        protected enum OutputAction { Write, Skip, Refuse }

        /// <summary>
        /// The one regeneration rule (docs/about_Atlas.Psm.md, "Files written"; docs/architecture.md). An output is up
        /// to date when it is newer than every input and its record (<see cref="OutputRecord"/>, the hidden
        /// .&lt;name&gt;.atlas.json beside it) names this cmdlet, this module version, the same parameters (read from the
        /// cmdlet's own parameter properties) and the same input files:
        /// <list type="bullet">
        /// <item>up to date: kept, with the verbose message "Kept existing &lt;path&gt;: it is up to date … (use -Force to
        /// overwrite)." (<see cref="OutputAction.Skip"/>); the caller still outputs the kept file or its result;</item>
        /// <item>stale (the record differs, or an input is newer): rebuilt without -Force, with a verbose "Rebuilding
        /// &lt;path&gt;: &lt;why&gt;." (<see cref="OutputAction.Write"/>);</item>
        /// <item>no record (a file this module did not make): kept, with a non-terminating ResourceExists error
        /// OutputExists whose target is the path (<see cref="OutputAction.Refuse"/>); nothing is output for it.</item>
        /// </list>
        /// -Force (or an absent output) is always <see cref="OutputAction.Write"/>. An output inside a dataset that
        /// Get-AtlasSubject read is a terminating OutputInSourceDataset error, -Force included. Pass
        /// <paramref name="skipWhenUpToDate"/> false (or null inputs) when an input is a volume in memory: such an
        /// output is never up to date. After a Write, the record is written by <see cref="RecordOutput"/>, by
        /// <see cref="WriteFileObject"/>, or at the latest when the cmdlet ends (if the file was replaced meanwhile).
        /// </summary>
        protected OutputAction DecideOutput(string output, bool force, IEnumerable<string> inputs, bool skipWhenUpToDate = true)
        {
            List<string> inputList = null;
            if (inputs != null && skipWhenUpToDate)
            {
                inputList = new List<string>();
                foreach (var i in inputs) if (!string.IsNullOrEmpty(i)) inputList.Add(NormalizePath(i));
            }
            var wanted = DescribeRun(inputList, output);
            GuardSourceDataset(output, wanted.Source?.DatasetRoot);
            if (force || !File.Exists(output))
            {
                if (force && File.Exists(output)) WriteVerbose("Rebuilding " + output + ": -Force.");
                Pend(output, wanted);
                return OutputAction.Write;
            }
            var existing = OutputRecord.TryRead(output);
            string why = OutputRecord.WhyStale(output, existing, wanted, PathComparer);
            if (why == null)
            {
                _kept[output] = existing;
                WriteKeptExisting(output, "it is up to date (newer than its inputs, made by " + existing.Cmdlet + " " + existing.ModuleVersion + " with the same parameters)");
                return OutputAction.Skip;
            }
            if (existing == null)
            {
                WriteError(new ErrorRecord(new IOException("The file '" + output + "' already exists and has no Atlas.Psm record beside it ("
                        + System.IO.Path.GetFileName(OutputRecord.PathFor(output)) + "), so it was not made by this module; it was kept. Use -Force to overwrite it."),
                    "OutputExists", ErrorCategory.ResourceExists, output));
                return OutputAction.Refuse;
            }
            WriteVerbose("Rebuilding " + output + ": " + why + ".");
            Pend(output, wanted);
            return OutputAction.Write;
        }

        /// <summary>
        /// Writes the record of an output just written (after <see cref="DecideOutput"/> said Write), with optional
        /// summary values of the result (<see cref="SummaryOf"/>) so a later run that keeps the file can still output
        /// its result. Only a file actually replaced since the decision is recorded (not under -WhatIf, not after a
        /// failed write). Without a decision (a cmdlet that never calls DecideOutput) the record has unknown inputs.
        /// </summary>
        protected void RecordOutput(string output, IDictionary<string, string> result = null)
        {
            if (output == null) return;
            if (!_pending.TryGetValue(output, out var p))
            {
                if (!File.Exists(output)) return;
                p = new PendingOutput { Record = DescribeRun(null, output), Existed = false };
            }
            _pending.Remove(output);
            if (!File.Exists(output)) return;
            var info = new FileInfo(output);
            if (p.Existed && info.LastWriteTimeUtc == p.LastWriteUtc && info.Length == p.Length) return; // not replaced
            if (result != null) p.Record.Result = new SortedDictionary<string, string>(result as IDictionary<string, string>, StringComparer.Ordinal);
            p.Record.WrittenUtc = DateTime.UtcNow;
            if (_ahead != null)
            {
                // A cmdlet working ahead writes the record (a small atomic write with its own fsync) off the pipeline
                // thread too; FinishWorkAhead waits for it and warns there if it failed.
                var record = p.Record;
                _recorded[output] = record;
                if (_recordWrites == null) _recordWrites = new List<(string, Task)>();
                _recordWrites.Add((output, Task.Run(() => record.Write(output))));
                return;
            }
            try
            {
                p.Record.Write(output);
                _recorded[output] = p.Record;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WarnRecordFailed(output, ex);
            }
        }

        private void WarnRecordFailed(string output, Exception ex)
        {
            _recorded.Remove(output);
            WriteWarning("The record of " + output + " could not be written (" + ex.Message + "); a rerun will rebuild the file.");
        }

        private List<(string Output, Task Write)> _recordWrites;

        // Waits for the records written off the pipeline thread; with warn, a failed one is a warning (as when written in line).
        private void FinishRecordWrites(bool warn)
        {
            if (_recordWrites == null) return;
            foreach (var (output, write) in _recordWrites)
            {
                try { write.GetAwaiter().GetResult(); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    if (warn) WarnRecordFailed(output, ex);
                }
            }
            _recordWrites = null;
        }

        /// <summary>The record of an output this run kept as up to date or wrote; else the one on disk (or null).</summary>
        protected OutputRecord RecordOf(string output)
        {
            if (output == null) return null;
            if (_kept.TryGetValue(output, out var r) || _recorded.TryGetValue(output, out r)) return r;
            if (_pending.TryGetValue(output, out var p)) return p.Record;
            return OutputRecord.TryRead(output);
        }

        /// <summary>Summary values of a result object (its public scalar properties), kept in the output's record.</summary>
        protected static SortedDictionary<string, string> SummaryOf(object result)
        {
            var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (result == null) return d;
            foreach (var prop in result.GetType().GetProperties())
            {
                if (!prop.CanRead || !prop.CanWrite || prop.GetIndexParameters().Length > 0 || !IsScalar(prop.PropertyType)) continue;
                var v = prop.GetValue(result);
                if (v != null) d[prop.Name] = Convert.ToString(v is double x ? x.ToString("R", CultureInfo.InvariantCulture) : v, CultureInfo.InvariantCulture);
            }
            return d;
        }

        /// <summary>The result of a kept output rebuilt from its record's summary (<see cref="SummaryOf"/>); null when it has none.</summary>
        protected T KeptResult<T>(string output) where T : class, new()
        {
            var rec = RecordOf(output);
            if (rec?.Result == null || rec.Result.Count == 0) return null;
            var r = new T();
            foreach (var prop in typeof(T).GetProperties())
            {
                if (!prop.CanWrite || !IsScalar(prop.PropertyType) || !rec.Result.TryGetValue(prop.Name, out var s)) continue;
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                try { prop.SetValue(r, t.IsEnum ? Enum.Parse(t, s) : Convert.ChangeType(s, t, CultureInfo.InvariantCulture)); }
                catch (Exception ex) when (ex is FormatException || ex is ArgumentException || ex is InvalidCastException || ex is OverflowException) { }
            }
            return r;
        }

        private static bool IsScalar(Type t)
        {
            t = Nullable.GetUnderlyingType(t) ?? t;
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime);
        }

        private sealed class PendingOutput
        {
            public OutputRecord Record;
            public bool Existed;
            public DateTime LastWriteUtc;
            public long Length;
        }

        private readonly Dictionary<string, PendingOutput> _pending = new Dictionary<string, PendingOutput>(PathComparer);
        private readonly Dictionary<string, OutputRecord> _kept = new Dictionary<string, OutputRecord>(PathComparer);
        private readonly Dictionary<string, OutputRecord> _recorded = new Dictionary<string, OutputRecord>(PathComparer);

        private void Pend(string output, OutputRecord wanted)
        {
            var p = new PendingOutput { Record = wanted, Existed = File.Exists(output) };
            if (p.Existed)
            {
                var info = new FileInfo(output);
                p.LastWriteUtc = info.LastWriteTimeUtc;
                p.Length = info.Length;
            }
            _pending[output] = p;
        }

        /// <summary>Records every output decided but not yet recorded (a cmdlet that never called RecordOutput).</summary>
        public void Dispose()
        {
            // A pipeline stopped early (Ctrl+C, -ErrorAction Stop) may leave work running ahead: stop it and let
            // what is being written finish (each write is atomic) before the records below are made.
            if (_ahead != null && _ahead.Count > 0)
            {
                _stop.Cancel();
                foreach (var t in _ahead)
                {
                    try { t.Wait(); } catch (AggregateException) { }
                }
                _ahead.Clear();
            }
            foreach (var output in new List<string>(_pending.Keys))
            {
                try { RecordOutput(output); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidOperationException) { }
            }
            FinishRecordWrites(warn: false); // records of outputs still pending are written before the cmdlet is gone
        }

        /// <summary>What this run would record for an output made from <paramref name="inputs"/> (null: volumes in memory).</summary>
        private OutputRecord DescribeRun(List<string> inputs, string output)
        {
            var r = new OutputRecord { Cmdlet = MyInvocation?.MyCommand?.Name ?? GetType().Name, ModuleVersion = ModuleVersion(), Inputs = inputs };
            bool inMemory;
            r.Parameters = CaptureParameters(out inMemory);
            foreach (var kv in RecordedValues) r.Parameters[kv.Key] = kv.Value;
            if (inMemory) r.Inputs = null;
            if (inputs != null)
            {
                var provs = new List<FileProvenance>();
                foreach (var i in inputs) provs.Add(ProvenanceOfPath(i));
                // The masks decide (a snapshot's T1 adds nothing to its masks' scan, kind and rank).
                var masks = provs.FindAll(x => x != null && x.MaskKind != null);
                r.Source = OutputProvenance(output, FileProvenance.Common(masks.Count > 0 ? masks : provs));
            }
            return r;
        }

        /// <summary>
        /// Values besides the parameters that decide what is written (New-AtlasQcReport: the scans on the page),
        /// recorded and compared as parameters are.
        /// </summary>
        protected readonly SortedDictionary<string, string> RecordedValues = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>
        /// The provenance recorded for <paramref name="output"/>, given the one its inputs share (null when they belong
        /// to different scans). Cmdlets whose output is another kind of mask, or one lesion of it, adjust it here
        /// (Invoke-LesionSmooth: LesionSmooth; Get-LesionComponent: the lesion's rank).
        /// </summary>
        protected virtual FileProvenance OutputProvenance(string output, FileProvenance fromInputs) => fromInputs;

        // Parameters that are inputs (recorded as Inputs), or do not change what is written.
        private static readonly HashSet<string> NotRecorded = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            { "Path", "LiteralPath", "InputObject", "Force", "PassThru", "WhatIf", "Confirm" };

        /// <summary>
        /// The cmdlet's parameters as canonical strings: every [Parameter] property (so defaults count as given)
        /// except pipeline-bound ones and <see cref="NotRecorded"/>; paths absolute; numbers invariant ("R");
        /// dictionaries with sorted keys. A volume in memory given as a parameter sets <paramref name="inMemory"/>.
        /// </summary>
        private SortedDictionary<string, string> CaptureParameters(out bool inMemory)
        {
            inMemory = false;
            var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in s_recorded.GetOrAdd(GetType(), RecordedProperties))
            {
                var v = prop.GetValue(this);
                string c = Canonical(v, prop.Name, ref inMemory);
                if (c != null) d[prop.Name] = c;
            }
            return d;
        }

        // The recorded parameter properties of each cmdlet type, found by reflection once (not once per output).
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.PropertyInfo[]> s_recorded =
            new System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.PropertyInfo[]>();

        private static System.Reflection.PropertyInfo[] RecordedProperties(Type type)
        {
            var list = new List<System.Reflection.PropertyInfo>();
            foreach (var prop in type.GetProperties())
            {
                bool isParam = false, piped = false;
                foreach (var a in prop.GetCustomAttributes(typeof(ParameterAttribute), true))
                {
                    isParam = true;
                    var pa = (ParameterAttribute)a;
                    if (pa.ValueFromPipeline || pa.ValueFromPipelineByPropertyName) piped = true;
                }
                if (isParam && !piped && !NotRecorded.Contains(prop.Name)) list.Add(prop);
            }
            return list.ToArray();
        }

        private static readonly string[] PathLikeSuffixes = { "Path", "Destination", "Mask", "T1", "Constrain" };

        private string Canonical(object v, string name, ref bool inMemory)
        {
            v = Unwrap(v);
            switch (v)
            {
                case null: return null;
                case SwitchParameter sw: return sw.IsPresent ? "True" : "False";
                case string s:
                    bool pathLike = s.IndexOf('/') >= 0 || s.IndexOf('\\') >= 0 || NiftiFiles.IsImagePath(s);
                    foreach (var suf in PathLikeSuffixes) if (name != null && name.EndsWith(suf, StringComparison.Ordinal)) pathLike = true;
                    return pathLike ? NormalizePath(s) : s;
                case double x: return x.ToString("R", CultureInfo.InvariantCulture);
                case float f: return f.ToString("R", CultureInfo.InvariantCulture);
                case ScriptBlock sb: return "{" + sb.ToString().Trim() + "}";
                case FileInfo fi: return fi.FullName;
                case AtlasVolume vol:
                    if (vol.Path == null) { inMemory = true; return "(volume in memory)"; }
                    return vol.Path;
                case System.Collections.IDictionary dict:
                    {
                        var parts = new List<string>();
                        foreach (System.Collections.DictionaryEntry e in dict) parts.Add(Convert.ToString(e.Key, CultureInfo.InvariantCulture) + "=" + Canonical(e.Value, Convert.ToString(e.Key, CultureInfo.InvariantCulture), ref inMemory));
                        parts.Sort(StringComparer.OrdinalIgnoreCase);
                        return "@{" + string.Join("; ", parts) + "}";
                    }
                case System.Collections.IEnumerable list:
                    {
                        var parts = new List<string>();
                        foreach (var e in list) parts.Add(Canonical(e, name, ref inMemory) ?? "");
                        return "[" + string.Join(", ", parts) + "]";
                    }
                case IFormattable fm: return fm.ToString(null, CultureInfo.InvariantCulture);
                default: return v.ToString();
            }
        }

        /// <summary>A path made absolute as PowerShell's provider sees it (relative to its location), else unchanged.</summary>
        protected string NormalizePath(string p)
        {
            if (string.IsNullOrEmpty(p)) return p;
            try { return System.IO.Path.GetFullPath(ProviderPath(p)); }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException
                || ex is ArgumentException || ex is NotSupportedException || ex is PSInvalidOperationException || ex is IOException) { return p; }
        }

        /// <summary>The module's version (from the manifest when imported, else the assembly), as "major.minor.build".</summary>
        protected string ModuleVersion()
        {
            var v = MyInvocation?.MyCommand?.Module?.Version ?? typeof(AtlasCmdlet).Assembly.GetName().Version;
            return v == null ? "0.0.0" : v.Build < 0 ? v.ToString(2) + ".0" : v.ToString(3);
        }

        // ------------------------------------------------------------------ source datasets and provenance

        private sealed class SourceRoots
        {
            public readonly List<string> Roots = new List<string>();
        }

        // Roots read by Get-AtlasSubject, per runspace: parallel runspaces keep their own lists and nothing is
        // shared between them (a ConditionalWeakTable also lets a closed runspace's list go).
        private static readonly ConditionalWeakTable<object, SourceRoots> RootsByRunspace = new ConditionalWeakTable<object, SourceRoots>();
        private static readonly object NoRunspace = new object();

        private static SourceRoots CurrentRoots() =>
            RootsByRunspace.GetValue((object)System.Management.Automation.Runspaces.Runspace.DefaultRunspace ?? NoRunspace, _ => new SourceRoots());

        /// <summary>Remembers a dataset root Get-AtlasSubject read: nothing is written inside it for the rest of the session.</summary>
        protected static void RegisterSourceRoot(string root)
        {
            if (string.IsNullOrEmpty(root)) return;
            var r = CurrentRoots();
            string full = TrimSeparator(root);
            lock (r.Roots)
                if (!r.Roots.Exists(x => PathComparer.Equals(x, full))) r.Roots.Add(full);
        }

        /// <summary>The source dataset root (read by Get-AtlasSubject in this session, or <paramref name="extraRoot"/>) that holds <paramref name="path"/>, or null.</summary>
        protected string SourceRootHolding(string path, string extraRoot = null)
        {
            if (string.IsNullOrEmpty(path)) return null;
            string full = NormalizePath(path);
            if (extraRoot != null && IsUnder(full, extraRoot)) return TrimSeparator(extraRoot);
            var r = CurrentRoots();
            lock (r.Roots)
                foreach (var root in r.Roots)
                    if (IsUnder(full, root)) return root;
            return null;
        }

        /// <summary>
        /// Stops the cmdlet (terminating OutputInSourceDataset, InvalidArgument) before anything is written inside a
        /// dataset root Get-AtlasSubject read, or inside the root of the scan an input comes from; -Force included.
        /// </summary>
        protected void GuardSourceDataset(string output, string inputRoot = null)
        {
            string root = SourceRootHolding(output, inputRoot);
            if (root == null) return;
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("Not writing " + output + ": it is inside the dataset " + root
                    + " that Get-AtlasSubject read, and a source dataset is never written (-Force included). Give -Destination (or -OutputPath) outside it."),
                "OutputInSourceDataset", ErrorCategory.InvalidArgument, output));
        }

        private static string TrimSeparator(string p) =>
            p.Length > 1 ? p.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) : p;

        private static bool IsUnder(string path, string root)
        {
            root = TrimSeparator(root);
            var cmp = PathComparison;
            if (string.Equals(TrimSeparator(path), root, cmp)) return true;
            return path.StartsWith(root + System.IO.Path.DirectorySeparatorChar, cmp) || path.StartsWith(root + "/", cmp);
        }

        private readonly Dictionary<string, FileProvenance> _provenance = new Dictionary<string, FileProvenance>(PathComparer);

        /// <summary>Remembers where an input file comes from (a subject's mask), for the records of outputs made from it.</summary>
        protected void NoteProvenance(string path, FileProvenance p)
        {
            if (path != null && p != null) _provenance[NormalizePath(path)] = p;
        }

        /// <summary>Notes the provenance of a subject's T1 and masks of <paramref name="kind"/> (for outputs drawn or built from them).</summary>
        protected void NoteSubjectFiles(AtlasSubject s, string kind)
        {
            if (s == null) return;
            NoteProvenance(s.T1Path, FileProvenance.Of(s, null, null));
            kind = kind ?? nameof(MaskKind.Lesion);
            var masks = s.GetMaskPaths(kind);
            if (masks != null)
                for (int r = 0; r < masks.Length; r++) NoteProvenance(masks[r], FileProvenance.Of(s, kind, r + 1));
        }

        /// <summary>
        /// Where a file comes from: what this run was told (a subject's file, a piped file's SubjectId/Rank
        /// properties), else the record beside the file (a file this module wrote), else its ATLAS name; null when unknown.
        /// </summary>
        protected FileProvenance ProvenanceOfPath(string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            if (_provenance.TryGetValue(path, out var p)) return p;
            string full = NormalizePath(path);
            if (_provenance.TryGetValue(full, out p)) return p;
            p = RecordOf(full)?.Source ?? OutputRecord.TryRead(full)?.Source ?? DatasetScanner.IdentifyFile(full);
            _provenance[full] = p;
            return p;
        }

        /// <summary>
        /// Provenance carried by a pipeline object: SubjectId, ScanId, Session, MaskKind and Rank properties of a
        /// file written by an earlier cmdlet (<see cref="WriteFileObject"/> adds them), else that of its path.
        /// </summary>
        protected FileProvenance ProvenanceOf(object input, string path)
        {
            if (input is PSObject pso && !(pso.BaseObject is AtlasSubject))
            {
                string id = pso.Properties["SubjectId"]?.Value as string;
                if (id != null)
                {
                    var p = new FileProvenance
                    {
                        SubjectId = id, ScanId = pso.Properties["ScanId"]?.Value as string, Cohort = pso.Properties["Cohort"]?.Value as string,
                        Session = AsInt(pso.Properties["Session"]?.Value), MaskKind = pso.Properties["MaskKind"]?.Value as string,
                        Rank = AsInt(pso.Properties["Rank"]?.Value), DatasetRoot = pso.Properties["DatasetRoot"]?.Value as string,
                    };
                    if (path != null) NoteProvenance(path, p);
                    return p;
                }
            }
            return path == null ? null : ProvenanceOfPath(path);
        }

        private static int? AsInt(object v)
        {
            v = Unwrap(v);
            try { return v == null ? (int?)null : Convert.ToInt32(v, CultureInfo.InvariantCulture); }
            catch (Exception ex) when (ex is FormatException || ex is InvalidCastException || ex is OverflowException) { return null; }
        }

        private readonly HashSet<string> _claimed = new HashSet<string>(PathComparer);

        /// <summary>
        /// Claims an output path for this run, before <see cref="DecideOutput"/>. When a second input maps to a
        /// path already claimed (the same file name from two folders into one -Destination), that input is an
        /// OutputCollision error (ResourceExists, target the path) and false is returned: otherwise the first
        /// input's new file would pass as "newer than its inputs" for the second one, or -Force would replace it.
        /// </summary>
        protected bool ClaimOutput(string output, string input, string advice = "give inputs with the same name different -Destination folders")
        {
            if (_claimed.Add(output)) return true;
            WriteError(new ErrorRecord(new IOException("The output " + output + " was already written from another input in this run, so "
                    + input + " was not written to it; " + advice + "."),
                "OutputCollision", ErrorCategory.ResourceExists, output));
            return false;
        }

        /// <summary>The verbose message of an output kept because it is up to date (the same words from every cmdlet).</summary>
        protected void WriteKeptExisting(string output, string reason) =>
            WriteVerbose("Kept existing " + output + (string.IsNullOrEmpty(reason) ? "" : ": " + reason) + " (use -Force to overwrite).");

        /// <summary>Progress over a known number of items (activity id 1 unless given).</summary>
        protected void Progress(string activity, string status, int done, int total, int id = 1)
        {
            var pr = new ProgressRecord(id, activity, string.IsNullOrEmpty(status) ? activity : status);
            if (total > 0) pr.PercentComplete = Math.Min(100, (int)(100L * done / total));
            WriteProgress(pr);
        }

        protected void CompleteProgress(string activity, int id = 1)
        {
            WriteProgress(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
