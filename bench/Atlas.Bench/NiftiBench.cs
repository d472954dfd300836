using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// NIfTI decode/encode speed (issue 2): on the same generated files, in one run,
    /// our NiftiReader.Read against (a) plain .NET gzip inflation of the file and (b) nibabel's
    /// load().get_fdata(); our .nii.gz write at the default level against nibabel.save.
    /// Targets: read ≤ 1.3× inflation, ≥ 2× faster than nibabel; write no slower than nibabel.
    /// </summary>
    public sealed class NiftiBench : IBench
    {
        public string Name => "nifti";

        public void Run(BenchContext ctx)
        {
            string dir = Path.Combine(ctx.WorkDir, "nifti");
            Directory.CreateDirectory(dir);
            string f32 = Path.Combine(dir, "float32-256.nii.gz");
            string mask = Path.Combine(dir, "mask-182x218x182.nii.gz");

            var vol = MakeFloatVolume(256);
            var m = MakeMask();
            NiftiWriter.Write(vol, f32);
            NiftiWriter.Write(m, mask);

            var files = new List<string> { f32, mask };
            string aal = "/usr/share/mricron/templates/aal.nii.gz";
            if (File.Exists(aal)) files.Add(aal);
            string peer = Path.Combine(ctx.RepoRoot, "bench", "nifti_peer.py");
            bool nib = ctx.Python != null && File.Exists(peer);
            if (!nib) Console.WriteLine("  nibabel peer skipped: /usr/bin/python3 or bench/nifti_peer.py absent");

            // The machine is shared (2 cores): inflation and our read alternate run by run so both
            // see the same load, and the minimum (least disturbed run) is shown beside the median.
            Console.WriteLine("  read, ms: median (min) of 21 alternating runs after a warm-up; nibabel: median of 5");
            Console.WriteLine("  inflate: GZipStream into a reused 1 MiB buffer; infl->new: into a new array of the inflated size");
            Console.WriteLine("  Atlas new: NiftiReader.Read into a new array (Import-AtlasVolume); Atlas pooled: the array from a VoxelBufferPool");
            Console.WriteLine("  and given back after each read, as the batch cmdlets read one mask after another; ratios use Atlas pooled");
            Console.WriteLine("  {0,-28} {1,6} {2,14} {3,14} {4,14} {5,14} {6,9} {7,14} {8,9}", "file", "MB gz", "inflate", "infl->new", "Atlas new", "Atlas pooled", "nibabel", "Atl/infl", "nib/Atl");
            foreach (var f in files)
            {
                var pool = new VoxelBufferPool();
                var pooled = new NiftiReadOptions { Pool = pool };
                var t3 = Alternate(21, () => Inflate(f), () => InflateToNew(f), () => NiftiReader.Read(f), () => pool.Return(NiftiReader.Read(f, pooled)));
                var t = new[] { t3[0], t3[3] };
                double inflate = t[0].Median, ours = t[1].Median;
                double nibMs = double.NaN;
                if (nib)
                {
                    var o = ctx.RunPeer(ctx.Python, Quote(peer) + " read " + Quote(f) + " 5");
                    nibMs = Value(o, "read_ms");
                }
                Console.WriteLine("  {0,-28} {1,6:F1} {2,14} {3,14} {4,14} {5,14} {6,9:F1} {7,14} {8,9:F2}",
                    Path.GetFileName(f), new FileInfo(f).Length / 1048576.0, t3[0], t3[1], t3[2], t3[3], nibMs,
                    (ours / inflate).ToString("F2", CultureInfo.InvariantCulture) + " (" + (t[1].Min / t[0].Min).ToString("F2", CultureInfo.InvariantCulture) + ")", nibMs / ours);
            }

            // What the pool is for: a batch reading one mask after another (New-LesionOverlapMap).
            {
                const int masks = 40;
                Action<VoxelBufferPool> batch = pool =>
                {
                    var read = new NiftiReadOptions { Pool = pool };
                    var map = new Atlas.Core.Lesions.LesionOverlapMap(m.Grid);
                    for (int i = 0; i < masks; i++)
                    {
                        var v = NiftiReader.Read(mask, read);
                        map.Add(v);
                        pool?.Return(v);
                    }
                };
                var tb = Alternate(5, () => batch(null), () => batch(new VoxelBufferPool()));
                Console.WriteLine("  batch: {0} MNI-size masks read and added to an overlap map, ms (median (min) of 5): new arrays {1}, pooled {2} ({3:F2}x)",
                    masks, tb[0], tb[1], tb[0].Median / tb[1].Median);
            }

            Console.WriteLine("  write .nii.gz at the default level (median of 3 after a warm-up, ms)");
            Console.WriteLine("  {0,-28} {1,9} {2,9} {3,10} {4,10} {5,10}", "file", "Atlas", "nibabel", "nib/Atl", "MB Atlas", "MB nib");
            foreach (var pair in new[] { Tuple.Create(f32, vol), Tuple.Create(mask, m) })
            {
                string ourOut = Path.Combine(dir, "out-atlas.nii.gz"), nibOut = Path.Combine(dir, "out-nib.nii.gz");
                double ours = BenchContext.TimeMs(() => NiftiWriter.Write(pair.Item2, ourOut), 3);
                double nibMs = double.NaN; string level = "?";
                if (nib)
                {
                    var o = ctx.RunPeer(ctx.Python, Quote(peer) + " write " + Quote(pair.Item1) + " " + Quote(nibOut) + " 3");
                    nibMs = Value(o, "write_ms");
                    level = Text(o, "compresslevel");
                }
                Console.WriteLine("  {0,-28} {1,9:F1} {2,9:F1} {3,10:F2} {4,10:F1} {5,10:F1}   (nibabel compresslevel {6}, Atlas CompressionLevel.Fastest)",
                    Path.GetFileName(pair.Item1), ours, nibMs, nibMs / ours, Size(ourOut), Size(nibOut), level);
            }
            {
                string opt = Path.Combine(dir, "out-atlas-optimal.nii.gz");
                double ms = BenchContext.TimeMs(() => NiftiWriter.Write(vol, opt, new NiftiWriteOptions { Compression = CompressionLevel.Optimal }), 3);
                Console.WriteLine("  {0,-28} {1,9:F1} {2,9} {3,10} {4,10:F1}   (Atlas CompressionLevel.Optimal, for size)", "float32-256.nii.gz", ms, "", "", Size(opt));
            }
            ParallelGzip(ctx, dir, peer, nib);
            Console.WriteLine("  direct span I/O: " + (typeof(NiftiReader).Assembly.GetType("Atlas.Core.Nifti.StreamIO")
                .GetProperty("Direct").GetValue(null)));
        }

        /// <summary>
        /// Issue 15: .nii.gz as several gzip members on all cores, and a foreign one-member file still at
        /// the serial floor. The T1 is real and near-incompressible: the central 256³ of MRIcron's
        /// ch2better as float32 plus noise, made and saved by nibabel (one member, as other tools write).
        /// Baselines on the same bytes: serial GZipStream (Fastest) of the whole inflated file into
        /// Stream.Null, and serial inflation of each file.
        /// </summary>
        private void ParallelGzip(BenchContext ctx, string dir, string peer, bool nib)
        {
            string template = "/usr/share/mricron/templates/ch2better.nii.gz";
            string foreign = Path.Combine(dir, "t1-ch2better-noise-256.nii.gz"), ours = Path.Combine(dir, "t1-ours.nii.gz");
            if (!nib || !File.Exists(template))
            {
                Console.WriteLine("  parallel gzip skipped: needs /usr/bin/python3 with nibabel and mricron-data (ch2better.nii.gz)");
                return;
            }
            if (!File.Exists(foreign) && ctx.RunPeer(ctx.Python, Quote(peer) + " make-t1 " + Quote(template) + " " + Quote(foreign)) == null) return;
            var t1 = NiftiReader.Read(foreign);
            NiftiWriter.Write(t1, ours);
            byte[] raw = InflateAll(ours);
            long single;
            using (var ms = new MemoryStream())
            {
                using (var z = new GZipStream(ms, CompressionLevel.Fastest, true)) z.Write(raw, 0, raw.Length);
                single = ms.Length;
            }
            Console.WriteLine("  parallel gzip (issue 15), {0} cores: real T1 256^3 float32 + noise, {1:F1} MiB inflated", Environment.ProcessorCount, raw.Length / 1048576.0);
            Console.WriteLine("  ms, median (min) of 9 alternating runs after a warm-up");
            var w = Alternate(9, () => SerialDeflate(raw), () => NiftiWriter.Write(t1, ours));
            Console.WriteLine("  write: serial GZipStream(Fastest) -> Stream.Null {0}; NiftiWriter.Write (members on all cores, temp file, fsync, rename) {1}: {2:F2}x (target <= 0.6x)",
                w[0], w[1], w[1].Median / w[0].Median);
            long multi = new FileInfo(ours).Length;
            Console.WriteLine("  size: one member {0:F2} MB, ours {1:F2} MB in members of 1 MiB: {2:+0.00;-0.00} % (target <= +1 %)",
                single / 1e6, multi / 1e6, 100.0 * (multi - single) / single);
            var pool = new VoxelBufferPool();
            var pooled = new NiftiReadOptions { Pool = pool };
            var r = Alternate(9, () => Inflate(ours), () => pool.Return(NiftiReader.Read(ours, pooled)), () => Inflate(foreign), () => pool.Return(NiftiReader.Read(foreign, pooled)));
            Console.WriteLine("  read ours: serial inflation {0}; NiftiReader.Read {1}: {2:F2}x (target <= 0.6x)", r[0], r[1], r[1].Median / r[0].Median);
            double nibMs = Value(ctx.RunPeer(ctx.Python, Quote(peer) + " read " + Quote(foreign) + " 5"), "read_ms");
            Console.WriteLine("  read foreign (nibabel, one member, {0:F1} MB): serial inflation {1}; NiftiReader.Read {2}: {3:F2}x (target <= 1.15x); nibabel {4:F1}: {5:F2}x faster (target >= 1.5x)",
                new FileInfo(foreign).Length / 1e6, r[2], r[3], r[3].Median / r[2].Median, nibMs, nibMs / r[3].Median);
        }

        private static void SerialDeflate(byte[] raw)
        {
            using (var z = new GZipStream(Stream.Null, CompressionLevel.Fastest, true)) z.Write(raw, 0, raw.Length);
        }

        private static byte[] InflateAll(string path)
        {
            using (var fs = File.OpenRead(path))
            using (var z = new GZipStream(fs, CompressionMode.Decompress))
            using (var ms = new MemoryStream())
            {
                z.CopyTo(ms);
                return ms.ToArray();
            }
        }

        private sealed class Timing
        {
            public double Median, Min;
            public override string ToString()
            {
                string f = Median < 10 ? "F2" : "F1";
                return Median.ToString(f, CultureInfo.InvariantCulture) + " (" + Min.ToString(f, CultureInfo.InvariantCulture) + ")";
            }
        }

        private static Timing[] Alternate(int runs, params Action[] actions)
        {
            foreach (var a in actions) a();
            var t = new List<double>[actions.Length];
            for (int i = 0; i < t.Length; i++) t[i] = new List<double>();
            for (int r = 0; r < runs; r++)
                for (int i = 0; i < actions.Length; i++)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    actions[i]();
                    t[i].Add(sw.Elapsed.TotalMilliseconds);
                }
            var res = new Timing[actions.Length];
            for (int i = 0; i < t.Length; i++) { t[i].Sort(); res[i] = new Timing { Median = t[i][t[i].Count / 2], Min = t[i][0] }; }
            return res;
        }

        private static double Size(string f) => File.Exists(f) ? new FileInfo(f).Length / 1048576.0 : double.NaN;

        /// <summary>Inflation alone: the gzip file through .NET's GZipStream into a reused buffer.</summary>
        private static readonly byte[] s_buf = new byte[1 << 20];
        private static long Inflate(string path)
        {
            long total = 0;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            using (var z = new GZipStream(fs, CompressionMode.Decompress))
            {
                int n;
                while ((n = z.Read(s_buf, 0, s_buf.Length)) > 0) total += n;
            }
            return total;
        }

        /// <summary>Inflation that keeps the data: into a new (uninitialised) array of the inflated size.</summary>
        private static long InflateToNew(string path)
        {
            long size;
            using (var fs = File.OpenRead(path))
            {
                fs.Position = fs.Length - 4;
                var b = new byte[4];
                fs.ReadExactly(b);
                size = BitConverter.ToUInt32(b, 0);
            }
            var dst = GC.AllocateUninitializedArray<byte>((int)size);
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            using (var z = new GZipStream(fs, CompressionMode.Decompress))
            {
                int o = 0, n;
                while (o < dst.Length && (n = z.Read(dst.AsSpan(o))) > 0) o += n;
                return o;
            }
        }

        /// <summary>A T1-like float32 cube: an ellipsoidal "head" of smooth tissue contrast plus noise, zero outside.</summary>
        private static AtlasVolume MakeFloatVolume(int n)
        {
            var g = Grid.Create(n, n, n, 1, 1, 1);
            var data = new float[g.VoxelCount];
            uint state = 2463534242;
            double c = (n - 1) / 2.0;
            for (int k = 0; k < n; k++)
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                    {
                        double x = (i - c) / (0.40 * n), y = (j - c) / (0.46 * n), z = (k - c) / (0.42 * n);
                        double r = x * x + y * y + z * z;
                        state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                        if (r > 1) continue;
                        double tissue = r < 0.55 ? 420 + 160 * Math.Sin(i / 6.0) * Math.Cos(j / 8.0) : 900 - 300 * r;
                        data[g.Index(i, j, k)] = (float)(tissue + (state % 2000) / 100.0 - 10);
                    }
            return AtlasVolume.FromFloat32(g, data);
        }

        /// <summary>An MNI 1 mm sized uint8 mask (182×218×182) with a few lesion-like blobs.</summary>
        private static AtlasVolume MakeMask()
        {
            var g = Grid.Create(182, 218, 182, 1, 1, 1);
            var m = new byte[g.VoxelCount];
            int[,] blobs = { { 60, 120, 80, 18 }, { 120, 90, 100, 9 }, { 100, 150, 60, 25 } };
            for (int k = 0; k < 182; k++)
                for (int j = 0; j < 218; j++)
                    for (int i = 0; i < 182; i++)
                        for (int b = 0; b < blobs.GetLength(0); b++)
                        {
                            int dx = i - blobs[b, 0], dy = j - blobs[b, 1], dz = k - blobs[b, 2], r = blobs[b, 3];
                            if (dx * dx + dy * dy + dz * dz <= r * r) m[g.Index(i, j, k)] = 1;
                        }
            return AtlasVolume.FromMask(g, m);
        }

        private static string Quote(string s) => "\"" + s + "\"";

        private static string Text(string output, string key)
        {
            if (output == null) return null;
            foreach (var line in output.Split('\n'))
                if (line.StartsWith(key + "=")) return line.Substring(key.Length + 1).Trim();
            return null;
        }

        private static double Value(string output, string key)
        {
            var t = Text(output, key);
            return t == null ? double.NaN : double.Parse(t, CultureInfo.InvariantCulture);
        }
    }
}
