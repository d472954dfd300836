using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Atlas.Core.Tests
{
    /// <summary>Shared test locations: a fresh temporary folder per test class, and the optional peer tools.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-tests-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The peer tools and data the tests compare against. A test that needs one calls a <c>Require…</c>
    /// method first (in a [SkippableFact]/[SkippableTheory]): a missing peer skips the test visibly with the
    /// reason; a peer that is present but fails (nonzero exit, no output) fails the test through <see cref="Run"/>.
    /// ATLAS_TEST_HIDE_PEERS (comma-separated peer names, or "all") hides present peers, so a run can show
    /// what a machine without them would do: names are mricron-data, python, nibabel, scipy, numpy, skimage,
    /// nifti_tool, plastimatch, bids-validator, chromium.
    /// </summary>
    public static class Peers
    {
        public const string MricronTemplates = "/usr/share/mricron/templates";
        // ATLAS_TEST_PYTHON replaces the interpreter (e.g. with one that fails) to check that a failing peer fails the test.
        private static readonly string DebianPython = Environment.GetEnvironmentVariable("ATLAS_TEST_PYTHON") is string p && p.Length > 0 ? p : "/usr/bin/python3";

        private static readonly HashSet<string> Hidden = new HashSet<string>(
            (Environment.GetEnvironmentVariable("ATLAS_TEST_HIDE_PEERS") ?? "").Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries),
            StringComparer.OrdinalIgnoreCase);

        private static readonly ConcurrentDictionary<string, bool> Modules = new ConcurrentDictionary<string, bool>();

        public static bool IsHidden(string peer) => Hidden.Contains("all") || Hidden.Contains(peer);

        public static bool HasMricronData => !IsHidden("mricron-data") && Directory.Exists(MricronTemplates);

        /// <summary>Debian's python (the one with nibabel/scipy) when present, else null.</summary>
        public static string Python => !IsHidden("python") && System.IO.File.Exists(DebianPython) ? DebianPython : null;

        /// <summary>Skips the test unless mricron-data is installed (and holds each named template).</summary>
        public static void RequireMricron(params string[] files)
        {
            Skip.If(!HasMricronData, "mricron-data not installed (" + MricronTemplates + "; apt-get install mricron-data)");
            foreach (var f in files)
            {
                string p = System.IO.Path.Combine(MricronTemplates, f);
                Skip.If(!System.IO.File.Exists(p), "mricron-data lacks " + p);
            }
        }

        /// <summary>Skips unless Debian's python3 and each module import; returns the interpreter.</summary>
        public static string RequirePython(params string[] modules)
        {
            Skip.If(Python == null, DebianPython + " not installed (apt-get install python3)");
            foreach (var m in modules)
            {
                bool ok = !IsHidden(m) && Modules.GetOrAdd(m, name => Exec(DebianPython, new[] { "-c", "import " + name }, 60000).ExitCode == 0);
                Skip.If(!ok, "python module " + m + " not importable by " + DebianPython + " (apt-get install python3-" + m + ")");
            }
            return Python;
        }

        /// <summary>An executable on PATH (unless hidden), else null.</summary>
        public static string OnPath(string name)
        {
            if (IsHidden(name)) return null;
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                string p = System.IO.Path.Combine(dir, name);
                if (System.IO.File.Exists(p)) return p;
            }
            return null;
        }

        /// <summary>Skips unless the executable is on PATH; returns its path.</summary>
        public static string RequireTool(string name, string install)
        {
            string p = OnPath(name);
            Skip.If(p == null, name + " not installed (" + install + ")");
            return p;
        }

        /// <summary>Runs a peer; a nonzero exit or a timeout fails the test with its stderr. Returns stdout.</summary>
        public static string Run(string exe, IEnumerable<string> args, int timeoutMs = 300000)
        {
            var r = Exec(exe, args, timeoutMs);
            Assert.True(r.ExitCode == 0, "peer " + exe + " " + string.Join(" ", args) + " failed (exit " + r.ExitCode + "): " + r.Stderr);
            return r.Stdout;
        }

        private static (int ExitCode, string Stdout, string Stderr) Exec(string exe, IEnumerable<string> args, int timeoutMs)
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi))
            {
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit(timeoutMs)) { p.Kill(true); return (-1, stdout.Result, "timed out after " + timeoutMs / 1000 + " s. " + stderr.Result); }
                p.WaitForExit();
                return (p.ExitCode, stdout.Result, stderr.Result);
            }
        }
    }
}
