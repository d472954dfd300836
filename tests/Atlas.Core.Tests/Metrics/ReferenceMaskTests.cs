using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Atlas.Core.Metrics;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Metrics
{
    /// <summary>
    /// Real masks: regions of mricron's AAL (reference) and Brodmann (candidate) atlases, which
    /// share a 181x217x181 1 mm grid; "aniso" keeps every third slice and reads it as 0.9 x 0.9 x 3 mm.
    /// Expected values were produced by a direct numpy/scipy computation of the definitions
    /// (scipy.ndimage.distance_transform_edt with sampling, numpy.percentile, scipy.ndimage.label):
    ///   /usr/bin/python3 tests/reference/metrics_reference.py    (numpy 1.24.2, scipy 1.10.1)
    /// </summary>
    public class ReferenceMaskTests
    {
        private readonly ITestOutputHelper _out;
        public ReferenceMaskTests(ITestOutputHelper output) { _out = output; }

        private static readonly object Gate = new object();
        private static AtlasVolume _aal, _ba;

        private static void Load()
        {
            lock (Gate)
            {
                if (_aal != null) return;
                _aal = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "aal.nii.gz"));
                _ba = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "brodmann.nii.gz"));
            }
        }

        internal static LesionOverlap Compute(int aal, int ba, bool aniso, int connectivity)
        {
            Load();
            var r = _aal.ToLabelMask(aal);
            var c = _ba.ToLabelMask(ba);
            var g = _aal.Grid;
            if (aniso)
            {
                int nz = (g.NZ + 2) / 3, slab = g.NX * g.NY;
                var r3 = new byte[slab * nz]; var c3 = new byte[slab * nz];
                for (int k = 0; k < nz; k++)
                {
                    Buffer.BlockCopy(r, 3 * k * slab, r3, k * slab, slab);
                    Buffer.BlockCopy(c, 3 * k * slab, c3, k * slab, slab);
                }
                r = r3; c = c3; g = Grid.Create(g.NX, g.NY, nz, 0.9, 0.9, 3);
            }
            return OverlapMetrics.Compute(r, c, g, new OverlapOptions { Connectivity = connectivity });
        }

        [SkippableTheory]
        //          AAL, BA, aniso, R, C, TP voxels, R, C surface voxels, Dice, VolumeSimilarity, HD, HD95, ASD,
        //          then reference lesions, candidate lesions, lesion TP for connectivity 6, 18, 26, then lesion FP for 6, 18, 26.
        [InlineData(1, 4, false, 28174, 34133, 2945, 6638, 12508, 0.094531914552137, 0.9043606657357921, 87.71544903835355, 73.7878715613459, 20.23328787615426, 2, 3, 2, 1, 1, 1, 1, 1, 1, 2, 0, 0)]
        [InlineData(1, 4, true, 9510, 11388, 985, 3611, 6207, 0.09426739400899607, 0.9101349411426931, 81.59172752185114, 68.245744379583, 18.73045169292637, 1, 3, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0)]
        [InlineData(43, 17, false, 18157, 30366, 10873, 4844, 9731, 0.4481586051975352, 0.7483873626939801, 27.313000567495326, 20.223748416156685, 5.136331818149017, 1, 7, 1, 1, 4, 1, 1, 4, 1, 6, 3, 3)]
        [InlineData(43, 17, true, 5931, 10104, 3590, 2945, 5214, 0.44777050202681634, 0.7397567820392891, 25.04595775769016, 18.157427840819924, 4.441078608166912, 1, 10, 1, 1, 3, 1, 1, 3, 1, 9, 2, 2)]
        [InlineData(79, 41, false, 1804, 8073, 16, 882, 2515, 0.003239850156930242, 0.3652931051938848, 85.19976525789258, 83.00783090998593, 35.75733797417923, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1)]
        [InlineData(79, 41, true, 596, 2650, 6, 491, 1346, 0.0036968576709796672, 0.36722119531731356, 76.96447232327394, 74.58620840773838, 32.262273050406336, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1)]
        public void MatchesScipyOnAtlasRegions(int aal, int ba, bool aniso, int nR, int nC, int tp, int sR, int sC,
            double dice, double vs, double hd, double hd95, double asd,
            int r6, int c6, int tp6, int r18, int c18, int tp18, int r26, int c26, int tp26, int fp6, int fp18, int fp26)
        {
            Peers.RequireMricron("aal.nii.gz", "brodmann.nii.gz");
            var lesions = new[] { (6, r6, c6, tp6, fp6), (18, r18, c18, tp18, fp18), (26, r26, c26, tp26, fp26) };
            foreach (var (conn, rl, cl, tpl, fpl) in lesions)
            {
                var o = Compute(aal, ba, aniso, conn);
                Assert.Equal(nR, o.ReferenceVoxels);
                Assert.Equal(nC, o.CandidateVoxels);
                Assert.Equal(tp, o.TruePositiveVoxels);
                Assert.Equal(sR, o.ReferenceSurfaceVoxels);
                Assert.Equal(sC, o.CandidateSurfaceVoxels);
                Assert.Equal(dice, o.Dice, 12);
                Assert.Equal(vs, o.VolumeSimilarity, 12);
                Assert.Equal(hd, o.HausdorffMm, 9);
                Assert.Equal(hd95, o.Hausdorff95Mm, 9);
                Assert.Equal(asd, o.AverageSurfaceDistanceMm, 9);
                Assert.Equal(rl, o.ReferenceLesions);
                Assert.Equal(cl, o.CandidateLesions);
                Assert.Equal(tpl, o.LesionTruePositives);
                Assert.Equal(fpl, o.LesionFalsePositives);
                Assert.Equal(rl - tpl, o.LesionFalseNegatives);
                Assert.Equal(tpl / (tpl + (fpl + rl - tpl) / 2.0), o.LesionF1, 12);
            }
        }

        /// <summary>Runs the script itself when Debian's python3 with scipy is present and compares every value.</summary>
        [SkippableFact]
        public void LiveScriptAgrees()
        {
            Peers.RequireMricron("aal.nii.gz", "brodmann.nii.gz");
            string python = Peers.RequirePython("numpy", "scipy", "nibabel");
            string script = FindScript();
            Assert.True(script != null, "tests/reference/metrics_reference.py not found above " + AppContext.BaseDirectory);
            // A peer that runs and fails fails the test (Peers.Run asserts exit 0).
            string stdout = Peers.Run(python, new[] { script, Peers.MricronTemplates });
            var cases = new Dictionary<string, (int, int)> { ["precentral_L-BA4"] = (1, 4), ["calcarine_L-BA17"] = (43, 17), ["heschl_L-BA41"] = (79, 41) };
            int compared = 0;
            foreach (var line in stdout.Split('\n'))
            {
                if (line.Trim().Length == 0) continue;
                using (var doc = JsonDocument.Parse(line))
                {
                    var e = doc.RootElement;
                    string name = e.GetProperty("case").GetString();
                    bool aniso = name.EndsWith("-aniso", StringComparison.Ordinal);
                    var (aal, ba) = cases[aniso ? name.Substring(0, name.Length - 6) : name];
                    foreach (int conn in new[] { 6, 18, 26 })
                    {
                        var o = Compute(aal, ba, aniso, conn);
                        foreach (var prop in e.EnumerateObject())
                        {
                            if (prop.Name == "case") continue;
                            string key = prop.Name;
                            if (key.StartsWith("Lesion", StringComparison.Ordinal) || key.EndsWith("Lesions" + Tail(key), StringComparison.Ordinal))
                            {
                                // Lesion columns carry the connectivity as a suffix: LesionF16, LesionF118, ReferenceLesions26.
                                string suffix = conn.ToString();
                                if (!key.EndsWith(suffix, StringComparison.Ordinal) || !LesionColumns.Contains(key.Substring(0, key.Length - suffix.Length))) continue;
                                key = key.Substring(0, key.Length - suffix.Length);
                            }
                            var pi = typeof(LesionOverlap).GetProperty(key);
                            Assert.True(pi != null, "unknown column " + key);
                            double expected = prop.Value.GetDouble();
                            double actual = (double)pi.GetValue(o);
                            Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), name + " " + prop.Name + ": scipy " + expected + ", ours " + actual);
                            compared++;
                        }
                    }
                }
            }
            Assert.True(compared > 100, "compared only " + compared + " values");
            _out.WriteLine("Compared " + compared + " values with the scipy computation.");
        }

        private static readonly HashSet<string> LesionColumns = new HashSet<string>
        {
            "ReferenceLesions", "CandidateLesions", "LesionTruePositives", "LesionFalsePositives", "LesionFalseNegatives", "LesionF1",
        };

        private static string Tail(string key)
        {
            int i = key.Length;
            while (i > 0 && char.IsDigit(key[i - 1])) i--;
            return key.Substring(i);
        }

        internal static string FindScript()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null)
            {
                string p = Path.Combine(d.FullName, "tests", "reference", "metrics_reference.py");
                if (File.Exists(p)) return p;
                d = d.Parent;
            }
            return null;
        }
    }
}
