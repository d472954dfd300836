using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Atlas.Core.Intensity;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Issue 13, bias correction: Colin27 (mricron-data ch2.nii.gz, brain ch2bet.nii.gz) times a known
    /// smooth multiplicative field, with Rician noise; our N4 against ITK 5.2's N4BiasFieldCorrectionImageFilter
    /// (bench/itk_n4, built here with cmake) on the same files and parameters. Figures: correlation of the
    /// log estimated field with the log true field in the brain, white-matter CV of the corrected image
    /// against that of the unbiased noisy image, and the time of the correction (files read, not written).
    /// </summary>
    public sealed class IntensityBench : IBench
    {
        public string Name => "intensity";
        private const string Templates = "/usr/share/mricron/templates";

        public void Run(BenchContext context)
        {
            string head = Path.Combine(Templates, "ch2.nii.gz"), brain = Path.Combine(Templates, "ch2bet.nii.gz");
            if (!File.Exists(head) || !File.Exists(brain)) { Console.WriteLine("  skipped: mricron-data (ch2.nii.gz, ch2bet.nii.gz) is not installed"); return; }
            string dir = Path.Combine(context.WorkDir, "intensity");
            Directory.CreateDirectory(dir);
            string itk = BuildItk(context, dir);
            Console.WriteLine("  ITK driver: " + (itk ?? "not built (cmake/g++/libinsighttoolkit5-dev missing)"));

            foreach (var c in new[] { new Case("field ±20 %, noise 3 %", 0.20, 0.03, 1), new Case("field ±35 %, noise 5 %", 0.35, 0.05, 2) })
            {
                var files = MakeCase(dir, head, brain, c);
                Console.WriteLine($"  case {c.Name}: clean WM CV {files.CleanWmCv:F4}, biased WM CV {files.BiasedWmCv:F4}");
                if (Environment.GetEnvironmentVariable("N4DIAG") != null) Diagnose(files, head, c);
                foreach (bool withMask in new[] { true, false })
                {
                    string maskArg = withMask ? files.Brain : null;
                    // Ours: median of 3 runs.
                    var input = NiftiReader.Read(files.Input);
                    var mask = withMask ? NiftiReader.Read(files.Brain) : null;
                    BiasCorrectionResult r = null;
                    var times = new List<double>();
                    for (int run = 0; run < 3; run++)
                    {
                        var sw = Stopwatch.StartNew();
                        r = N4BiasCorrection.Correct(input, mask);
                        times.Add(sw.Elapsed.TotalSeconds);
                    }
                    times.Sort();
                    var logOurs = Log(r.GetBiasField().ToFloat32());
                    var (corr, cv) = Score(files, logOurs, r.GetCorrected().ToFloat32());
                    Console.WriteLine($"    {(withMask ? "brain mask" : "no mask   ")} Atlas  : corr {corr:F4}  WM CV {cv:F4}  {times[1]:F2} s (iterations {r.IterationsPerLevel})");
                    if (itk == null) continue;
                    string outImg = Path.Combine(dir, "itk_corrected.nii.gz"), outField = Path.Combine(dir, "itk_logfield.nii.gz");
                    var itkTimes = new List<double>();
                    string last = null;
                    for (int run = 0; run < 3; run++)
                    {
                        var sw = Stopwatch.StartNew();
                        last = context.RunPeer(itk, $"{files.Input} {maskArg ?? "-"} {outImg} {outField} 4 50x50x50x50 0.001 4 200 0.15 0.01");
                        if (last == null) break;
                        itkTimes.Add(ParseSeconds(last));
                    }
                    if (last == null) continue;
                    itkTimes.Sort();
                    var logItk = NiftiReader.Read(outField).ToFloat32();
                    var (ic, icv) = Score(files, logItk, NiftiReader.Read(outImg).ToFloat32());
                    Console.WriteLine($"    {(withMask ? "brain mask" : "no mask   ")} ITK 5.2: corr {ic:F4}  WM CV {icv:F4}  {itkTimes[itkTimes.Count / 2]:F2} s (filter only; {last.Trim().Replace('\n', ' ')})");
                }
            }
        }

        private static void Diagnose(CaseFiles f, string headPath, Case c)
        {
            var head = NiftiReader.Read(headPath);
            var g = head.Grid;
            var clean = head.ToFloat32();
            var rng = new Random(99);
            for (long i = 0; i < clean.LongLength; i++) { double s = clean[i], n1 = Gauss(rng) * c.Noise * 110, n2 = Gauss(rng) * c.Noise * 110; clean[i] = (float)Math.Sqrt((s + n1) * (s + n1) + n2 * n2); }
            var vol = AtlasVolume.FromFloat32(g, clean, head.Header);
            var own = Log(N4BiasCorrection.Correct(vol, AtlasVolume.FromMask(g, f.BrainMask, head.Header)).GetBiasField().ToFloat32());
            Console.WriteLine($"    sd true log field {Sd(f.TrueLogField, f.BrainMask):F4}; sd of N4's field on the unbiased image {Sd(own, f.BrainMask):F4}");
            var input = NiftiReader.Read(f.Input);
            var est = Log(N4BiasCorrection.Correct(input, AtlasVolume.FromMask(g, f.BrainMask, head.Header)).GetBiasField().ToFloat32());
            var sum = new float[est.Length];
            for (int i = 0; i < est.Length; i++) sum[i] = f.TrueLogField[i] + own[i];
            Console.WriteLine($"    corr(est, true + own) {Correlation(est, sum, f.BrainMask):F4}; corr(est - own, true) {Correlation(Sub(est, own), f.TrueLogField, f.BrainMask):F4}");
        }

        private static float[] Sub(float[] a, float[] b) { var o = new float[a.Length]; for (int i = 0; i < a.Length; i++) o[i] = a[i] - b[i]; return o; }
        private static double Sd(float[] v, byte[] m) { double s = 0, s2 = 0; long c = 0; for (long i = 0; i < v.LongLength; i++) { if (m[i] == 0) continue; s += v[i]; s2 += (double)v[i] * v[i]; c++; } double mu = s / c; return Math.Sqrt(s2 / c - mu * mu); }

        private sealed class Case
        {
            public Case(string name, double amplitude, double noise, int seed) { Name = name; Amplitude = amplitude; Noise = noise; Seed = seed; }
            public string Name; public double Amplitude, Noise; public int Seed;
        }

        private sealed class CaseFiles
        {
            public string Input, Brain;
            public byte[] BrainMask, WhiteMatter;
            public float[] TrueLogField;
            public double CleanWmCv, BiasedWmCv;
        }

        /// <summary>
        /// The known field in world millimetres (ch2 is MNI-centred): a tilt, a saddle, a dome and a slow
        /// wave, scaled so that the log field spans about ±amplitude over the head.
        /// </summary>
        public static double TrueLogField(double x, double y, double z, double amplitude)
        {
            double u = x / 90, v = (y + 18) / 110, w = (z - 10) / 80;
            return amplitude * (0.5 * u + 0.35 * v * w - 0.35 * (u * u + w * w) + 0.25 * Math.Cos(Math.PI * v) + 0.15 * Math.Sin(2 * w + 0.5 * u));
        }

        private static CaseFiles MakeCase(string dir, string headPath, string brainPath, Case c)
        {
            var head = NiftiReader.Read(headPath);
            var brainVol = NiftiReader.Read(brainPath);
            var grid = head.Grid;
            var clean = head.ToFloat32();
            var brainVals = brainVol.ToFloat32();
            long n = clean.LongLength;
            var field = new float[n];
            var biased = new float[n];
            var unbiased = new float[n];
            var brain = new byte[n];
            var wm = new byte[n];
            var rng = new Random(c.Seed);
            double sigma = c.Noise * 110; // 110: ch2's white-matter intensity
            for (int k = 0; k < grid.NZ; k++)
                for (int j = 0; j < grid.NY; j++)
                    for (int i = 0; i < grid.NX; i++)
                    {
                        long o = grid.Index(i, j, k);
                        var p = grid.VoxelToWorld(i, j, k);
                        double lf = TrueLogField(p[0], p[1], p[2], c.Amplitude);
                        field[o] = (float)lf;
                        double n1 = Gauss(rng) * sigma, n2 = Gauss(rng) * sigma;
                        double s = clean[o];
                        // Rician: the magnitude of a complex signal with Gaussian noise on both channels.
                        biased[o] = (float)Math.Sqrt(Math.Pow(s * Math.Exp(lf) + n1, 2) + n2 * n2);
                        unbiased[o] = (float)Math.Sqrt(Math.Pow(s + n1, 2) + n2 * n2);
                        brain[o] = brainVals[o] > 0 ? (byte)1 : (byte)0;
                        // White matter: ch2bet's bright class (the noiseless template at 105 and above).
                        wm[o] = brainVals[o] >= 105 ? (byte)1 : (byte)0;
                    }
            var cf = new CaseFiles
            {
                Input = Path.Combine(dir, "ch2_biased_" + c.Seed + ".nii.gz"),
                Brain = Path.Combine(dir, "ch2_brain.nii.gz"),
                BrainMask = brain, WhiteMatter = wm, TrueLogField = field,
                CleanWmCv = Cv(unbiased, wm), BiasedWmCv = Cv(biased, wm),
            };
            NiftiWriter.Write(AtlasVolume.FromFloat32(grid, biased, head.Header), cf.Input);
            NiftiWriter.Write(AtlasVolume.FromMask(grid, brain, head.Header), cf.Brain);
            return cf;
        }

        private (double corr, double cv) Score(CaseFiles f, float[] logEstimate, float[] corrected) =>
            (Correlation(logEstimate, f.TrueLogField, f.BrainMask), Cv(corrected, f.WhiteMatter));

        private static float[] Log(float[] v)
        {
            var o = new float[v.Length];
            for (int i = 0; i < v.Length; i++) o[i] = (float)Math.Log(v[i]);
            return o;
        }

        public static double Correlation(float[] a, float[] b, byte[] m)
        {
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0; long c = 0;
            for (long i = 0; i < a.LongLength; i++)
            {
                if (m[i] == 0) continue;
                sa += a[i]; sb += b[i]; saa += (double)a[i] * a[i]; sbb += (double)b[i] * b[i]; sab += (double)a[i] * b[i]; c++;
            }
            double cov = sab - sa * sb / c, va = saa - sa * sa / c, vb = sbb - sb * sb / c;
            return cov / Math.Sqrt(va * vb);
        }

        public static double Cv(float[] v, byte[] m)
        {
            double s = 0, s2 = 0; long c = 0;
            for (long i = 0; i < v.LongLength; i++) { if (m[i] == 0) continue; s += v[i]; s2 += (double)v[i] * v[i]; c++; }
            double mean = s / c;
            return Math.Sqrt(Math.Max(0, s2 / c - mean * mean)) / mean;
        }

        private static double Gauss(Random r)
        {
            double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        private static double ParseSeconds(string output)
        {
            foreach (var line in output.Split('\n'))
                if (line.StartsWith("seconds ", StringComparison.Ordinal))
                    return double.Parse(line.Substring(8), CultureInfo.InvariantCulture);
            return double.NaN;
        }

        /// <summary>Builds bench/itk_n4 (our driver of ITK's filter) with cmake into out/bench/intensity/itk_n4; null when that fails.</summary>
        private static string BuildItk(BenchContext context, string dir)
        {
            string src = Path.Combine(context.RepoRoot, "bench", "itk_n4");
            string build = Path.Combine(dir, "itk_n4");
            string exe = Path.Combine(build, "atlas_itk_n4");
            Directory.CreateDirectory(build);
            if (context.RunPeer("cmake", $"-S {src} -B {build} -DCMAKE_BUILD_TYPE=Release") == null) return null;
            if (context.RunPeer("cmake", $"--build {build}") == null) return null;
            return File.Exists(exe) ? exe : null;
        }
    }
}
