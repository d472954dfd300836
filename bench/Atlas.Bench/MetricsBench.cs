using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Atlas.Core.Metrics;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Measure-LesionOverlap's engine on two 256³ 1 mm masks holding lesions of realistic size:
    /// (a) the metric computation alone against the same definitions in numpy/scipy
    /// (bench/metrics_bench.py); (b) reading both .nii.gz files and computing every metric,
    /// in-process, against a whole run of `plastimatch dice --all` on the same files.
    /// </summary>
    public sealed class MetricsBench : IBench
    {
        public string Name => "metrics";

        public void Run(BenchContext ctx)
        {
            var inv = CultureInfo.InvariantCulture;
            var g = Grid.Create(256, 256, 256);
            // ~10 ml and ~100 ml: bumpy blobs (radius modulated by direction), the candidate a
            // shifted, resized tracing of the reference plus one small false-positive lesion.
            var cases = new[]
            {
                ("10ml", 13.0, 12.0),
                ("100ml", 28.0, 26.5),
            };
            foreach (var (name, rRef, rCand) in cases)
            {
                var a = new byte[g.VoxelCount];
                var b = new byte[g.VoxelCount];
                Blob(g, a, 110, 130, 120, rRef, 0.18, 1);
                Blob(g, a, 150, 100, 100, rRef * 0.35, 0.1, 2);          // a secondary lesion
                Blob(g, b, 112, 129, 121, rCand, 0.22, 3);
                Blob(g, b, 151, 101, 100, rRef * 0.3, 0.1, 4);
                Blob(g, b, 60, 180, 140, 3.5, 0.0, 5);                   // a false positive
                string pa = Path.Combine(ctx.WorkDir, "metrics_ref_" + name + ".nii.gz");
                string pb = Path.Combine(ctx.WorkDir, "metrics_cand_" + name + ".nii.gz");
                NiftiWriter.Write(AtlasVolume.FromMask(g, a), pa);
                NiftiWriter.Write(AtlasVolume.FromMask(g, b), pb);

                var o = OverlapMetrics.Compute(a, b, g);
                Console.WriteLine($"-- {name}: reference {o.ReferenceVolumeMm3 / 1000:0.0} ml, candidate {o.CandidateVolumeMm3 / 1000:0.0} ml, Dice {o.Dice:0.0000}, HD {o.HausdorffMm:0.000} mm, HD95 {o.Hausdorff95Mm:0.000} mm, ASD {o.AverageSurfaceDistanceMm:0.0000} mm, lesions R {o.ReferenceLesions} C {o.CandidateLesions} F1 {o.LesionF1:0.000}");

                var (ours, oursMin) = Time(() => OverlapMetrics.Compute(a, b, g), 9);
                Console.WriteLine($"   (a) metrics alone, Atlas.Core: {ours:0.0} ms (min {oursMin:0.0})");
                string script = Path.Combine(ctx.RepoRoot, "bench", "metrics_bench.py");
                if (ctx.Python != null && File.Exists(script))
                {
                    string json = ctx.RunPeer(ctx.Python, "\"" + script + "\" \"" + pa + "\" \"" + pb + "\" 3");
                    if (json != null)
                    {
                        double full = Field(json, "full_ms"), crop = Field(json, "cropped_ms");
                        double fullMin = Field(json, "full_min_ms"), cropMin = Field(json, "cropped_min_ms");
                        Console.WriteLine($"       scipy same definitions, whole volume: {full:0.0} ms (min {fullMin:0.0}): {full / ours:0.0}x (min/min {fullMin / oursMin:0.0}x)");
                        Console.WriteLine($"       scipy cropped to the same box: {crop:0.0} ms (min {cropMin:0.0}): {crop / ours:0.0}x (min/min {cropMin / oursMin:0.0}x)");
                        Console.WriteLine($"       scipy values: Dice {Field(json, "Dice"):0.0000}, HD {Field(json, "HausdorffMm"):0.000}, HD95 {Field(json, "Hausdorff95Mm"):0.000}, ASD {Field(json, "AverageSurfaceDistanceMm"):0.0000}, F1 {Field(json, "LesionF1"):0.000}");
                    }
                }
                else Console.WriteLine("       scipy peer skipped: /usr/bin/python3 or bench/metrics_bench.py missing");

                var (e2e, e2eMin) = Time(() => OverlapMetrics.Compute(pa, pb), 9);
                Console.WriteLine($"   (b) read both .nii.gz + every metric, Atlas.Core in-process: {e2e:0.0} ms (min {e2eMin:0.0})");
                if (File.Exists("/usr/bin/plastimatch"))
                {
                    var (pl, plMin) = Time(() => ctx.RunPeer("/usr/bin/plastimatch", "dice --all \"" + pa + "\" \"" + pb + "\""), 7, 1);
                    Console.WriteLine($"       plastimatch dice --all (whole process): {pl:0.0} ms (min {plMin:0.0}): {pl / e2e:0.0}x (min/min {plMin / e2eMin:0.0}x)");
                }
                else Console.WriteLine("       plastimatch not installed: skipped");
            }
        }

        /// <summary>
        /// Median and minimum wall time (ms) of <paramref name="runs"/> runs after
        /// <paramref name="warmups"/> warm-ups (tiered JIT promotes the hot loops after a dozen
        /// calls: steady state, as in a pipeline over many subjects); the minimum is the least
        /// disturbed by other work on a shared machine.
        /// </summary>
        private static (double Median, double Min) Time(Action action, int runs, int warmups = 20)
        {
            var first = Stopwatch.StartNew();
            action();
            double firstMs = first.Elapsed.TotalMilliseconds;
            for (int w = 1; w < warmups; w++) action();
            var t = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                t.Add(sw.Elapsed.TotalMilliseconds);
            }
            t.Sort();
            if (warmups > 1) Console.WriteLine($"       (first call {firstMs:0.0} ms)");
            return (t[t.Count / 2], t[0]);
        }

        private static double Field(string json, string key)
        {
            using (var d = System.Text.Json.JsonDocument.Parse(json)) return d.RootElement.GetProperty(key).GetDouble();
        }

        /// <summary>Voxels within r·(1 + bump·sin 3θ·cos 2φ) of a centre: a lesion-like irregular blob.</summary>
        private static void Blob(Grid g, byte[] m, double ci, double cj, double ck, double r, double bump, int seed)
        {
            double rmax = r * (1 + bump) + 1;
            double phase = seed * 0.7;
            for (int k = (int)(ck - rmax); k <= ck + rmax; k++)
                for (int j = (int)(cj - rmax); j <= cj + rmax; j++)
                    for (int i = (int)(ci - rmax); i <= ci + rmax; i++)
                    {
                        double dx = i - ci, dy = j - cj, dz = k - ck;
                        double d = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                        if (d > rmax) continue;
                        double theta = Math.Atan2(dy, dx), phi = d == 0 ? 0 : Math.Acos(dz / d);
                        double rr = r * (1 + bump * Math.Sin(3 * theta + phase) * Math.Cos(2 * phi));
                        if (d <= rr) m[g.Index(i, j, k)] = 1;
                    }
        }
    }
}
