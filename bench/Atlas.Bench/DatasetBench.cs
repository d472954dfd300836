using System;
using System.Diagnostics;
using System.IO;
using Atlas.Core.Datasets;
using Atlas.Core.Samples;

namespace Atlas.Bench
{
    /// <summary>
    /// datasets: listing 1,000 subjects of an R1.1 native tree (files only, no voxel reads; target
    /// under 2 s), and generating the 20-subject sample dataset.
    /// </summary>
    public sealed class DatasetBench : IBench
    {
        public string Name => "datasets";

        public void Run(BenchContext ctx)
        {
            string tree = Path.Combine(ctx.WorkDir, "datasets-1000");
            if (Directory.Exists(tree)) Directory.Delete(tree, true);
            // 1,000 scans: T1 + raw/smooth masks (1–3 lesions), empty placeholder files (listing never reads them).
            int files = 0;
            for (int n = 0; n < 1000; n++)
            {
                string c = "c" + (n % 40 + 1).ToString("0000"), s = "s" + (n / 40 + 1).ToString("0000");
                string scan = c + s + "t01";
                string dir = Path.Combine(tree, c, scan);
                Directory.CreateDirectory(dir);
                File.WriteAllBytes(Path.Combine(dir, scan + ".nii.gz"), new byte[0]); files++;
                for (int r = 0; r < 1 + n % 3; r++)
                {
                    string suf = r == 0 ? "" : "_" + r;
                    foreach (var f in new[] { "_LesionRaw" + suf + ".voi", "_LesionSmooth" + suf + ".voi", "_LesionSmooth" + suf + ".nii.gz" })
                    { File.WriteAllBytes(Path.Combine(dir, scan + f), new byte[0]); files++; }
                }
            }
            var csv = new System.Text.StringBuilder("Subject ID,Session,# Strokes LH Cortical,Stroke type\n");
            for (int n = 0; n < 1000; n++) csv.Append("c" + (n % 40 + 1).ToString("0000") + "s" + (n / 40 + 1).ToString("0000") + ",t01," + (n % 3) + ",Ischemic\n");
            string meta = Path.Combine(tree, "meta.csv");
            File.WriteAllText(meta, csv.ToString());

            int count = 0;
            double ms = BenchContext.TimeMs(() => { count = DatasetScanner.Scan(tree).Subjects.Count; }, 5);
            Console.WriteLine($"  list 1,000 subjects ({files} files), files only: {ms:F0} ms ({count} subjects; target < 2000 ms)");
            ms = BenchContext.TimeMs(() => { count = DatasetScanner.Scan(tree, new DatasetScanOptions { MetadataPath = meta }).Subjects.Count; }, 5);
            Console.WriteLine($"  list 1,000 subjects + metadata CSV join: {ms:F0} ms");

            string sample = Path.Combine(ctx.WorkDir, "datasets-sample");
            if (Directory.Exists(sample)) Directory.Delete(sample, true);
            var sw = Stopwatch.StartNew();
            var res = SampleDataset.Generate(sample, 20, 1);
            Console.WriteLine($"  New-AtlasSampleDataset 20 subjects ({res.ScanCount} scans, {res.LesionCount} lesions, {res.FileCount} files): {sw.Elapsed.TotalMilliseconds:F0} ms");
        }
    }
}
