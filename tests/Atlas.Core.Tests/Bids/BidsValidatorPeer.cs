using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;

namespace Atlas.Core.Tests.Bids
{
    /// <summary>The official bids-validator (npm bids-validator@1.15.0, installed by .ci/run) run with --json.</summary>
    internal static class BidsValidatorPeer
    {
        public static string Executable => Peers.OnPath("bids-validator");

        public sealed class Issue
        {
            public string Key;
            public int Code;
            public List<string> Files = new List<string>();
            public override string ToString() => Key + " (" + Code + "): " + string.Join(", ", Files);
        }

        /// <summary>Runs the validator; returns (errors, warnings).</summary>
        public static (List<Issue> Errors, List<Issue> Warnings) Run(string dataset)
        {
            var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(dataset);
            psi.ArgumentList.Add("--json");
            using (var p = Process.Start(psi))
            {
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit(120000)) { p.Kill(true); throw new TimeoutException("bids-validator did not finish in 120 s"); }
                string json = stdout.Result;
                int start = json.IndexOf('{');
                if (start < 0) throw new InvalidOperationException("bids-validator printed no JSON: " + json + stderr.Result);
                using (var doc = JsonDocument.Parse(json.Substring(start)))
                {
                    var issues = doc.RootElement.GetProperty("issues");
                    return (Read(issues.GetProperty("errors")), Read(issues.GetProperty("warnings")));
                }
            }
        }

        private static List<Issue> Read(JsonElement list)
        {
            var result = new List<Issue>();
            foreach (var e in list.EnumerateArray())
            {
                var i = new Issue { Key = e.GetProperty("key").GetString(), Code = e.GetProperty("code").GetInt32() };
                if (e.TryGetProperty("files", out var files))
                    foreach (var f in files.EnumerateArray())
                        if (f.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.Object && file.TryGetProperty("relativePath", out var rp))
                            i.Files.Add(rp.GetString());
                result.Add(i);
            }
            return result;
        }
    }
}
