using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>registration.tsv: rows replaced per scan, sorted, and no rows lost when jobs merge at the same time.</summary>
    public class RegistrationTableTests
    {
        private static string[] Row(string scan, string verdict) =>
            new[] { scan.Substring(0, 10), "1", scan, verdict, verdict == "Good" ? "" : "overlap\t0.4", "0.1", "0.9", "0.95", "1.01", "/x/" + scan + "_xfm.txt" };

        [Fact]
        public void MergeReplacesTheRowsOfTheSameScansKeepsTheOthersAndSortsThem()
        {
            using (var t = new TempDir())
            {
                string path = t.File("registration.tsv");
                Assert.True(RegistrationTable.Merge(path, new[] { Row("c0002s0001t01", "Good"), Row("c0001s0001t01", "Good") }));
                Assert.True(RegistrationTable.Merge(path, new[] { Row("c0002s0001t01", "Failed") }));
                var lines = File.ReadAllLines(path);
                Assert.Equal(3, lines.Length);
                Assert.Equal(string.Join("\t", RegistrationTable.Columns), lines[0]);
                Assert.StartsWith("c0001s0001\t1\tc0001s0001t01\tGood\t", lines[1]);
                // The tab inside the reason became a space, so the row keeps its ten columns.
                Assert.StartsWith("c0002s0001\t1\tc0002s0001t01\tFailed\toverlap 0.4\t", lines[2]);
                Assert.Equal(10, lines[2].Split('\t').Length);
                // The same rows again: the text is the same, so the file is not written.
                var before = File.GetLastWriteTimeUtc(path);
                Assert.False(RegistrationTable.Merge(path, new[] { Row("c0002s0001t01", "Failed") }));
                Assert.Equal(before, File.GetLastWriteTimeUtc(path));
                // A refused confirmation writes nothing.
                Assert.False(RegistrationTable.Merge(path, new[] { Row("c0003s0001t01", "Good") }, () => false));
                Assert.Equal(3, File.ReadAllLines(path).Length);
            }
        }

        [Fact]
        public void JobsMergingAtOnceLoseNoRow()
        {
            // Eight jobs (threads started together) each add 25 scans, one merge per scan, to one table at the same
            // time, as SLURM shards standardizing into one folder do: 200 read-replace-rename cycles that, unlocked,
            // lose rows to each other's renames.
            using (var t = new TempDir())
            {
                string path = t.File("registration.tsv");
                var start = new System.Threading.Barrier(8);
                var threads = Enumerable.Range(0, 8).Select(job => new System.Threading.Thread(() =>
                {
                    start.SignalAndWait();
                    for (int i = 0; i < 25; i++)
                        RegistrationTable.Merge(path, new[] { Row("c" + job.ToString("0000") + "s" + i.ToString("0000") + "t01", "Good") });
                })).ToList();
                threads.ForEach(th => th.Start());
                threads.ForEach(th => th.Join());
                var table = RegistrationTable.Parse(File.ReadAllText(path));
                Assert.Equal(8 * 25, table.Count);
            }
        }

        [Fact]
        public void ALockHeldTooLongIsAnErrorNamingTheLockFile()
        {
            using (var t = new TempDir())
            {
                string path = t.File("registration.tsv");
                using (new FileStream(t.File(".registration.tsv.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                {
                    var ex = Assert.Throws<IOException>(() => RegistrationTable.Merge(path, new[] { Row("c0001s0001t01", "Good") }, null, TimeSpan.FromMilliseconds(100)));
                    Assert.Contains(".registration.tsv.lock", ex.Message);
                }
                Assert.False(File.Exists(path));
            }
        }
    }
}
