using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Atlas.Core.Nifti;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// registration.tsv at a standardized dataset's root: one row per scan (keyed by ScanId, sorted), each run's
    /// rows replacing earlier ones of the same scans. Jobs that standardize into one folder at the same time (SLURM
    /// shards) each merge their rows under an exclusive lock on a hidden <c>.registration.tsv.lock</c> beside it, so
    /// no job's rows are lost to another's rename.
    /// </summary>
    public static class RegistrationTable
    {
        public const string FileName = "registration.tsv";

        public static readonly string[] Columns =
            { "SubjectId", "Session", "ScanId", "Verdict", "VerdictReason", "FinalCost", "CorrelationRatio", "BrainOverlap", "Determinant", "TransformPath" };

        /// <summary>The rows of a table's text by ScanId (rows of another width are dropped).</summary>
        public static SortedDictionary<string, string[]> Parse(string text)
        {
            var byScan = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
            var lines = text.Split('\n');
            for (int i = 1; i < lines.Length; i++)
            {
                var f = lines[i].TrimEnd('\r').Split('\t');
                if (f.Length == Columns.Length) byScan[f[2]] = f;
            }
            return byScan;
        }

        /// <summary>The table's text: the header, then the rows in ScanId order (tabs and newlines in values become spaces).</summary>
        public static string Format(IEnumerable<string[]> rows)
        {
            var sb = new StringBuilder(string.Join("\t", Columns)).Append('\n');
            foreach (var r in rows) sb.Append(string.Join("\t", Array.ConvertAll(r, v => (v ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ')))).Append('\n');
            return sb.ToString();
        }

        /// <summary>
        /// Merges <paramref name="rows"/> into the table at <paramref name="path"/> under the lock: read, replace the
        /// rows of the same scans, write atomically when the text changed and <paramref name="confirm"/> agrees.
        /// Returns true when the file was written. Waits up to <paramref name="lockTimeout"/> for another job's merge.
        /// </summary>
        public static bool Merge(string path, IEnumerable<string[]> rows, Func<bool> confirm = null, TimeSpan? lockTimeout = null,
            CancellationToken token = default(CancellationToken))
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(path));
            string lockPath = Path.Combine(dir, "." + Path.GetFileName(path) + ".lock");
            using (AcquireLock(lockPath, lockTimeout ?? TimeSpan.FromMinutes(2), token))
            {
                string old = File.Exists(path) ? File.ReadAllText(path) : null;
                var byScan = old != null ? Parse(old) : new SortedDictionary<string, string[]>(StringComparer.Ordinal);
                foreach (var r in rows) byScan[r[2]] = r;
                string text = Format(byScan.Values);
                if (text == old) return false;
                if (confirm != null && !confirm()) return false;
                AtomicFile.WriteAllText(path, text);
                return true;
            }
        }

        private static FileStream AcquireLock(string lockPath, TimeSpan timeout, CancellationToken token)
        {
            var deadline = DateTime.UtcNow + timeout;
            int wait = 5;
            while (true)
            {
                try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Another job holds it (a sharing violation, or EWOULDBLOCK from the advisory lock on Unix).
                    token.ThrowIfCancellationRequested();
                    Thread.Sleep(wait);
                    wait = Math.Min(wait * 2, 200);
                }
                catch (IOException ex)
                {
                    throw new IOException("Another job has held the lock " + lockPath + " on " + Path.GetFileName(lockPath).TrimStart('.').Replace(".lock", "")
                        + " for " + timeout.TotalSeconds + " s; if no job is running, delete the lock file.", ex);
                }
            }
        }
    }
}
