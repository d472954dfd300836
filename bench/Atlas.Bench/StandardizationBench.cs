using System;
using System.Diagnostics;
using System.Globalization;
using Atlas.Core.Lesions;
using Atlas.Core.Metrics;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Issue 13's defacing and end-to-end targets on the registration bench's ch2 cases (ch2 moved by known
    /// affines onto native grids, bias field, Rician noise, AAL-grown lesions; the two cases that have no lesion
    /// there get one here). Per case the engine's standardization (N4, white-matter peak, lesion-masked affine
    /// registration, T1 linear and lesion nearest into ch2, defacing) and, in the native scan, DefaceNative
    /// through our transform and through the true one:
    ///  - defacing: % of the face (FaceRegion of ch2 and ch2bet &gt; 0, brought into the scan through the true
    ///    transform) zeroed, and % of the brain (ch2bet, the same way) touched; target &gt;= 95 % and &lt;= 0.1 %;
    ///  - end to end: Dice of our template-space lesion with the true lesion (the grown AAL region on ch2's grid),
    ///    beside the Dice the true transform gives (the native lesion resampled through it, nearest), and their
    ///    ratio (target &gt;= 0.95); then one overlap map over every case's standardized lesion, no grid skipped.
    /// `build.ps1 bench standardization`; ATLAS_BENCH_CASE=n runs one case, ATLAS_BENCH_HEAD=1 registers on the whole head (the default before 7 Dec 2026, 23 UTC), ATLAS_BENCH_DIAG=1 says where the missed face voxels lie.
    /// </summary>
    public sealed class StandardizationBench : IBench
    {
        public string Name => "standardization";

        // Lesions for the registration cases that have none (1 and 2): AAL insula R (30) and inferior parietal +
        // supramarginal L (61, 63), grown to 100 and 80 ml.
        private static readonly int[][] ExtraLabels = { new[] { 30 }, new[] { 61, 63 } };
        private static readonly double[] ExtraMl = { 100, 80 };

        public void Run(BenchContext ctx)
        {
            var ch2 = RegistrationBench.LoadCh2();
            if (ch2 == null) { Console.WriteLine("standardization: mricron-data not installed, skipped"); return; }
            var head = ch2.Head;
            var face = StandardSpace.FaceRegion(head, ch2.BrainVol);
            var faceVol = AtlasVolume.FromMask(head.Grid, face);
            long faceCount = Count(face, null);
            Console.WriteLine($"standardization: {RegistrationBench.CaseCount} cases, template ch2 1 mm, brain ch2bet > 0, face region {faceCount} voxels ({faceCount / 1000.0:0.0} ml)");
            Console.WriteLine("| case | lesion ml | RMS mm | verdict | Dice ours | Dice truth | ratio | face zeroed ours | brain touched ours | face zeroed truth | brain touched truth | time s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            var only = Environment.GetEnvironmentVariable("ATLAS_BENCH_CASE");
            LesionOverlapMap map = null;
            for (int n = 1; n <= RegistrationBench.CaseCount; n++)
            {
                if (!string.IsNullOrEmpty(only) && only != n.ToString(CultureInfo.InvariantCulture)) continue;
                var made = n <= ExtraLabels.Length ? RegistrationBench.Make(ch2, n, ExtraLabels[n - 1], ExtraMl[n - 1]) : RegistrationBench.Make(ch2, n);
                var truth = new AffineTransform(made.Truth);

                var sw = Stopwatch.StartNew();
                var std = StandardSpace.Standardize(made.Moving, new[] { made.Lesion }, head, ch2.BrainVol, face, new StandardizationOptions { WholeHeadCost = Environment.GetEnvironmentVariable("ATLAS_BENCH_HEAD") == "1" });
                var reg = std.Registration;
                var ours = StandardSpace.DefaceNative(made.Moving, head.Grid, face, reg.Transform, out _);
                double seconds = sw.Elapsed.TotalSeconds;
                var byTruth = StandardSpace.DefaceNative(made.Moving, head.Grid, face, truth, out _);

                // The judges, in the scan: the template's face and brain brought over through the true transform.
                var back = truth.Inverse();
                var nativeFace = Resampler.Resample(faceVol, made.Grid, back, Interpolation.Nearest).ToMask();
                var nativeBrain = Resampler.Resample(ch2.BrainVol, made.Grid, back, Interpolation.Nearest).ToMask();
                var before = made.Moving.ToFloat32();
                var (faceOurs, brainOurs) = Deface(before, ours.ToFloat32(), nativeFace, nativeBrain);
                var (faceTruth, brainTruth) = Deface(before, byTruth.ToFloat32(), nativeFace, nativeBrain);

                var stdLesion = std.Masks[0].ToMask();
                var viaTruth = Resampler.Resample(made.Lesion, head.Grid, truth, Interpolation.Nearest).ToMask();
                double diceOurs = OverlapMetrics.Compute(made.TemplateLesion, stdLesion, head.Grid).Dice;
                double diceTruth = OverlapMetrics.Compute(made.TemplateLesion, viaTruth, head.Grid).Dice;
                if (map == null) map = LesionOverlapMap.StartWith(std.Masks[0]); else map.Add(std.Masks[0]);

                double rms = Atlas.Core.Spatial.Registration.SyntheticMove.RmsErrorMm(reg.FixedToMovingRas, made.Truth, head.Grid, ch2.Brain);
                double ml = Count(made.TemplateLesion, null) * head.Grid.VoxelVolumeMm3 / 1000;
                Console.WriteLine($"| {n}: {RegistrationBench.CaseName(n)} ({made.Grid}) | {F(ml, "0")} | {F(rms)} | {reg.Verdict} | {F(diceOurs, "0.0000")} | {F(diceTruth, "0.0000")} | {F(diceOurs / diceTruth, "0.0000")} " +
                    $"| {Pct(faceOurs)} | {Pct(brainOurs)} | {Pct(faceTruth)} | {Pct(brainTruth)} | {F(seconds, "0.0")} |");
                if (Environment.GetEnvironmentVariable("ATLAS_BENCH_DIAG") == "1") MissedFace(made, before, ours.ToFloat32(), nativeFace, nativeBrain);
            }
            if (map != null)
            {
                var r = LesionOverlapResult.Of(map);
                Console.WriteLine($"overlap map over the standardized lesions: {r.MaskCount} masks on ch2's grid {map.Grid}, none skipped; at most {r.MaxCount} in one voxel, {r.LesionedVolumeMm3 / 1000:0.0} ml lesioned in any");
            }
        }

        /// <summary>(face voxels, non-zero before, now 0) and (brain voxels, changed).</summary>
        private static ((long hit, long of) face, (long hit, long of) brain) Deface(float[] before, float[] after, byte[] face, byte[] brain)
        {
            long f = 0, fz = 0, b = 0, bt = 0;
            for (long i = 0; i < before.LongLength; i++)
            {
                if (face[i] != 0 && before[i] != 0) { f++; if (after[i] == 0) fz++; }
                if (brain[i] != 0) { b++; if (after[i] != before[i]) bt++; }
            }
            return ((fz, f), (bt, b));
        }

        /// <summary>ATLAS_BENCH_DIAG=1: where the face voxels our defacing missed lie (distance to the true-mapped brain), and how many brain voxels it touched.</summary>
        private static void MissedFace(RegistrationBench.Moved made, float[] before, float[] after, byte[] face, byte[] brain)
        {
            var g = made.Grid;
            var d2 = Atlas.Core.Imaging.DistanceTransform.SquaredToNearest(brain, g.NX, g.NY, g.NZ, g.VoxelSizeMm[0], g.VoxelSizeMm[1], g.VoxelSizeMm[2]);
            var bins = new long[5]; // missed face voxels by distance to the brain: < 5, 5-10, 10-20, 20-40, >= 40 mm
            long edge = 0;
            for (long i = 0; i < before.LongLength; i++)
            {
                if (face[i] == 0 || before[i] == 0 || after[i] == 0) continue;
                double d = Math.Sqrt(d2[i]);
                bins[d < 5 ? 0 : d < 10 ? 1 : d < 20 ? 2 : d < 40 ? 3 : 4]++;
                long x = i % g.NX, y = i / g.NX % g.NY, z = i / ((long)g.NX * g.NY);
                if (x == 0 || y == 0 || z == 0 || x == g.NX - 1 || y == g.NY - 1 || z == g.NZ - 1) edge++;
            }
            Console.WriteLine($"  missed face voxels by distance to the brain: <5 mm {bins[0]}, 5-10 {bins[1]}, 10-20 {bins[2]}, 20-40 {bins[3]}, >=40 {bins[4]}; on the grid's border {edge}");
        }

        private static long Count(byte[] m, byte[] within)
        {
            long c = 0;
            for (long i = 0; i < m.LongLength; i++) if (m[i] != 0 && (within == null || within[i] != 0)) c++;
            return c;
        }

        /// <summary>"99.71 % (727203/729319)": the share and both counts, so "none" shows as 0, not as a rounded 0.00 %.</summary>
        private static string Pct((long hit, long of) v) =>
            v.of == 0 ? "-" : string.Format(CultureInfo.InvariantCulture, "{0:0.00} % ({1}/{2})", 100.0 * v.hit / v.of, v.hit, v.of);

        private static string F(double v, string f = "0.000") => v.ToString(f, CultureInfo.InvariantCulture);
    }
}
