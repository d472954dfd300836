using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Atlas.Core.Datasets;
using Atlas.Core.Text;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Bids
{
    /// <summary>
    /// Converts ATLAS scans (any layout Get-AtlasSubject reads) into a BIDS dataset: plan everything
    /// first (labels, names, collisions, grid checks, every source image checked whole — nothing is
    /// written), then write scan by scan,
    /// each file to a temporary name and renamed. Files already identical are skipped, so a rerun after
    /// an interruption completes the tree. sourcedata/atlas_to_bids.tsv maps sources to BIDS files
    /// with SHA-256 checksums and lets reruns skip unchanged files without rebuilding them.
    /// </summary>
    public sealed class BidsConverter
    {
        public const string MappingPath = "sourcedata/atlas_to_bids.tsv";
        public const string LesionDerivative = "derivatives/lesions";
        internal const string MaskDesc = "T1lesion";
        internal const string RawMaskDesc = "T1lesionRaw";

        // AtomicFile's ".name.xxxxxxxx.tmp" and ours ".name.xxxxxxxx.tmp.nii.gz" (plus NiftiWriter's own inside it).
        private static readonly Regex TempName = new Regex(@"^\..+\.[0-9a-f]{8}\.tmp(\.nii\.gz)?(\.[0-9a-f]{8}\.tmp)?$", RegexOptions.CultureInvariant);

        private readonly BidsConvertOptions _o;
        private readonly string _root;
        private readonly Dictionary<string, List<MappingRow>> _previous = new Dictionary<string, List<MappingRow>>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<MappingRow>> _mapping = new Dictionary<string, List<MappingRow>>(StringComparer.Ordinal);

        public BidsConverter(BidsConvertOptions options)
        {
            _o = options ?? throw new ArgumentNullException(nameof(options));
            if (string.IsNullOrEmpty(options.Destination)) throw new ArgumentException("No destination given.", nameof(options));
            _root = options.Destination.TrimEnd('/', '\\');
            if (_root.Length == 0) _root = options.Destination;
        }

        /// <summary>Called after each file with its outcome (verbose messages; tests stop a run half way with it).</summary>
        public Action<BidsPlannedFile, BidsFileOutcome> FileCompleted { get; set; }

        /// <summary>Called before an existing file that differs from what this conversion writes is rebuilt, with the reason.</summary>
        public Action<BidsPlannedFile, string> Rebuilding { get; set; }

        internal sealed class MappingRow
        {
            public string BidsPath, Operation, SourcePath, SourceSha256, BidsSha256;
        }

        // =============================================================== planning

        /// <summary>
        /// Works out every file of the conversion without writing anything. Collisions and invalid labels
        /// throw <see cref="BidsPlanException"/> (listing all of them); scans that cannot be converted
        /// (missing T1, masks off the T1's grid) are listed in <see cref="BidsPlan.Failures"/>.
        /// </summary>
        public BidsPlan Plan(IEnumerable<AtlasSubject> subjects, CancellationToken cancel = default(CancellationToken))
        {
            var plan = new BidsPlan { Options = _o, Destination = _root };
            var problems = new List<string>();
            var targets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); // path → scan
            var identities = new Dictionary<string, string>(StringComparer.Ordinal);        // label → source subject
            bool anyMask = false;

            foreach (var s in subjects)
            {
                cancel.ThrowIfCancellationRequested();
                if (s == null) continue;
                string label;
                try { label = _o.SubjectLabel != null ? _o.SubjectLabel(s) : BidsNames.DefaultSubjectLabel(s); }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    problems.Add("the subject label of " + s + " could not be computed: " + ex.Message);
                    continue;
                }
                if (!BidsNames.IsValidLabel(label))
                {
                    problems.Add("the participant label '" + label + "' of " + s + " is not alphanumeric (BIDS labels are letters and digits only)");
                    continue;
                }
                if (s.Session < 0)
                {
                    problems.Add("the session number " + s.Session + " of " + s + " is negative");
                    continue;
                }
                string identity = (s.Cohort ?? "") + "/" + (string.IsNullOrEmpty(s.Subject) ? BidsNames.DefaultSubjectLabel(s) : s.Subject);
                if (identities.TryGetValue(label, out var other) && other != identity)
                    problems.Add("subjects " + other + " and " + identity + " both get the participant label sub-" + label);
                else identities[label] = identity;

                BidsScanPlan scan;
                try { scan = PlanScan(s, label); }
                catch (Exception ex) when (IsScanFailure(ex))
                {
                    plan.Failures.Add(new BidsPlanFailure(s, ex) { SubjectLabel = label, SessionLabel = BidsNames.SessionLabel(s) });
                    continue;
                }
                foreach (var f in scan.Files)
                {
                    if (targets.TryGetValue(f.RelativePath, out var first))
                        problems.Add(first + " and " + s + " would both write " + f.RelativePath);
                    else targets[f.RelativePath] = s.ToString();
                    if (f.Role.IndexOf("mask", StringComparison.OrdinalIgnoreCase) >= 0 && f.Operation != BidsFileOperation.Text) anyMask = true;
                }
                plan.Scans.Add(scan);
            }
            if (problems.Count > 0) throw new BidsPlanException(problems);

            plan.Scans.Sort((a, b) =>
            {
                int c = string.CompareOrdinal(a.SubjectLabel, b.SubjectLabel);
                return c != 0 ? c : a.Subject.Session.CompareTo(b.Subject.Session);
            });
            LoadPreviousMapping();
            var texts = new BidsDatasetTexts(_o, plan, _root, () => MappingTable());
            texts.AddHeadFiles(plan, anyMask, this);
            texts.AddTailFiles(plan, this);
            return plan;
        }

        private static bool IsScanFailure(Exception ex) =>
            ex is NiftiFormatException || ex is GeometryException || ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is ArgumentException;

        internal BidsPlannedFile NewFile(string relative, BidsFileOperation op, string role, params string[] sources)
        {
            return new BidsPlannedFile
            {
                RelativePath = relative,
                FullPath = Path.Combine(_root, relative.Replace('/', Path.DirectorySeparatorChar)),
                Operation = op,
                Role = role,
                Sources = sources ?? new string[0],
            };
        }

        private BidsScanPlan PlanScan(AtlasSubject s, string label)
        {
            var scan = new BidsScanPlan { Subject = s, SubjectLabel = label, SessionLabel = BidsNames.SessionLabel(s) };
            if (string.IsNullOrEmpty(s.T1Path))
                throw new NiftiFormatException(NiftiErrorKind.NotFound, s.Directory, "scan " + s + " has no T1 image");
            if (!File.Exists(s.T1Path))
                throw new NiftiFormatException(NiftiErrorKind.NotFound, s.T1Path, "the T1 image of " + s + " does not exist");
            // Sources are copied or linked without being read: a truncated file would pass unseen.
            NiftiFiles.CheckIntegrity(s.T1Path);

            bool standard = s.Space == AtlasSpace.MNI152;
            string anat = BidsNames.AnatFolder(label, scan.SessionLabel);
            string t1Rel = anat + "/" + BidsNames.T1wName(label, scan.SessionLabel, standard && _o.KeepSpaceEntity ? BidsNames.StandardSpace : null);
            scan.T1wRelativePath = t1Rel;
            scan.Files.Add(NewFile(t1Rel, ImageOperation(s.T1Path), "T1w", s.T1Path));

            var sidecar = BidsDatasetTexts.T1wSidecar(s);
            if (sidecar.Count > 0)
            {
                var j = NewFile(t1Rel.Substring(0, t1Rel.Length - ".nii.gz".Length) + ".json", BidsFileOperation.Text, "T1w sidecar");
                j.Text = () => OrderedJson.Serialize(sidecar);
                scan.Files.Add(j);
            }

            var smooth = s.LesionMaskPaths ?? new string[0];
            var raw = _o.IncludeRawMasks ? (s.RawLesionMaskPaths ?? new string[0]) : new string[0];
            if (raw.Length > 0 && SamePaths(raw, smooth)) raw = new string[0];
            if (smooth.Length == 0 && raw.Length == 0) return scan;

            var t1Grid = Grid.FromHeader(NiftiReader.ReadHeader(s.T1Path));
            string maskFolder = _o.MaskPlacement == BidsMaskPlacement.Derivatives ? LesionDerivative + "/" + anat : anat;
            string space = standard ? BidsNames.StandardSpace : null;
            PlanMasks(scan, smooth, MaskDesc, "lesion mask", t1Grid, s.T1Path, maskFolder, space);
            PlanMasks(scan, raw, RawMaskDesc, "raw lesion mask", t1Grid, s.T1Path, maskFolder, space);
            return scan;
        }

        private void PlanMasks(BidsScanPlan scan, string[] masks, string desc, string role, Grid t1Grid, string t1Path, string folder, string space)
        {
            if (masks.Length == 0) return;
            Grid first = null;
            foreach (var m in masks)
            {
                if (!File.Exists(m)) throw new NiftiFormatException(NiftiErrorKind.NotFound, m, "the " + role + " of " + scan.Subject + " does not exist");
                NiftiFiles.CheckIntegrity(m);
                var g = Grid.FromHeader(NiftiReader.ReadHeader(m));
                if (!_o.AllowGridMismatch)
                    GridCheck.RequireSame(t1Grid, t1Path, g, m, "the T1", "the " + role, "Use -AllowGridMismatch to convert it anyway.");
                if (first == null) first = g;
                else if (!_o.KeepSeparateLesions)
                    GridCheck.RequireSame(first, masks[0], g, m, "the first " + role, "the " + role + ", so it cannot be merged,", "Use -KeepSeparateLesions to keep one mask per lesion.");
            }
            if (_o.KeepSeparateLesions)
            {
                for (int k = 0; k < masks.Length; k++)
                    AddMask(scan, folder, space, "L" + (k + 1), desc, role + " " + (k + 1) + " of " + masks.Length, ImageOperation(masks[k]), masks[k]);
            }
            else
            {
                var op = masks.Length == 1 ? ImageOperation(masks[0]) : BidsFileOperation.Merge;
                AddMask(scan, folder, space, "L", desc, role, op, masks);
            }
        }

        private void AddMask(BidsScanPlan scan, string folder, string space, string label, string desc, string role, BidsFileOperation op, params string[] sources)
        {
            string rel = folder + "/" + BidsNames.MaskName(scan.SubjectLabel, scan.SessionLabel, space, label, desc);
            scan.Files.Add(NewFile(rel, op, role, sources));
            if (_o.MaskPlacement == BidsMaskPlacement.Derivatives)
            {
                var side = BidsDatasetTexts.MaskSidecar(scan, role, desc, sources.Length);
                var j = NewFile(rel.Substring(0, rel.Length - ".nii.gz".Length) + ".json", BidsFileOperation.Text, role + " sidecar");
                j.Text = () => OrderedJson.Serialize(side);
                scan.Files.Add(j);
            }
        }

        private BidsFileOperation ImageOperation(string source)
        {
            if (NiftiFiles.KindOf(source) != NiftiFileKind.NiiGz) return BidsFileOperation.Compress;
            switch (_o.LinkMode)
            {
                case BidsLinkMode.HardLink: return BidsFileOperation.HardLink;
                case BidsLinkMode.SymbolicLink: return BidsFileOperation.SymbolicLink;
                default: return BidsFileOperation.Copy;
            }
        }

        private static bool SamePaths(string[] a, string[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
            return true;
        }

        // =============================================================== stale temporaries

        /// <summary>Temporary files an interrupted run left in the destination (hidden, named like AtomicFile's).</summary>
        public IList<string> FindStaleTemporaryFiles()
        {
            var found = new List<string>();
            if (!Directory.Exists(_root)) return found;
            foreach (var f in Directory.EnumerateFiles(_root, ".*", SearchOption.AllDirectories))
                if (TempName.IsMatch(Path.GetFileName(f))) found.Add(f);
            found.Sort(StringComparer.Ordinal);
            return found;
        }

        public void RemoveFiles(IEnumerable<string> paths)
        {
            foreach (var p in paths) AtomicFile.TryDelete(p);
        }

        // =============================================================== writing

        /// <summary>Writes one scan's files. <paramref name="approve"/> is asked before each write (ShouldProcess); failures of single files go to <paramref name="onError"/>.</summary>
        public BidsSubjectResult ConvertScan(BidsScanPlan scan, Func<BidsPlannedFile, bool> approve, Action<BidsPlannedFile, Exception> onError, CancellationToken cancel = default(CancellationToken))
        {
            var r = new BidsSubjectResult
            {
                SubjectId = scan.Subject.SubjectId,
                ScanId = scan.Subject.ScanId,
                BidsSubject = scan.BidsSubject,
                BidsSession = scan.BidsSession,
                T1wPath = Path.Combine(_root, scan.T1wRelativePath.Replace('/', Path.DirectorySeparatorChar)),
                Destination = _root,
            };
            foreach (var f in scan.Files)
            {
                switch (WriteFile(f, approve, onError, cancel))
                {
                    case BidsFileOutcome.Written: r.FilesWritten++; break;
                    case BidsFileOutcome.Skipped: r.FilesSkipped++; break;
                    case BidsFileOutcome.Failed: r.FilesFailed++; break;
                }
            }
            return r;
        }

        /// <summary>Writes dataset-level files (the plan's HeadFiles or TailFiles); returns how many were written.</summary>
        public int WriteFiles(IEnumerable<BidsPlannedFile> files, Func<BidsPlannedFile, bool> approve, Action<BidsPlannedFile, Exception> onError, CancellationToken cancel = default(CancellationToken))
        {
            int n = 0;
            foreach (var f in files) if (WriteFile(f, approve, onError, cancel) == BidsFileOutcome.Written) n++;
            return n;
        }

        /// <summary>Plans and writes everything (no approval step); the entry point for programs and tests.</summary>
        public BidsPlan Convert(IEnumerable<AtlasSubject> subjects, List<BidsSubjectResult> results = null, CancellationToken cancel = default(CancellationToken))
        {
            var plan = Plan(subjects, cancel);
            Func<BidsPlannedFile, bool> yes = f => true;
            Action<BidsPlannedFile, Exception> fail = (f, ex) => throw new IOException(f.RelativePath + ": " + ex.Message, ex);
            WriteFiles(plan.HeadFiles, yes, fail, cancel);
            foreach (var s in plan.Scans)
            {
                var r = ConvertScan(s, yes, fail, cancel);
                results?.Add(r);
            }
            WriteFiles(plan.TailFiles, yes, fail, cancel);
            return plan;
        }

        private BidsFileOutcome WriteFile(BidsPlannedFile f, Func<BidsPlannedFile, bool> approve, Action<BidsPlannedFile, Exception> onError, CancellationToken cancel)
        {
            cancel.ThrowIfCancellationRequested();
            BidsFileOutcome outcome;
            try
            {
                outcome = f.Operation == BidsFileOperation.Text ? WriteText(f, approve) : WriteImage(f, approve, cancel);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && (IsScanFailure(ex) || ex is InvalidOperationException || ex is NotSupportedException))
            {
                onError?.Invoke(f, ex);
                outcome = BidsFileOutcome.Failed;
            }
            FileCompleted?.Invoke(f, outcome);
            return outcome;
        }

        private BidsFileOutcome WriteText(BidsPlannedFile f, Func<BidsPlannedFile, bool> approve)
        {
            var bytes = new UTF8Encoding(false).GetBytes(f.Text());
            if (File.Exists(f.FullPath) && !_o.Force)
            {
                if (f.KeepExisting) return BidsFileOutcome.Skipped;
                var old = File.ReadAllBytes(f.FullPath);
                if (BytesEqual(old, bytes)) return BidsFileOutcome.Skipped;
                Rebuilding?.Invoke(f, "it differs from what the conversion writes now");
            }
            if (!approve(f)) return BidsFileOutcome.NotApproved;
            AtomicFile.WriteAllBytes(f.FullPath, bytes);
            return BidsFileOutcome.Written;
        }

        private static bool BytesEqual(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        private BidsFileOutcome WriteImage(BidsPlannedFile f, Func<BidsPlannedFile, bool> approve, CancellationToken cancel)
        {
            string target = f.FullPath;
            bool exists = File.Exists(target);
            string[] sourceSha = null;
            string OpName() => f.Operation.ToString().ToLowerInvariant();

            if (exists && !_o.Force)
            {
                // Fast path: the mapping of the last run says this target came from these very sources.
                sourceSha = HashSources(f, cancel);
                if (_previous.TryGetValue(f.RelativePath, out var prev) && prev.Count == f.Sources.Length)
                {
                    bool same = true;
                    for (int i = 0; i < prev.Count && same; i++)
                        same = prev[i].Operation == OpName() && prev[i].SourcePath == f.Sources[i] && prev[i].SourceSha256 == sourceSha[i];
                    if (same)
                    {
                        string now = FileLinks.Sha256(target, cancel);
                        if (now == prev[0].BidsSha256) { Record(f, sourceSha, now); return BidsFileOutcome.Skipped; }
                    }
                }
                if (f.Operation == BidsFileOperation.Copy || f.Operation == BidsFileOperation.HardLink || f.Operation == BidsFileOperation.SymbolicLink)
                {
                    string now = FileLinks.Sha256(target, cancel);
                    if (now == sourceSha[0]) { Record(f, sourceSha, now); return BidsFileOutcome.Skipped; }
                    Rebuilding?.Invoke(f, "it differs from its source " + f.Sources[0]);
                }
            }
            if (!approve(f)) return BidsFileOutcome.NotApproved;
            if (sourceSha == null) sourceSha = HashSources(f, cancel);

            switch (f.Operation)
            {
                case BidsFileOperation.Copy:
                    AtomicFile.Write(target, s => FileLinks.CopyTo(f.Sources[0], s, cancel));
                    Record(f, sourceSha, sourceSha[0]);
                    return BidsFileOutcome.Written;
                case BidsFileOperation.HardLink:
                case BidsFileOperation.SymbolicLink:
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(target));
                        string tmp = AtomicFile.TempPathFor(target);
                        try
                        {
                            if (f.Operation == BidsFileOperation.HardLink) FileLinks.CreateHardLink(tmp, f.Sources[0]);
                            else FileLinks.CreateSymbolicLink(tmp, Path.GetFullPath(f.Sources[0]));
                            CommitReplacing(tmp, target);
                        }
                        catch (Exception ex)
                        {
                            AtomicFile.TryDelete(tmp);
                            throw AtomicFile.ThrownForTarget(ex, tmp, target);
                        }
                        Record(f, sourceSha, sourceSha[0]);
                        return BidsFileOutcome.Written;
                    }
                default:
                    {
                        var volume = f.Operation == BidsFileOperation.Merge ? MergeMasks(f.Sources, cancel) : NiftiReader.Read(f.Sources[0]);
                        cancel.ThrowIfCancellationRequested();
                        Directory.CreateDirectory(Path.GetDirectoryName(target));
                        string tmp = AtomicFile.TempPathFor(target) + ".nii.gz";
                        try
                        {
                            NiftiWriter.Write(volume, tmp);
                            string sha = FileLinks.Sha256(tmp, cancel);
                            if (exists && !_o.Force)
                            {
                                string old = FileLinks.Sha256(target, cancel);
                                if (old == sha) { AtomicFile.TryDelete(tmp); Record(f, sourceSha, sha); return BidsFileOutcome.Skipped; }
                                Rebuilding?.Invoke(f, "it differs from what the conversion writes now");
                            }
                            CommitReplacing(tmp, target);
                            Record(f, sourceSha, sha);
                            return BidsFileOutcome.Written;
                        }
                        catch (Exception ex)
                        {
                            // The error names the BIDS file, never the temporary one it was written to.
                            throw AtomicFile.ThrownForTarget(ex, tmp, target);
                        }
                        finally { AtomicFile.TryDelete(tmp); }
                    }
            }
        }

        /// <summary>Renames into place over an existing file or link (rename(2) replaces atomically; File.Replace would follow a symbolic link).</summary>
        private static void CommitReplacing(string tmp, string target)
        {
            try
            {
                if (File.Exists(target) || IsLink(target))
                {
                    if (Path.DirectorySeparatorChar == '/') { File.Delete(target); File.Move(tmp, target); }
                    else AtomicFile.Commit(tmp, target);
                }
                else File.Move(tmp, target);
            }
            catch { AtomicFile.TryDelete(tmp); throw; }
        }

        private static bool IsLink(string path)
        {
            try { return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0; }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }

        private static string[] HashSources(BidsPlannedFile f, CancellationToken cancel)
        {
            var h = new string[f.Sources.Length];
            for (int i = 0; i < h.Length; i++) h[i] = FileLinks.Sha256(f.Sources[i], cancel);
            return h;
        }

        /// <summary>
        /// The voxel-wise union of a scan's lesion masks: the lesions engine's merge (each mask binarised
        /// by AtlasVolume.ToMask, uint8 0/1 on the primary's grid and header). Plan() has checked the grids.
        /// </summary>
        internal static AtlasVolume MergeMasks(string[] paths, CancellationToken cancel)
        {
            var masks = new List<AtlasVolume>(paths.Length);
            foreach (var p in paths)
            {
                cancel.ThrowIfCancellationRequested();
                masks.Add(NiftiReader.Read(p));
            }
            return LesionMasks.Merge(masks);
        }

        // =============================================================== mapping

        private void Record(BidsPlannedFile f, string[] sourceSha, string bidsSha)
        {
            var rows = new List<MappingRow>();
            for (int i = 0; i < f.Sources.Length; i++)
                rows.Add(new MappingRow
                {
                    BidsPath = f.RelativePath,
                    Operation = f.Operation.ToString().ToLowerInvariant(),
                    SourcePath = f.Sources[i],
                    SourceSha256 = sourceSha[i],
                    BidsSha256 = bidsSha,
                });
            _mapping[f.RelativePath] = rows;
        }

        internal static readonly string[] MappingColumns = { "bids_path", "operation", "source_path", "source_sha256", "bids_sha256" };

        private void LoadPreviousMapping()
        {
            _previous.Clear();
            BidsTable t;
            try { t = BidsTable.Read(Path.Combine(_root, MappingPath.Replace('/', Path.DirectorySeparatorChar))); }
            catch (IOException) { return; }
            if (t == null) return;
            int[] ix = new int[MappingColumns.Length];
            for (int i = 0; i < ix.Length; i++) { ix[i] = t.IndexOf(MappingColumns[i]); if (ix[i] < 0) return; }
            foreach (var r in t.Rows)
            {
                var row = new MappingRow { BidsPath = r[ix[0]], Operation = r[ix[1]], SourcePath = r[ix[2]], SourceSha256 = r[ix[3]], BidsSha256 = r[ix[4]] };
                if (!_previous.TryGetValue(row.BidsPath, out var list)) _previous[row.BidsPath] = list = new List<MappingRow>();
                list.Add(row);
            }
        }

        /// <summary>This run's rows plus the previous run's rows for files this run did not touch (another shard's subjects).</summary>
        private string MappingTable()
        {
            var t = new BidsTable(MappingColumns);
            var keys = new List<string>();
            foreach (var k in _previous.Keys) if (!_mapping.ContainsKey(k) && File.Exists(Path.Combine(_root, k.Replace('/', Path.DirectorySeparatorChar)))) keys.Add(k);
            keys.AddRange(_mapping.Keys);
            keys.Sort(StringComparer.Ordinal);
            foreach (var k in keys)
            {
                var rows = _mapping.TryGetValue(k, out var mine) ? mine : _previous[k];
                foreach (var r in rows) t.AddRow(r.BidsPath, r.Operation, r.SourcePath, r.SourceSha256, r.BidsSha256);
            }
            return t.ToText();
        }
    }
}
