using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Atlas.Bench
{
    /// <summary>One benchmark: a name to select it by and a run that prints its figures.</summary>
    public interface IBench
    {
        string Name { get; }
        void Run(BenchContext context);
    }

    public sealed class BenchContext
    {
        /// <summary>A scratch folder for generated inputs (out/bench under the repository).</summary>
        public string WorkDir { get; set; }
        /// <summary>The repository root (for peer scripts under bench/).</summary>
        public string RepoRoot { get; set; }
        /// <summary>Debian's python3 with nibabel/scipy, or null.</summary>
        public string Python { get; set; }

        /// <summary>Median wall time of <paramref name="runs"/> runs after one warm-up, in milliseconds.</summary>
        public static double TimeMs(Action action, int runs = 5)
        {
            action();
            var t = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                t.Add(sw.Elapsed.TotalMilliseconds);
            }
            t.Sort();
            return t[t.Count / 2];
        }

        /// <summary>Runs a peer command and returns its standard output (null when it fails).</summary>
        public string RunPeer(string file, string args)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using (var p = Process.Start(psi))
            {
                string o = p.StandardOutput.ReadToEnd();
                string e = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) { Console.WriteLine("  peer failed: " + file + " " + args + "\n  " + e.Trim()); return null; }
                return o;
            }
        }
    }

    public static class Program
    {
        public static int Main(string[] args)
        {
            var benches = Assembly.GetExecutingAssembly().GetTypes()
                .Where(t => typeof(IBench).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract)
                .Select(t => (IBench)Activator.CreateInstance(t))
                .OrderBy(b => b.Name)
                .ToList();
            string root = FindRoot();
            var ctx = new BenchContext
            {
                RepoRoot = root,
                WorkDir = Path.Combine(root, "out", "bench"),
                Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null,
            };
            Directory.CreateDirectory(ctx.WorkDir);
            var wanted = args.Length == 0 || args.Contains("all") ? benches : benches.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            if (wanted.Count == 0)
            {
                Console.WriteLine("Benchmarks: all " + string.Join(" ", benches.Select(b => b.Name)));
                return 2;
            }
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
            foreach (var b in wanted)
            {
                Console.WriteLine();
                Console.WriteLine("== " + b.Name);
                b.Run(ctx);
            }
            return 0;
        }

        private static string FindRoot()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "Atlas.Psm.sln"))) d = d.Parent;
            return d?.FullName ?? Directory.GetCurrentDirectory();
        }
    }
}
