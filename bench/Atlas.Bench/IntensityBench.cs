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
            Console.WriteLine("  settings for both: shrink 4, 4 levels x 50 iterations, threshold 0.001, 4 initial control points, 200 bins, FWHM 0.15, Wiener 0.01");
            Console.WriteLine("  corr = Pearson correlation of log estimated and log added field in the brain; corr-own = the same after");
            Console.WriteLine("  subtracting the method's own estimate on the unbiased noisy image (Colin27's own non-uniformity)");

            var cases = new[]
            {
                new Case("Colin27, field +-20 %, Rician noise 3 %", 0.20, 0.03, 1, false),
                new Case("Colin27, field +-35 %, Rician noise 5 %", 0.35, 0.05, 2, false),
                new Case("Colin27 tissue classes (flat, no own field), field +-20 %, noise 3 %", 0.20, 0.03, 3, true),
            };
            foreach (var c in cases)
            {
                var files = MakeCase(dir, head, brain, c);
                Console.WriteLine($"  case {c.Name}: WM CV unbiased {files.CleanWmCv:F4}, biased {files.BiasedWmCv:F4}; sd of the added log field in the brain {Sd(files.TrueLogField, files.BrainMask):F4}");
                foreach (bool withMask in c.Flat ? new[] { true } : new[] { true, false })
                {
                    string label = withMask ? "brain mask" : "Otsu mask ";
                    var mask = withMask ? NiftiReader.Read(files.Brain) : null;
                    // Ours: median of 3 runs (files already read).
                    var input = NiftiReader.Read(files.Input);
                    BiasCorrectionResult r = null;
                    var times = new List<double>();
                    for (int run = 0; run < 3; run++)
                    {
                        var sw = Stopwatch.StartNew();
                        r = N4BiasCorrection.Correct(input, mask);
                        times.Add(sw.Elapsed.TotalSeconds);
                    }
                    times.Sort();
                    var ours = Log(r.GetBiasField().ToFloat32());
                    var ownOurs = Log(N4BiasCorrection.Correct(NiftiReader.Read(files.Unbiased), mask).GetBiasField().ToFloat32());
                    Report(label + " Atlas  ", files, ours, ownOurs, r.GetCorrected().ToFloat32(), times[1], "median of 3; iterations " + r.IterationsPerLevel);
                    if (itk == null) continue;
                    string outImg = Path.Combine(dir, "itk_corrected.nii.gz"), outField = Path.Combine(dir, "itk_logfield.nii.gz");
                    string own = Path.Combine(dir, "itk_own_logfield.nii.gz");
                    string args = " 4 50x50x50x50 0.001 4 200 0.15 0.01";
                    string o1 = context.RunPeer(itk, $"{files.Input} {(withMask ? files.Brain : "-")} {outImg} {outField}" + args);
                    string o2 = context.RunPeer(itk, $"{files.Unbiased} {(withMask ? files.Brain : "-")} {Path.Combine(dir, "itk_own.nii.gz")} {own}" + args);
                    if (o1 == null || o2 == null) continue;
                    Report(label + " ITK 5.2", files, NiftiReader.Read(outField).ToFloat32(), NiftiReader.Read(own).ToFloat32(), NiftiReader.Read(outImg).ToFloat32(),
                        ParseSeconds(o1), "one run, filter + field only; " + o1.Trim().Replace('\n', ' '));
                }
            }
        }

        private static void Report(string label, CaseFiles f, float[] logField, float[] ownLogField, float[] corrected, double seconds, string note)
        {
            var minusOwn = new float[logField.Length];
            for (int i = 0; i < minusOwn.Length; i++) minusOwn[i] = logField[i] - ownLogField[i];
            double corr = Correlation(logField, f.TrueLogField, f.BrainMask), corrOwn = Correlation(minusOwn, f.TrueLogField, f.BrainMask);
            Console.WriteLine($"    {label}: corr {corr:F4}  corr-own {corrOwn:F4}  WM CV {Cv(corrected, f.WhiteMatter):F4}  {seconds:F2} s ({note})");
        }

        private static double Sd(float[] v, byte[] m)
        {
            double s = 0, s2 = 0; long c = 0;
            for (long i = 0; i < v.LongLength; i++) { if (m[i] == 0) continue; s += v[i]; s2 += (double)v[i] * v[i]; c++; }
            double mu = s / c;
            return Math.Sqrt(Math.Max(0, s2 / c - mu * mu));
        }

        private sealed class Case
        {
            public Case(string name, double amplitude, double noise, int seed, bool flat) { Name = name; Amplitude = amplitude; Noise = noise; Seed = seed; Flat = flat; }
            public string Name; public double Amplitude, Noise; public int Seed; public bool Flat;
        }

        private sealed class CaseFiles
        {
            public string Input, Brain, Unbiased;
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
            if (c.Flat) Flatten(clean, brainVals);
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
                Unbiased = Path.Combine(dir, "ch2_unbiased_" + c.Seed + ".nii.gz"),
                Brain = Path.Combine(dir, "ch2_brain.nii.gz"),
                BrainMask = brain, WhiteMatter = wm, TrueLogField = field,
                CleanWmCv = Cv(unbiased, wm), BiasedWmCv = Cv(biased, wm),
            };
            NiftiWriter.Write(AtlasVolume.FromFloat32(grid, biased, head.Header), cf.Input);
            NiftiWriter.Write(AtlasVolume.FromFloat32(grid, unbiased, head.Header), cf.Unbiased);
            NiftiWriter.Write(AtlasVolume.FromMask(grid, brain, head.Header), cf.Brain);
            return cf;
        }

        /// <summary>
        /// Colin27's anatomy without its own non-uniformity: the brain's voxels replaced by the mean of their
        /// class (three classes cut at 60 and 100 of ch2bet, roughly CSF, grey, white), the rest zero.
        /// </summary>
        private static void Flatten(float[] head, float[] brain)
        {
            var sum = new double[3]; var count = new long[3];
            for (long i = 0; i < head.LongLength; i++)
            {
                if (brain[i] <= 0) continue;
                int k = brain[i] < 60 ? 0 : brain[i] < 100 ? 1 : 2;
                sum[k] += brain[i]; count[k]++;
            }
            for (long i = 0; i < head.LongLength; i++)
            {
                if (brain[i] <= 0) { head[i] = 0; continue; }
                int k = brain[i] < 60 ? 0 : brain[i] < 100 ? 1 : 2;
                head[i] = (float)(sum[k] / count[k]);
            }
        }

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
