using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Atlas.Core.Tests
{
    /// <summary>
    /// The engine's folders (one namespace each) depend on each other without cycles, apart from the
    /// deliberate Nifti/Volumes pair (a header makes a grid, a volume is written as a header): shared
    /// numeric and image pieces live in Imaging, which the others use.
    /// </summary>
    public class EngineLayoutTests
    {
        private static string EngineFolder()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null)
            {
                string p = Path.Combine(d.FullName, "src", "Atlas.Core");
                if (File.Exists(Path.Combine(p, "Atlas.Core.csproj"))) return p;
                d = d.Parent;
            }
            return null;
        }

        /// <summary>Folder → folders its files name (a using directive or a qualified Atlas.Core.X. reference).</summary>
        internal static Dictionary<string, HashSet<string>> FolderGraph(string root)
        {
            var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var reference = new Regex(@"\bAtlas\.Core\.([A-Z][A-Za-z]*)\b");
            foreach (var dir in Directory.GetDirectories(root))
            {
                string name = Path.GetFileName(dir);
                if (name == "bin" || name == "obj") continue;
                var uses = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
                    foreach (Match m in reference.Matches(File.ReadAllText(file)))
                        if (m.Groups[1].Value != name) uses.Add(m.Groups[1].Value);
                graph[name] = uses;
            }
            return graph;
        }

        /// <summary>A cycle of the graph as "A -> B -> A" (depth-first search for a back edge), or null.</summary>
        internal static string FindCycle(Dictionary<string, HashSet<string>> graph)
        {
            var state = graph.Keys.ToDictionary(k => k, k => 0);
            var path = new List<string>();
            string cycle = null;
            bool Visit(string n)
            {
                state[n] = 1; path.Add(n);
                foreach (var u in graph[n].OrderBy(x => x, StringComparer.Ordinal))
                {
                    if (!state.ContainsKey(u)) continue;
                    if (state[u] == 1) { cycle = string.Join(" -> ", path.SkipWhile(p => p != u)) + " -> " + u; return true; }
                    if (state[u] == 0 && Visit(u)) return true;
                }
                state[n] = 2; path.RemoveAt(path.Count - 1);
                return false;
            }
            foreach (var n in graph.Keys.OrderBy(x => x, StringComparer.Ordinal))
                if (state[n] == 0 && Visit(n)) break;
            return cycle;
        }

        [Fact]
        public void TheFolderGraphHasNoCycleButNiftiAndVolumes()
        {
            string root = EngineFolder();
            Assert.True(root != null, "src/Atlas.Core not found above " + AppContext.BaseDirectory);
            var graph = FolderGraph(root);
            Assert.Contains("Imaging", graph.Keys);
            // The allowed pair is one node: Volumes → Nifti is dropped, Nifti → Volumes kept.
            graph["Volumes"].Remove("Nifti");
            foreach (var k in graph.Keys.ToList()) graph[k].RemoveWhere(u => !graph.ContainsKey(u));
            string cycle = FindCycle(graph);
            Assert.True(cycle == null, "engine folders depend on each other in a cycle: " + cycle);
            // The shared pieces depend on nothing but the volume model.
            Assert.Empty(graph["Imaging"].Except(new[] { "Volumes", "Nifti" }));
        }

        [Fact]
        public void TheCycleCheckFindsACycle()
        {
            // The same check on a made-up tree with Lesions ↔ Metrics, so the test above can fail.
            using var t = new TempDir();
            Directory.CreateDirectory(t.File("Lesions"));
            Directory.CreateDirectory(t.File("Metrics"));
            File.WriteAllText(Path.Combine(t.File("Lesions"), "A.cs"), "using Atlas.Core.Metrics;");
            File.WriteAllText(Path.Combine(t.File("Metrics"), "B.cs"), "var x = Atlas.Core.Lesions.Thing.Y;");
            var g = FolderGraph(t.Path);
            Assert.Equal(new[] { "Metrics" }, g["Lesions"]);
            Assert.Equal(new[] { "Lesions" }, g["Metrics"]);
            Assert.Equal("Lesions -> Metrics -> Lesions", FindCycle(g));
            g["Metrics"].Clear();
            Assert.Null(FindCycle(g));
        }
    }
}
