using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Issue 13's registration targets: ch2 (mricron-data) moved by known affines onto native grids, with a
    /// bias field, Rician noise and AAL-grown lesions; Atlas.Psm, elastix 5.0.1 (default affine map, Mattes MI,
    /// 4 levels, masks) and dipy (affine MI pipeline) on the same files; RMS error over the template brain.
    /// `build.ps1 bench registration` (all cases) or `registration:quick` (Atlas.Psm only).
    /// </summary>
    public sealed class RegistrationBench : IBench
    {
        public string Name => "registration";

        private sealed class Case
        {
            public string Name;
            public double[] RotDeg, TransMm, Scales, Shears;
            public double[] VoxelMm;
            public int[] Axes; public bool[] Flip;
            public int[] LesionLabels; public double LesionMl;
            public int Dof = 12;
        }

        private static readonly Case[] Cases =
        {
            new Case { Name = "1mm LAS, 10-15 deg, scale+shear", RotDeg = new[] { 10.0, -8, 15 }, TransMm = new[] { 12.0, -8, 15 }, Scales = new[] { 1.05, 0.95, 1.03 }, Shears = new[] { 0.03, -0.02, 0.02 }, VoxelMm = new[] { 1.0, 1, 1 }, Axes = new[] { 0, 1, 2 }, Flip = new[] { true, false, false } },
            new Case { Name = "1.1x1.1x1.2 RAS, 50 deg", RotDeg = new[] { 50.0, 10, -15 }, TransMm = new[] { -20.0, 15, 10 }, Scales = new[] { 0.93, 1.04, 1.08 }, VoxelMm = new[] { 1.1, 1.1, 1.2 }, Axes = new[] { 0, 1, 2 }, Flip = new[] { false, false, false } },
            new Case { Name = "0.9x0.9x3 permuted (PIR-like), 150 ml lesion", RotDeg = new[] { -12.0, 20, 8 }, TransMm = new[] { 8.0, 20, -12 }, Scales = new[] { 1.08, 1.0, 0.94 }, Shears = new[] { -0.03, 0.02, 0.0 }, VoxelMm = new[] { 0.9, 0.9, 3.0 }, Axes = new[] { 1, 2, 0 }, Flip = new[] { true, true, false }, LesionLabels = new[] { 29, 73 }, LesionMl = 150 },
            new Case { Name = "1mm RAS, 30 deg, 200 ml lesion", RotDeg = new[] { 0.0, -30, 20 }, TransMm = new[] { 15.0, -10, 20 }, Scales = new[] { 0.95, 0.97, 1.05 }, Shears = new[] { 0.02, 0.02, -0.03 }, VoxelMm = new[] { 1.0, 1, 1 }, Axes = new[] { 0, 1, 2 }, Flip = new[] { false, false, false }, LesionLabels = new[] { 1, 59 }, LesionMl = 200 },
            new Case { Name = "0.9x0.9x3 LAS, 50 deg, 50 ml lesion", RotDeg = new[] { 25.0, 0, 50 }, TransMm = new[] { -15.0, -20, 5 }, Scales = new[] { 1.0, 0.92, 1.06 }, VoxelMm = new[] { 0.9, 0.9, 3.0 }, Axes = new[] { 0, 1, 2 }, Flip = new[] { true, false, false }, LesionLabels = new[] { 74 }, LesionMl = 50 },
        };

        /// <summary>ch2 (the fixed image), its brain (ch2bet &gt; 0) and AAL, as every ch2 bench reads them.</summary>
        internal sealed class Ch2
        {
            public string Folder;
            public AtlasVolume Head, Aal, BrainVol;
            public float[] FixedData;
            public byte[] Brain;
            public double[] Centre;
        }

        /// <summary>ch2 from mricron-data, or null when it is not installed.</summary>
        internal static Ch2 LoadCh2()
        {
            string tpl = "/usr/share/mricron/templates";
            if (!File.Exists(Path.Combine(tpl, "ch2.nii.gz"))) return null;
            var head = NiftiReader.Read(Path.Combine(tpl, "ch2.nii.gz"));
            var brain = NiftiReader.Read(Path.Combine(tpl, "ch2bet.nii.gz")).ToMask();
            return new Ch2
            {
                Folder = tpl, Head = head, Aal = NiftiReader.Read(Path.Combine(tpl, "aal.nii.gz")),
                FixedData = head.ToFloat32(), Brain = brain, BrainVol = AtlasVolume.FromMask(head.Grid, brain),
                Centre = AffineRegistration.CentreOfMass(null, head.Grid, brain),
            };
        }

        /// <summary>One case made: the true template-to-native matrix, the native scan and, with a lesion, its mask there and the true lesion on ch2's grid.</summary>
        internal sealed class Moved
        {
            public double[,] Truth;
            public Grid Grid;
            public AtlasVolume Moving, Lesion;
            public byte[] LesionMask, TemplateLesion;
        }

        internal static int CaseCount => Cases.Length;
        internal static string CaseName(int n) => Cases[n - 1].Name;

        /// <summary>
        /// Case <paramref name="n"/> (1-based): ch2 moved by the case's affine onto its native grid, the lesion (AAL
        /// <paramref name="labels"/> grown to <paramref name="ml"/> ml, the case's own when null) filled with a CSF-like
        /// value, then a multiplicative bias field (25 %) and Rician noise (sigma 3).
        /// </summary>
        internal static Moved Make(Ch2 ch2, int n, int[] labels = null, double ml = 0)
        {
            var c = Cases[n - 1];
            if (labels == null) { labels = c.LesionLabels; ml = c.LesionMl; }
            const double csf = 35; // ch2's 3rd percentile inside the brain (ventricles), a CSF-like fill
            var m = new Moved { Truth = SyntheticMove.Affine(c.RotDeg, c.TransMm, c.Scales, c.Shears, ch2.Centre) };
            var g = m.Grid = SyntheticMove.MovedGrid(ch2.FixedData, ch2.Head.Grid, m.Truth, c.VoxelMm, c.Axes, c.Flip, threshold: 10);
            var data = SyntheticMove.Move(ch2.FixedData, ch2.Head.Grid, m.Truth, g);
            if (labels != null)
            {
                var region = GrowRegion(ch2.Aal, ch2.Brain, labels, ml);
                m.TemplateLesion = new byte[region.Length];
                for (int i = 0; i < region.Length; i++) m.TemplateLesion[i] = region[i] != 0 ? (byte)1 : (byte)0;
                var moved = SyntheticMove.Move(region, ch2.Head.Grid, m.Truth, g);
                var lm = m.LesionMask = new byte[moved.Length];
                for (int i = 0; i < lm.Length; i++) lm[i] = moved[i] >= 0.5f ? (byte)1 : (byte)0;
                SyntheticMove.PaintLesion(data, lm, (float)csf);
                m.Lesion = AtlasVolume.FromMask(g, lm);
            }
            SyntheticMove.ApplyBias(data, g, 0.25);
            SyntheticMove.AddRicianNoise(data, 3, 100 + n);
            m.Moving = AtlasVolume.FromFloat32(g, data);
            return m;
        }

        public void Run(BenchContext ctx)
        {
            var ch2 = LoadCh2();
            if (ch2 == null) { Console.WriteLine("registration: mricron-data not installed, skipped"); return; }
            string tpl = ch2.Folder;
            bool peers = Environment.GetEnvironmentVariable("ATLAS_BENCH_QUICK") != "1";
            string dir = Path.Combine(ctx.WorkDir, "registration");
            Directory.CreateDirectory(dir);
            var head = ch2.Head;
            var brain = ch2.Brain;
            var brainVol = ch2.BrainVol;
            string brainPath = Path.Combine(dir, "ch2_brainmask.nii.gz");
            NiftiWriter.Write(brainVol, brainPath);
            Console.WriteLine("registration: " + Cases.Length + " cases, ch2 1 mm template, brain ch2bet > 0");
            Console.WriteLine("| case | Atlas.Psm RMS mm | time s | verdict | elastix RMS mm | time s | dipy RMS mm | time s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            int n = 0;
            foreach (var c in Cases)
            {
                n++;
                var only = Environment.GetEnvironmentVariable("ATLAS_BENCH_CASE");
                if (!string.IsNullOrEmpty(only) && only != n.ToString(CultureInfo.InvariantCulture)) continue;
                var made = Make(ch2, n);
                var truth = made.Truth;
                var g = made.Grid;
                var lesionVol = made.Lesion;
                string lesionPath = null;
                if (lesionVol != null)
                {
                    var lm = made.LesionMask;
                    lesionPath = Path.Combine(dir, "case" + n + "_lesion.nii.gz");
                    NiftiWriter.Write(lesionVol, lesionPath);
                    // elastix's moving mask marks the voxels to use: the head without the (dilated) lesion.
                    var use = new byte[lm.Length];
                    var d2 = Atlas.Core.Imaging.DistanceTransform.SquaredToNearest(lm, g.NX, g.NY, g.NZ, g.VoxelSizeMm[0], g.VoxelSizeMm[1], g.VoxelSizeMm[2]);
                    for (int i = 0; i < use.Length; i++) use[i] = d2[i] > 9 ? (byte)1 : (byte)0;
                    NiftiWriter.Write(AtlasVolume.FromMask(g, use), Path.Combine(dir, "case" + n + "_usemask.nii.gz"));
                }
                var moving = made.Moving;
                string movingPath = Path.Combine(dir, "case" + n + "_moving.nii.gz");
                NiftiWriter.Write(moving, movingPath);
                var sw = Stopwatch.StartNew();
                // ATLAS_BENCH_COST=MutualInformation|NormalizedCorrelation runs our registration with another cost (default: CorrelationRatio).
                var cost = Enum.TryParse(Environment.GetEnvironmentVariable("ATLAS_BENCH_COST") ?? "", out RegistrationCost chosen) ? chosen : RegistrationCost.CorrelationRatio;
                var r = AffineRegistration.Register(moving, head, brainVol, lesionVol, Opts(c.Dof, cost));
                double ours = sw.Elapsed.TotalSeconds;
                double rms = SyntheticMove.RmsErrorMm(r.FixedToMovingRas, truth, head.Grid, brain);
                // ATLAS_BENCH_DIAG=1: the cost evaluations, and our cost at our answer and at the truth (lower at ours = the cost's own optimum is off).
                if (Environment.GetEnvironmentVariable("ATLAS_BENCH_DIAG") == "1")
                {
                    var at = AffineRegistration.Assess(moving, head, truth, brainVol, lesionVol, Opts(c.Dof, cost));
                    Console.WriteLine($"diag case {n}: rms {rms:0.0000} evals {r.Evaluations} iters {r.Iterations} cost ours {r.FinalCost:0.0000000} truth {at.FinalCost:0.0000000} conv {r.Converged} t {ours:0.0}");
                }
                string el = "-", elt = "-", dp = "-", dpt = "-";
                if (peers)
                {
                    var e = Elastix(ctx, dir, n, Path.Combine(tpl, "ch2.nii.gz"), brainPath, movingPath, lesionPath != null ? Path.Combine(dir, "case" + n + "_usemask.nii.gz") : null);
                    if (e.matrix != null) { el = F(SyntheticMove.RmsErrorMm(e.matrix, truth, head.Grid, brain)); elt = F(e.seconds, "0.0"); } else el = "failed";
                    // dipy takes minutes per 1 mm case: ATLAS_BENCH_DIPY=0 leaves it out.
                    if (Environment.GetEnvironmentVariable("ATLAS_BENCH_DIPY") != "0")
                    {
                        var d = Dipy(ctx, dir, n, Path.Combine(tpl, "ch2.nii.gz"), movingPath);
                        if (d.matrix != null) { dp = F(SyntheticMove.RmsErrorMm(d.matrix, truth, head.Grid, brain)); dpt = F(d.seconds, "0.0"); } else dp = "failed";
                    }
                }
                Console.WriteLine($"| {c.Name} ({g}) | {F(rms)} | {F(ours, "0.0")} | {r.Verdict} (eta2 {F(r.CorrelationRatio)}, overlap {F(r.BrainOverlap)}) | {el} | {elt} | {dp} | {dpt} |");
            }
        }

        /// <summary>Our options; ATLAS_BENCH_FIELD=0|1|2 sets IntensityFieldOrder, ATLAS_BENCH_NOMATCH=1 turns MatchResolution off (ablations).</summary>
        private static RegistrationOptions Opts(int dof, RegistrationCost cost)
        {
            var o = new RegistrationOptions { Dof = dof, Cost = cost };
            if (int.TryParse(Environment.GetEnvironmentVariable("ATLAS_BENCH_FIELD"), out int fo)) o.IntensityFieldOrder = fo;
            if (Environment.GetEnvironmentVariable("ATLAS_BENCH_NOMATCH") == "1") o.MatchResolution = false;
            return o;
        }

        private static string F(double v, string f = "0.000") => v.ToString(f, CultureInfo.InvariantCulture);

        /// <summary>AAL regions grown inside the brain (one voxel layer at a time) to about <paramref name="ml"/> millilitres, as floats 0/1.</summary>
        private static float[] GrowRegion(AtlasVolume aal, byte[] brain, int[] labels, double ml)
        {
            var g = aal.Grid; var v = aal.ToFloat32();
            var m = new byte[v.Length];
            for (int i = 0; i < v.Length; i++) foreach (var l in labels) if (v[i] == l && brain[i] != 0) m[i] = 1;
            long target = (long)(ml * 1000 / g.VoxelVolumeMm3);
            for (int iter = 0; iter < 60; iter++)
            {
                long count = 0; foreach (var b in m) count += b;
                if (count >= target) break;
                var next = (byte[])m.Clone();
                for (int k = 1; k < g.NZ - 1; k++)
                    for (int j = 1; j < g.NY - 1; j++)
                        for (int i = 1; i < g.NX - 1; i++)
                        {
                            int o = g.Index(i, j, k);
                            if (m[o] != 0 || brain[o] == 0) continue;
                            if (m[o - 1] != 0 || m[o + 1] != 0 || m[o - g.NX] != 0 || m[o + g.NX] != 0 || m[o - g.NX * g.NY] != 0 || m[o + g.NX * g.NY] != 0) next[o] = 1;
                        }
                m = next;
            }
            var f = new float[m.Length];
            for (int i = 0; i < m.Length; i++) f[i] = m[i];
            return f;
        }

        private const string ElastixAffine = @"// elastix's default affine parameter map (elastix manual / GetDefaultParameterMap(""affine""))
(FixedInternalImagePixelType ""float"")
(MovingInternalImagePixelType ""float"")
(FixedImageDimension 3)
(MovingImageDimension 3)
(UseDirectionCosines ""true"")
(Registration ""MultiResolutionRegistration"")
(Interpolator ""BSplineInterpolator"")
(ResampleInterpolator ""FinalBSplineInterpolator"")
(Resampler ""DefaultResampler"")
(FixedImagePyramid ""FixedSmoothingImagePyramid"")
(MovingImagePyramid ""MovingSmoothingImagePyramid"")
(Optimizer ""AdaptiveStochasticGradientDescent"")
(Transform ""AffineTransform"")
(Metric ""AdvancedMattesMutualInformation"")
(AutomaticScalesEstimation ""true"")
(AutomaticTransformInitialization ""true"")
(HowToCombineTransforms ""Compose"")
(NumberOfHistogramBins 32)
(ErodeMask ""false"")
(NumberOfResolutions 4)
(MaximumNumberOfIterations 256)
(NumberOfSpatialSamples 2048)
(NewSamplesEveryIteration ""true"")
(ImageSampler ""RandomCoordinate"")
(BSplineInterpolationOrder 1)
(FinalBSplineInterpolationOrder 3)
(DefaultPixelValue 0)
(WriteResultImage ""false"")
(ResultImagePixelType ""float"")
(ResultImageFormat ""nii.gz"")
";

        private static (double[,] matrix, double seconds) Elastix(BenchContext ctx, string dir, int n, string fixedPath, string fixedMask, string moving, string movingMask)
        {
            string outDir = Path.Combine(dir, "elastix" + n);
            Directory.CreateDirectory(outDir);
            string par = Path.Combine(dir, "elastix_affine.txt");
            File.WriteAllText(par, ElastixAffine);
            string args = $"-f {fixedPath} -m {moving} -fMask {fixedMask} -p {par} -out {outDir} -threads 2" + (movingMask != null ? " -mMask " + movingMask : "");
            var sw = Stopwatch.StartNew();
            if (ctx.RunPeer("elastix", args) == null) return (null, 0);
            double t = sw.Elapsed.TotalSeconds;
            var text = File.ReadAllText(Path.Combine(outDir, "TransformParameters.0.txt"));
            var p = Numbers(text, "TransformParameters"); var c = Numbers(text, "CenterOfRotationPoint");
            // elastix: LPS, fixed -> moving: x -> A (x - c) + c + t; RAS = D M D with D = diag(-1,-1,1).
            var lps = AffineMath.Identity();
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++) lps[i, j] = p[3 * i + j];
                double ac = 0; for (int j = 0; j < 3; j++) ac += p[3 * i + j] * c[j];
                lps[i, 3] = p[9 + i] + c[i] - ac;
            }
            var d = AffineMath.Identity(); d[0, 0] = -1; d[1, 1] = -1;
            return (AffineMath.Multiply(d, AffineMath.Multiply(lps, d)), t);
        }

        private static double[] Numbers(string text, string key)
        {
            int i = text.IndexOf("(" + key + " ", StringComparison.Ordinal);
            int e = text.IndexOf(')', i);
            var parts = text.Substring(i + key.Length + 2, e - i - key.Length - 2).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            return Array.ConvertAll(parts, s => double.Parse(s, CultureInfo.InvariantCulture));
        }

        private static (double[,] matrix, double seconds) Dipy(BenchContext ctx, string dir, int n, string fixedPath, string moving)
        {
            if (ctx.Python == null) return (null, 0);
            string script = Path.Combine(ctx.RepoRoot, "bench", "registration_dipy.py");
            var sw = Stopwatch.StartNew();
            var o = ctx.RunPeer(ctx.Python, $"{script} {fixedPath} {moving}");
            double t = sw.Elapsed.TotalSeconds;
            if (o == null) return (null, t);
            var v = Array.ConvertAll(o.Trim().Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries), s => double.Parse(s, CultureInfo.InvariantCulture));
            var m = AffineMath.Identity();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) m[i, j] = v[4 * i + j];
            return (m, t);
        }
    }
}
