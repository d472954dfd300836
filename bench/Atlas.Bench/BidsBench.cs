using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Bids;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Convert-AtlasToBids engine: 10 scans at the R2.0 size (197 x 233 x 189, int16 T1 .nii.gz + two
    /// .nii.gz masks merged, one raw .voi) converted once, then rerun (everything skipped), then a
    /// rerun of a .voi/.nii-heavy tree where the mapping file lets converted images be skipped.
    /// </summary>
    public sealed class BidsBench : IBench
    {
        public string Name => "bids";

        public void Run(BenchContext ctx)
        {
            string root = Path.Combine(ctx.WorkDir, "bids");
            if (Directory.Exists(root)) Directory.Delete(root, true);
            string src = Path.Combine(root, "src");
            var grid = Grid.Create(197, 233, 189, 1, 1, 1);
            var rng = new Random(1);
            var t1 = new short[grid.VoxelCount];
            for (int i = 0; i < t1.Length; i++) t1[i] = (short)(300 + (i % 211) + rng.Next(40));
            var subjects = new List<AtlasSubject>();
            for (int s = 1; s <= 10; s++)
            {
                string id = "c0001s" + s.ToString("0000") + "t01";
                string dir = Path.Combine(src, "c0001", id);
                Directory.CreateDirectory(dir);
                string t1Path = Path.Combine(dir, id + (s % 2 == 0 ? ".nii" : ".nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromArray(grid, t1, NiftiDataType.Int16), t1Path);
                var masks = new List<string>();
                for (int m = 0; m < 2; m++)
                {
                    var b = new byte[grid.VoxelCount];
                    for (int k = 80; k < 100; k++) for (int j = 100; j < 120; j++) for (int i = 60 + 40 * m; i < 80 + 40 * m; i++) b[grid.Index(i, j, k)] = 1;
                    string p = Path.Combine(dir, id + "_LesionSmooth" + (m == 0 ? "" : "_" + m) + (s % 2 == 0 ? ".voi" : ".nii.gz"));
                    NiftiWriter.Write(AtlasVolume.FromMask(grid, b), p);
                    masks.Add(p);
                }
                subjects.Add(new AtlasSubject { SubjectId = id, ScanId = id, Cohort = "c0001", Subject = "s" + s.ToString("0000"), Session = 1, T1Path = t1Path, LesionMaskPaths = masks.ToArray() });
            }
            string dest = Path.Combine(root, "out");
            double first = 0, rerun = 0;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            new BidsConverter(new BidsConvertOptions { Destination = dest }).Convert(subjects);
            first = sw.Elapsed.TotalMilliseconds;
            rerun = BenchContext.TimeMs(() => new BidsConverter(new BidsConvertOptions { Destination = dest }).Convert(subjects), 3);
            Console.WriteLine($"bids: 10 scans 197x233x189 (5 with .nii T1 + .voi masks, 5 .nii.gz), 2 masks merged each");
            Console.WriteLine($"  first conversion      {first,9:F0} ms  ({first / 10:F0} ms per scan)");
            Console.WriteLine($"  rerun (all skipped)   {rerun,9:F0} ms  ({rerun / 10:F0} ms per scan; SHA-256 of sources and targets)");
            Directory.Delete(root, true);
        }
    }
}
