using Atlas.Core.Samples;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Atlas.Core.Datasets;

namespace Atlas.Bench
{
    /// <summary>
    /// Issue 15, target 1: the whole nightly pipeline as whole processes, side by side in one run:
    /// bench/pipeline.ps1 (the cmdlets, in a fresh pwsh that imports the built module) against
    /// bench/pipeline_peer.py (nibabel + scipy), over New-AtlasSampleDataset datasets of 100 subjects
    /// (and more when ATLAS_BENCH_PIPELINE_SUBJECTS lists them, e.g. "100,300"). Wall time and peak
    /// resident memory come from GNU time (the process and its children). Runs alternate; median of 3.
    /// </summary>
    public sealed class PipelineBench : IBench
    {
        public string Name => "pipeline";

        public void Run(BenchContext ctx)
        {
            string module = Path.Combine(ctx.RepoRoot, "out", "Atlas.Psm", "Atlas.Psm.psd1");
            string script = Path.Combine(ctx.RepoRoot, "bench", "pipeline.ps1");
            string peer = Path.Combine(ctx.RepoRoot, "bench", "pipeline_peer.py");
            if (!File.Exists(module)) { Console.WriteLine("  skipped: build the module first (./build.ps1 build)"); return; }
            if (!File.Exists("/usr/bin/time")) { Console.WriteLine("  skipped: GNU time (/usr/bin/time) not installed"); return; }
            string pwsh = PwshDll(ctx.RepoRoot);
            if (pwsh == null) { Console.WriteLine("  skipped: pwsh (dotnet tool restore) not found"); return; }
            bool py = ctx.Python != null;
            if (!py) Console.WriteLine("  nibabel+scipy peer skipped: /usr/bin/python3 absent");

            var counts = (Environment.GetEnvironmentVariable("ATLAS_BENCH_PIPELINE_SUBJECTS") ?? "100")
                .Split(',').Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
            Console.WriteLine("  whole process, median of 3 alternating runs (wall s, peak RSS MB); pwsh = dotnet " + pwsh);
            foreach (int n in counts)
            {
                string root = Path.Combine(ctx.WorkDir, "pipeline", "ds" + n);
                if (!File.Exists(Path.Combine(root, "ATLAS_sample_metadata.csv")))
                    SampleDataset.Generate(root, n, 1, AtlasLayout.Native);
                int masks = Directory.GetFiles(root, "*_LesionRaw*.voi", SearchOption.AllDirectories).Length;
                string outOurs = Path.Combine(ctx.WorkDir, "pipeline", "out-atlas-" + n), outPy = Path.Combine(ctx.WorkDir, "pipeline", "out-py-" + n);
                var ours = new List<(double, double)>();
                var theirs = new List<(double, double)>();
                for (int r = 0; r < 3; r++)
                {
                    Fresh(outOurs);
                    ours.Add(Timed("dotnet", Q(pwsh) + " -NoProfile -NonInteractive -File " + Q(script) + " -Root " + Q(root) + " -Out " + Q(outOurs) + " -Module " + Q(module)));
                    if (py)
                    {
                        Fresh(outPy);
                        theirs.Add(Timed(ctx.Python, Q(peer) + " " + Q(root) + " " + Q(outPy)));
                    }
                }
                var o = Median(ours);
                Console.WriteLine("  {0} subjects, {1} raw masks: cmdlets {2:F2} s, {3:F0} MB", n, masks, o.Item1, o.Item2);
                if (py)
                {
                    var t = Median(theirs);
                    Console.WriteLine("  {0} subjects: nibabel+scipy {1:F2} s, {2:F0} MB -> {3:F1}x faster (target >= 10x), memory {4:F2}x the script's (target <= 1.5x)",
                        n, t.Item1, t.Item2, t.Item1 / o.Item1, o.Item2 / t.Item2);
                }
            }
        }

        private static void Fresh(string dir)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
        }

        private static string Q(string s) => "\"" + s + "\"";

        private static (double, double) Median(List<(double Wall, double Mb)> runs)
        {
            var w = runs.Select(r => r.Wall).OrderBy(x => x).ToList();
            var m = runs.Select(r => r.Mb).OrderBy(x => x).ToList();
            return (w[w.Count / 2], m[m.Count / 2]);
        }

        /// <summary>Wall seconds and peak RSS (MB) of a whole process, by GNU time.</summary>
        private static (double Wall, double Mb) Timed(string file, string args)
        {
            string report = Path.GetTempFileName();
            var psi = new ProcessStartInfo("/usr/bin/time", "-f \"%e %M\" -o " + Q(report) + " " + Q(file) + " " + args)
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using (var p = Process.Start(psi))
            {
                var err = p.StandardError.ReadToEndAsync();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException(file + " " + args + " failed: " + err.Result);
            }
            var parts = File.ReadAllText(report).Trim().Split('\n').Last().Split(' ');
            File.Delete(report);
            return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture) / 1024.0);
        }

        /// <summary>The pwsh.dll the repository's dotnet tool runs (what an installed pwsh starts).</summary>
        private static string PwshDll(string repo)
        {
            var psi = new ProcessStartInfo("dotnet", "pwsh -NoProfile -Command \"[System.Reflection.Assembly]::GetEntryAssembly().Location\"")
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = repo };
            using (var p = Process.Start(psi))
            {
                string o = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return p.ExitCode == 0 && File.Exists(o) ? o : null;
            }
        }
    }
}
