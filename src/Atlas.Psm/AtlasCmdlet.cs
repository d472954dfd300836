using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
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
    public abstract class AtlasCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing); pass it to long engine calls.</summary>
        protected CancellationToken Cancellation => _stop.Token;

        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
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
                        string full = GetUnresolvedProviderPathFromPSPath(p);
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
        protected string ResolveOutputPath(string path) => GetUnresolvedProviderPathFromPSPath(path);

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
        /// cmdlet), not the cmdlet's <paramref name="errorId"/>, so one kind has one id everywhere.
        /// </summary>
        protected static ErrorRecord MakeError(Exception ex, string errorId, object target, ErrorCategory? category = null)
        {
            if (ex is GeometryException geo) errorId = GeometryException.ErrorIdFor(geo.Kind);
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

        /// <summary>
        /// Writes a file the cmdlet wrote (or kept) as Get-Item would: a FileInfo with the provider's
        /// PSPath/PSIsContainer, so the default file view shows its mode and size; a bare FileInfo if
        /// the provider cannot get it.
        /// </summary>
        protected void WriteFileObject(string path)
        {
            try
            {
                var items = InvokeProvider.Item.Get(new[] { path }, true, true);
                if (items != null && items.Count == 1) { WriteObject(items[0]); return; }
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is ProviderInvocationException || ex is NotSupportedException) { }
            WriteObject(new FileInfo(path));
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
                case string s: return NiftiReader.Read(GetUnresolvedProviderPathFromPSPath(s), options);
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

        /// <summary>True when the output exists and is newer than every input (a rerun can skip it).</summary>
        protected static bool IsUpToDate(string output, IEnumerable<string> inputs)
        {
            if (!File.Exists(output)) return false;
            var t = File.GetLastWriteTimeUtc(output);
            foreach (var i in inputs)
            {
                if (string.IsNullOrEmpty(i) || !File.Exists(i)) continue;
                if (File.GetLastWriteTimeUtc(i) > t) return false;
            }
            return true;
        }

        /// <summary>What to do with an output path.</summary>
        protected enum OutputAction { Write, Skip, Refuse }

        /// <summary>
        /// The one rule for outputs that exist (docs/about_Atlas.Psm.md, "Files written"). Without -Force
        /// an existing output is never overwritten:
        /// <list type="bullet">
        /// <item>newer than all its inputs (a cmdlet regenerating derived files from files): kept
        /// quietly, with the verbose message "Kept existing &lt;path&gt;: it is newer than its inputs (use -Force
        /// to overwrite)." (<see cref="OutputAction.Skip"/>), so a scheduled rerun is cheap; the caller
        /// outputs the kept file (or its result) where that needs none of the skipped work;</item>
        /// <item>otherwise (older than an input, inputs not on disk, or not a derived file): kept, with a
        /// non-terminating ResourceExists error OutputExists whose target is the path (<see cref="OutputAction.Refuse"/>),
        /// since the existing file may not be what this run would write; nothing is output for it.</item>
        /// </list>
        /// With -Force, or when the output is absent: <see cref="OutputAction.Write"/>. Pass
        /// <paramref name="skipWhenUpToDate"/> false (or null inputs) where "newer than the inputs" means nothing.
        /// </summary>
        protected OutputAction DecideOutput(string output, bool force, IEnumerable<string> inputs, bool skipWhenUpToDate = true)
        {
            if (force || !File.Exists(output)) return OutputAction.Write;
            if (skipWhenUpToDate && inputs != null && IsUpToDate(output, inputs))
            {
                WriteKeptExisting(output, "it is newer than its inputs");
                return OutputAction.Skip;
            }
            WriteError(new ErrorRecord(new IOException("The file '" + output + "' already exists and was kept; use -Force to overwrite it."),
                "OutputExists", ErrorCategory.ResourceExists, output));
            return OutputAction.Refuse;
        }

        private readonly HashSet<string> _claimed = new HashSet<string>(
            Environment.OSVersion.Platform == PlatformID.Win32NT ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

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
