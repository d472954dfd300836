using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Datasets
{
    public enum FindingSeverity { Error, Warning }

    /// <summary>One problem found by Test-AtlasDataset (none for a clean subject).</summary>
    public sealed class DatasetFinding
    {
        public FindingSeverity Severity { get; set; }
        public string SubjectId { get; set; }
        /// <summary>The scan (time point) the finding belongs to.</summary>
        public string ScanId { get; set; }
        /// <summary>The check's stable name (one of <see cref="DatasetChecker.Checks"/>).</summary>
        public string Check { get; set; }
        /// <summary>The file concerned (null when none is, e.g. a missing metadata row).</summary>
        public string Path { get; set; }
        public string Message { get; set; }
        public override string ToString() => Severity + " " + Check + " " + (ScanId ?? SubjectId) + ": " + Message;
    }

    public sealed class DatasetCheckOptions
    {
        /// <summary>Read voxels: mask values (0/1, 0/255, non-binary), empty masks, overlaps with the primary, the T1's data.</summary>
        public bool Deep { get; set; }
        /// <summary>Largest affine difference between a mask and its T1 still counted as the same grid (mm).</summary>
        public double ToleranceMm { get; set; } = 1e-3;
        public CancellationToken Cancellation { get; set; }
    }

    /// <summary>
    /// The per-subject checks of Test-AtlasDataset. Without Deep only headers are read (T1 present
    /// and readable, every mask readable and on the T1's grid, mask numbering, metadata row and
    /// lesion count, and for a scan ConvertTo-AtlasStandardSpace wrote its registration's verdict: Failed is
    /// an error, Suspect a warning); with Deep the voxels too (mask values binary 0/1, not 0/255 or anything else,
    /// masks non-empty, secondary masks not overlapping the primary, the T1's data complete).
    /// </summary>
    public static class DatasetChecker
    {
        public const string T1Missing = "T1Missing", T1Unreadable = "T1Unreadable", MaskMissing = "MaskMissing",
            MaskUnreadable = "MaskUnreadable", MaskGrid = "MaskGrid", MaskNotBinary = "MaskNotBinary", Mask255 = "Mask255",
            MaskEmpty = "MaskEmpty", MaskNumbering = "MaskNumbering", MaskOverlap = "MaskOverlap",
            MetadataMissing = "MetadataMissing", LesionCount = "LesionCount", UnmatchedFile = "UnmatchedFile", MetadataOrphan = "MetadataOrphan",
            Registration = "Registration";

        /// <summary>Every check name, in the order they run.</summary>
        public static readonly string[] Checks =
        {
            T1Missing, T1Unreadable, MaskMissing, MaskUnreadable, MaskGrid, MaskNotBinary, Mask255, MaskEmpty,
            MaskNumbering, MaskOverlap, MetadataMissing, LesionCount, UnmatchedFile, MetadataOrphan, Registration,
        };

        /// <summary>Findings about the dataset as a whole: files that match no layout name, metadata rows that match no subject.</summary>
        public static List<DatasetFinding> CheckScan(DatasetScanResult scan)
        {
            var f = new List<DatasetFinding>();
            foreach (var file in scan.UnmatchedFiles)
                f.Add(new DatasetFinding { Severity = FindingSeverity.Warning, Check = UnmatchedFile, Path = file,
                    Message = "The file matches no " + scan.Layout + " layout name, so no subject uses it." });
            foreach (var row in scan.OrphanMetadataRows)
                f.Add(new DatasetFinding { Severity = FindingSeverity.Warning, Check = MetadataOrphan, Path = scan.Metadata?.Path,
                    Message = "Metadata " + row + " matches no subject under " + scan.Root + "." });
            return f;
        }

        private static readonly Regex CountHeader = new Regex(@"^\s*#\s*(strokes|lesions)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static List<DatasetFinding> Check(AtlasSubject s, DatasetCheckOptions options = null)
        {
            options = options ?? new DatasetCheckOptions();
            var f = new List<DatasetFinding>();
            void Add(FindingSeverity sev, string check, string path, string message) =>
                f.Add(new DatasetFinding { Severity = sev, SubjectId = s.SubjectId, ScanId = s.ScanId ?? s.SubjectId, Check = check, Path = path, Message = message });

            // T1
            Grid t1Grid = null;
            if (string.IsNullOrEmpty(s.T1Path) || !File.Exists(s.T1Path))
                Add(FindingSeverity.Error, T1Missing, s.T1Path ?? s.Directory, "No T1 image for " + s.ScanId + (s.T1Path != null ? " (" + s.T1Path + " does not exist)" : "") + ".");
            else
            {
                try
                {
                    var v = NiftiReader.Read(s.T1Path, new NiftiReadOptions { HeaderOnly = !options.Deep, Frame = options.Deep ? (int?)0 : null });
                    t1Grid = v.Grid;
                }
                catch (Exception ex) when (IsReadFailure(ex))
                {
                    Add(FindingSeverity.Error, T1Unreadable, s.T1Path, "The T1 cannot be read: " + Reason(ex));
                }
                // A scan ConvertTo-AtlasStandardSpace wrote carries its registration's verdict in its record.
                var reg = StandardizationRecord.Of(s.T1Path);
                if (reg != null && reg.IsFailed)
                    Add(FindingSeverity.Error, Registration, s.T1Path, "The registration to the template failed its checks (" + reg.VerdictReason
                        + "): the scan and its masks are in the template's grid but probably not on its anatomy; look at the template outline in New-AtlasQcReport.");
                else if (reg != null && reg.IsSuspect)
                    Add(FindingSeverity.Warning, Registration, s.T1Path, "The registration to the template is suspect (" + reg.VerdictReason + ").");
            }

            // Masks: every distinct file of every kind, in rank order.
            var masks = new List<string>();
            foreach (var list in new[] { s.LesionMaskPaths, s.SmoothLesionMaskPaths, s.RawLesionMaskPaths })
                if (list != null) foreach (var p in list) if (p != null && !masks.Contains(p)) masks.Add(p);
            if (masks.Count == 0 && s.Layout != AtlasLayout.Bids)
                Add(FindingSeverity.Warning, MaskMissing, s.Directory, "No lesion mask for " + s.ScanId + ".");

            var grids = new Dictionary<string, Grid>();
            var volumes = new Dictionary<string, AtlasVolume>();
            foreach (var p in masks)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                AtlasVolume v;
                try { v = NiftiReader.Read(p, new NiftiReadOptions { HeaderOnly = !options.Deep, Frame = options.Deep ? (int?)0 : null }); }
                catch (Exception ex) when (IsReadFailure(ex))
                {
                    Add(FindingSeverity.Error, MaskUnreadable, p, "The mask cannot be read: " + Reason(ex));
                    continue;
                }
                grids[p] = v.Grid;
                if (t1Grid != null)
                {
                    string why = t1Grid.DescribeMismatch(v.Grid, options.ToleranceMm);
                    if (why != null) Add(FindingSeverity.Error, MaskGrid, p, "The mask is not on the T1's grid: " + why + " (T1 " + t1Grid + ", mask " + v.Grid + ").");
                }
                if (!options.Deep) continue;
                volumes[p] = v;
                CheckValues(v, p, Add);
            }

            // Numbering: the primary, then _1, _2 … without gaps, per kind.
            CheckNumbering(s.RawLesionMaskPaths, "raw", Add);
            CheckNumbering(s.SmoothLesionMaskPaths, "smoothed", Add);
            if ((s.SmoothLesionMaskPaths == null || s.SmoothLesionMaskPaths.Length == 0) && (s.RawLesionMaskPaths == null || s.RawLesionMaskPaths.Length == 0))
                CheckNumbering(s.LesionMaskPaths, "lesion", Add);
            if (s.Layout == AtlasLayout.Native && s.RawLesionMaskPaths != null && s.SmoothLesionMaskPaths != null
                && s.RawLesionMaskPaths.Length > 0 && s.SmoothLesionMaskPaths.Length > 0 && s.RawLesionMaskPaths.Length != s.SmoothLesionMaskPaths.Length)
                Add(FindingSeverity.Warning, MaskNumbering, s.Directory, s.RawLesionMaskPaths.Length + " raw masks but " + s.SmoothLesionMaskPaths.Length + " smoothed masks.");

            // Overlap of each secondary mask with the primary of the same kind.
            if (options.Deep)
                foreach (var list in new[] { s.SmoothLesionMaskPaths, s.RawLesionMaskPaths, s.LesionMaskPaths })
                    CheckOverlap(list, volumes, grids, options.ToleranceMm, Add);

            // Metadata.
            if (s.MetadataHeaders != null && s.MetadataHeaders.Count > 0)
            {
                if (!s.HasMetadata) Add(FindingSeverity.Warning, MetadataMissing, null, "No metadata row for " + s.ScanId + ".");
                else CheckCount(s, Add);
            }
            return f;
        }

        private static bool IsReadFailure(Exception ex) =>
            ex is NiftiFormatException || ex is GeometryException || ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException || ex is NotSupportedException;

        private static string Reason(Exception ex) => ex is NiftiFormatException n && n.Reason != null ? n.Reason : ex.Message;

        /// <summary>
        /// The voxel checks of one mask (Test-AtlasDataset -Deep's MaskNotBinary, Mask255 and MaskEmpty), for callers
        /// that have the volume already (Measure-Lesion warns with them, so a T1 or an empty mask is never measured silently).
        /// </summary>
        public static List<DatasetFinding> CheckMaskValues(AtlasVolume v, string path)
        {
            var found = new List<DatasetFinding>();
            CheckValues(v, path, (sev, check, file, message) => found.Add(new DatasetFinding { Severity = sev, Check = check, Path = file, Message = message }));
            return found;
        }

        private static void CheckValues(AtlasVolume v, string p, Action<FindingSeverity, string, string, string> add)
        {
            if (NiftiDataTypes.ElementsPerVoxel(v.DataType) != 1)
            {
                add(FindingSeverity.Error, MaskNotBinary, p, "The mask has " + v.DataType + " voxels (several values each), not 0/1.");
                return;
            }
            long ones = 0, v255 = 0, other = 0;
            float example = 0;
            if (v.PlainBytes is byte[] bytes)
            {
                // The usual mask: counted in place, no float copy of the volume.
                VoxelConvert.CountMaskBytes(bytes, 0, v.Grid.VoxelCount, out ones, out v255, out other, out byte first);
                example = first;
            }
            else
            {
                var values = v.ToFloat32();
                for (long i = 0; i < values.LongLength; i++)
                {
                    float x = values[i];
                    if (x == 0) continue;
                    if (x == 1) ones++;
                    else if (x == 255) v255++;
                    else { if (other == 0) example = x; other++; }
                }
            }
            if (other > 0)
                add(FindingSeverity.Error, MaskNotBinary, p, "The mask is not binary: " + other + " voxels hold values other than 0 and 1 (e.g. "
                    + example.ToString("G6", CultureInfo.InvariantCulture) + ").");
            else if (v255 > 0)
                add(FindingSeverity.Warning, Mask255, p, "The mask is stored as 0/255 (" + v255 + " voxels of 255" + (ones > 0 ? ", " + ones + " of 1" : "")
                    + "); tools that expect 0/1 will misread it.");
            if (ones + v255 + other == 0) add(FindingSeverity.Error, MaskEmpty, p, "The mask is empty (no non-zero voxel).");
        }

        private static void CheckNumbering(string[] paths, string what, Action<FindingSeverity, string, string, string> add)
        {
            if (paths == null || paths.Length == 0) return;
            for (int i = 0; i < paths.Length; i++)
            {
                int rank = DatasetScanner.MaskRank(paths[i]);
                if (rank == i) continue;
                string missing = i == 0 ? "the primary " + what + " mask (no number)" : "the " + what + " mask numbered _" + i;
                add(FindingSeverity.Error, MaskNumbering, paths[i], "Secondary " + what + " masks are not numbered without gaps: " + missing + " is missing before " + Path.GetFileName(paths[i]) + ".");
                return;
            }
        }

        private static void CheckOverlap(string[] paths, Dictionary<string, AtlasVolume> volumes, Dictionary<string, Grid> grids, double tol,
            Action<FindingSeverity, string, string, string> add)
        {
            if (paths == null || paths.Length < 2 || !volumes.TryGetValue(paths[0], out var primary)) return;
            byte[] pm = null;
            for (int r = 1; r < paths.Length; r++)
            {
                if (!volumes.TryGetValue(paths[r], out var sec) || !primary.Grid.Matches(sec.Grid, tol)) continue;
                if (pm == null) pm = primary.ToMask();
                var sm = sec.ToMask();
                long n = 0;
                for (long i = 0; i < sm.LongLength; i++) if (sm[i] != 0 && pm[i] != 0) n++;
                if (n > 0)
                    add(FindingSeverity.Error, MaskOverlap, paths[r], "The secondary mask overlaps the primary " + Path.GetFileName(paths[0]) + " in " + n + " voxels (separate lesions are separate masks).");
            }
        }

        private static void CheckCount(AtlasSubject s, Action<FindingSeverity, string, string, string> add)
        {
            int? total = null;
            foreach (var kv in s.MetadataHeaders)
            {
                bool counts = CountHeader.IsMatch(kv.Value) || string.Equals(kv.Value.Trim(), "Other Location", StringComparison.OrdinalIgnoreCase);
                if (!counts) continue;
                var v = s.Metadata.TryGetValue(kv.Key, out var o) ? o : null;
                if (v is int i) total = (total ?? 0) + i;
                else if (v is double d && Math.Floor(d) == d) total = (total ?? 0) + (int)d;
            }
            if (total == null) return;
            int files = s.LesionFileCount;
            if (s.Layout == AtlasLayout.Bids)
            {
                // R2.0 keeps all lesions of a scan in one mask: only presence can be compared.
                if (total.Value > 0 && files == 0)
                    add(FindingSeverity.Error, LesionCount, s.Directory, "The metadata counts " + total.Value + " lesions but there is no lesion mask.");
                else if (total.Value == 0 && files > 0)
                    add(FindingSeverity.Error, LesionCount, s.LesionMaskPaths[0], "The metadata counts no lesion but there is a lesion mask.");
                return;
            }
            if (total.Value != files)
                add(FindingSeverity.Error, LesionCount, files > 0 ? s.LesionMaskPaths[0] : s.Directory,
                    "The metadata counts " + total.Value + " lesions but there " + (files == 1 ? "is 1 lesion mask" : "are " + files + " lesion masks") + ".");
        }

        /// <summary>Counts per check (every check listed, zero included), for -Summary.</summary>
        public static List<DatasetCheckSummary> Summarize(IEnumerable<DatasetFinding> findings, int subjectsChecked)
        {
            var result = new List<DatasetCheckSummary>();
            foreach (var c in Checks) result.Add(new DatasetCheckSummary { Check = c, SubjectsChecked = subjectsChecked });
            foreach (var f in findings)
            {
                var row = result.Find(r => r.Check == f.Check);
                if (row == null) { row = new DatasetCheckSummary { Check = f.Check, SubjectsChecked = subjectsChecked }; result.Add(row); }
                if (f.Severity == FindingSeverity.Error) row.Errors++; else row.Warnings++;
            }
            return result;
        }
    }

    /// <summary>A -Summary row: findings of one check.</summary>
    public sealed class DatasetCheckSummary
    {
        public string Check { get; set; }
        public int Errors { get; set; }
        public int Warnings { get; set; }
        public int SubjectsChecked { get; set; }
    }
}
