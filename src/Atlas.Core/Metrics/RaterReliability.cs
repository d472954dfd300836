using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Atlas.Core.Imaging;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Metrics
{
    /// <summary>One tracing: a rater's mask of a subject at one attempt (the input rows).</summary>
    public sealed class RaterTracing
    {
        public string SubjectId { get; set; }
        public string Rater { get; set; }
        public int Attempt { get; set; } = 1;
        public string MaskPath { get; set; }
        public override string ToString() => SubjectId + "/" + Rater + "/" + Attempt;
    }

    /// <summary>Agreement of two tracings of one subject.</summary>
    public sealed class RaterAgreement
    {
        /// <summary>InterRater (two raters, same attempt) or IntraRater (one rater, attempt against attempt).</summary>
        public string Analysis { get; set; }
        public string SubjectId { get; set; }
        public string RaterA { get; set; }
        public int AttemptA { get; set; }
        public string RaterB { get; set; }
        public int AttemptB { get; set; }
        public double Dice { get; set; }
        public double HausdorffMm { get; set; }
        public double VolumeAMm3 { get; set; }
        public double VolumeBMm3 { get; set; }
        public string MaskPathA { get; set; }
        public string MaskPathB { get; set; }

        public override string ToString() =>
            Analysis + " " + SubjectId + " " + RaterA + "#" + AttemptA + " vs " + RaterB + "#" + AttemptB + " Dice=" + Dice.ToString("0.###", CultureInfo.InvariantCulture);
    }

    /// <summary>Mean ± SD of Dice and Hausdorff over a group of tracings ("All" = pooled over that key).</summary>
    public sealed class RaterAgreementSummary
    {
        public string Analysis { get; set; }
        public string SubjectId { get; set; }
        public string Rater { get; set; }
        public string Attempt { get; set; }
        /// <summary>Values averaged: rater-against-the-rest means (InterRater) or attempt pairs (IntraRater).</summary>
        public int Count { get; set; }
        public double DiceMean { get; set; }
        public double DiceSD { get; set; }
        public double HausdorffMeanMm { get; set; }
        public double HausdorffSDMm { get; set; }

        public override string ToString() =>
            Analysis + " subject=" + SubjectId + " rater=" + Rater + " attempt=" + Attempt + " Dice=" + DiceMean.ToString("0.###", CultureInfo.InvariantCulture) + "±" + DiceSD.ToString("0.###", CultureInfo.InvariantCulture);
    }

    /// <summary>Everything Measure-RaterReliability reports, each part a list of flat rows.</summary>
    public sealed class RaterReliabilityReport
    {
        public RaterAgreementSummary[] Summary { get; set; }
        public IccResult[] Icc { get; set; }
        public RaterAgreement[] Pairs { get; set; }
        public int Subjects { get; set; }
        public int Raters { get; set; }
        public int Tracings { get; set; }

        public override string ToString() => Tracings + " tracings, " + Subjects + " subjects, " + Raters + " raters";
    }

    /// <summary>
    /// The Technical Validation of the ATLAS R1.1 paper: several raters trace the same brains
    /// twice. Inter-rater: within a subject and attempt, every rater's mask against every other
    /// rater's; each rater's score is the mean over the others (each tracer against the rest),
    /// and the summaries are mean ± SD (n − 1) of those scores. Intra-rater: attempt 1 against
    /// attempt 2 of each rater and subject. ICC(2,1) and ICC(3,1) of lesion volumes with raters
    /// (inter) or attempts (intra) as columns; subjects lacking a column are left out of that ICC.
    /// </summary>
    public static class RaterReliability
    {
        public const string Inter = "InterRater";
        public const string Intra = "IntraRater";
        public const string All = "All";

        public static RaterReliabilityReport Compute(IList<RaterTracing> tracings, Func<string, AtlasVolume> load = null,
            double confidence = 0.95, Action<int, int, string> progress = null, CancellationToken cancel = default(CancellationToken))
        {
            if (tracings == null) throw new ArgumentNullException(nameof(tracings));
            load = load ?? (p => NiftiReader.Read(p));
            var rows = new List<RaterTracing>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var t in tracings)
            {
                if (t == null) continue;
                if (string.IsNullOrEmpty(t.SubjectId) || string.IsNullOrEmpty(t.Rater) || string.IsNullOrEmpty(t.MaskPath))
                    throw new ArgumentException("Every tracing needs SubjectId, Rater and MaskPath (" + t + ").");
                if (!seen.Add(t.SubjectId + "\u0001" + t.Rater + "\u0001" + t.Attempt))
                    throw new ArgumentException("Two tracings for subject " + t.SubjectId + ", rater " + t.Rater + ", attempt " + t.Attempt + ".");
                rows.Add(t);
            }
            var subjects = Distinct(rows, t => t.SubjectId);
            var raters = Distinct(rows, t => t.Rater);
            var attempts = new SortedSet<int>();
            foreach (var t in rows) attempts.Add(t.Attempt);

            var pairs = new List<RaterAgreement>();
            var volume = new Dictionary<RaterTracing, double>();
            var options = new OverlapOptions { SkipLesionWise = true };
            int step = 0, steps = subjects.Count * (attempts.Count + raters.Count);

            // Inter-rater: per subject and attempt, all rater pairs.
            foreach (var s in subjects)
                foreach (int a in attempts)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Invoke(step++, steps, "Inter-rater " + s + " attempt " + a);
                    var group = rows.FindAll(t => t.SubjectId == s && t.Attempt == a);
                    // Each mask is read and binarised once for all its pairs.
                    var vols = new AtlasVolume[group.Count];
                    var masks = new byte[group.Count][];
                    for (int i = 0; i < group.Count; i++)
                    {
                        vols[i] = LoadVolume(load, group[i]);
                        masks[i] = vols[i].ToMask();
                        volume[group[i]] = Count(masks[i]) * vols[i].Grid.VoxelVolumeMm3;
                    }
                    for (int i = 0; i < group.Count; i++)
                        for (int j = i + 1; j < group.Count; j++)
                        {
                            cancel.ThrowIfCancellationRequested();
                            GridCheck.RequireSame(vols[i], vols[j], "the reference", "the candidate");
                            var o = OverlapMetrics.Compute(masks[i], masks[j], vols[i].Grid, options);
                            pairs.Add(Pair(Inter, group[i], group[j], o));
                        }
                }

            // Intra-rater: per subject and rater, each attempt against the next.
            foreach (var s in subjects)
                foreach (var r in raters)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Invoke(step++, steps, "Intra-rater " + s + " " + r);
                    var group = rows.FindAll(t => t.SubjectId == s && t.Rater == r);
                    group.Sort((x, y) => x.Attempt.CompareTo(y.Attempt));
                    for (int i = 0; i + 1 < group.Count; i++)
                    {
                        var o = OverlapMetrics.Compute(LoadVolume(load, group[i]), LoadVolume(load, group[i + 1]), options);
                        pairs.Add(Pair(Intra, group[i], group[i + 1], o));
                    }
                }

            var summary = new List<RaterAgreementSummary>();
            // Inter-rater scores: each (subject, attempt, rater) → mean over its pairs.
            var interScores = new List<Score>();
            foreach (var s in subjects)
                foreach (int a in attempts)
                    foreach (var r in raters)
                    {
                        double dice = 0, hd = 0; int n = 0;
                        foreach (var p in pairs)
                        {
                            if (p.Analysis != Inter || p.SubjectId != s || p.AttemptA != a || (p.RaterA != r && p.RaterB != r)) continue;
                            dice += p.Dice; hd += p.HausdorffMm; n++;
                        }
                        if (n > 0) interScores.Add(new Score { Subject = s, Rater = r, Attempt = a.ToString(CultureInfo.InvariantCulture), Dice = dice / n, Hausdorff = hd / n });
                    }
            foreach (var s in subjects)
                foreach (int a in attempts)
                    Add(summary, Inter, s, All, a.ToString(CultureInfo.InvariantCulture), interScores.FindAll(x => x.Subject == s && x.Attempt == a.ToString(CultureInfo.InvariantCulture)));
            foreach (int a in attempts)
                Add(summary, Inter, All, All, a.ToString(CultureInfo.InvariantCulture), interScores.FindAll(x => x.Attempt == a.ToString(CultureInfo.InvariantCulture)));
            if (attempts.Count > 1) Add(summary, Inter, All, All, All, interScores);

            var intraScores = new List<Score>();
            foreach (var p in pairs)
                if (p.Analysis == Intra)
                    intraScores.Add(new Score { Subject = p.SubjectId, Rater = p.RaterA, Attempt = p.AttemptA + "-" + p.AttemptB, Dice = p.Dice, Hausdorff = p.HausdorffMm });
            if (intraScores.Count > 0)
            {
                foreach (var s in subjects) Add(summary, Intra, s, All, All, intraScores.FindAll(x => x.Subject == s));
                foreach (var r in raters) Add(summary, Intra, All, r, All, intraScores.FindAll(x => x.Rater == r));
                Add(summary, Intra, All, All, All, intraScores);
            }

            // ICCs of lesion volumes.
            var icc = new List<IccResult>();
            foreach (var t in rows) if (!volume.ContainsKey(t)) volume[t] = Volume(LoadVolume(load, t));
            foreach (int a in attempts)
                AddIcc(icc, Inter, "Attempt " + a, subjects, raters, (s, r) => Find(rows, s, r, a), volume, confidence);
            var attemptNames = new List<string>();
            foreach (int a in attempts) attemptNames.Add(a.ToString(CultureInfo.InvariantCulture));
            if (attempts.Count > 1)
            {
                foreach (var r in raters)
                    AddIcc(icc, Intra, r, subjects, attemptNames, (s, a) => Find(rows, s, r, int.Parse(a, CultureInfo.InvariantCulture)), volume, confidence);
                // All raters pooled: one row per (subject, rater).
                var targets = new List<string>();
                foreach (var s in subjects) foreach (var r in raters) targets.Add(s + "\u0001" + r);
                AddIcc(icc, Intra, All, targets, attemptNames, (sr, a) =>
                {
                    var parts = sr.Split('\u0001');
                    return Find(rows, parts[0], parts[1], int.Parse(a, CultureInfo.InvariantCulture));
                }, volume, confidence);
            }
            progress?.Invoke(steps, steps, "Done");
            return new RaterReliabilityReport
            {
                Summary = summary.ToArray(), Icc = icc.ToArray(), Pairs = pairs.ToArray(),
                Subjects = subjects.Count, Raters = raters.Count, Tracings = rows.Count,
            };
        }

        private sealed class Score
        {
            public string Subject, Rater, Attempt;
            public double Dice, Hausdorff;
        }

        private static AtlasVolume LoadVolume(Func<string, AtlasVolume> load, RaterTracing t)
        {
            var v = load(t.MaskPath);
            if (v.Path == null) v.Path = t.MaskPath;
            return v;
        }

        private static double Volume(AtlasVolume v) => Count(v.ToMask()) * v.Grid.VoxelVolumeMm3;

        private static long Count(byte[] m)
        {
            long n = 0;
            for (int i = 0; i < m.Length; i++) n += m[i];
            return n;
        }

        private static RaterTracing Find(List<RaterTracing> rows, string s, string r, int a) =>
            rows.Find(t => t.SubjectId == s && t.Rater == r && t.Attempt == a);

        private static List<string> Distinct(List<RaterTracing> rows, Func<RaterTracing, string> key)
        {
            var list = new List<string>();
            var set = new HashSet<string>();
            foreach (var t in rows) if (set.Add(key(t))) list.Add(key(t));
            return list;
        }

        private static RaterAgreement Pair(string analysis, RaterTracing a, RaterTracing b, LesionOverlap o) => new RaterAgreement
        {
            Analysis = analysis, SubjectId = a.SubjectId, RaterA = a.Rater, AttemptA = a.Attempt, RaterB = b.Rater, AttemptB = b.Attempt,
            Dice = o.Dice, HausdorffMm = o.HausdorffMm, VolumeAMm3 = o.ReferenceVolumeMm3, VolumeBMm3 = o.CandidateVolumeMm3,
            MaskPathA = a.MaskPath, MaskPathB = b.MaskPath,
        };

        private static void Add(List<RaterAgreementSummary> list, string analysis, string subject, string rater, string attempt, List<Score> scores)
        {
            if (scores.Count == 0) return;
            var d = new double[scores.Count];
            var h = new double[scores.Count];
            for (int i = 0; i < scores.Count; i++) { d[i] = scores[i].Dice; h[i] = scores[i].Hausdorff; }
            list.Add(new RaterAgreementSummary
            {
                Analysis = analysis, SubjectId = subject, Rater = rater, Attempt = attempt, Count = scores.Count,
                DiceMean = Stats.Mean(d), DiceSD = Stats.SampleSD(d), HausdorffMeanMm = Stats.Mean(h), HausdorffSDMm = Stats.SampleSD(h),
            });
        }

        private static void AddIcc(List<IccResult> list, string analysis, string scope, List<string> targets, List<string> columns,
            Func<string, string, RaterTracing> cell, Dictionary<RaterTracing, double> volume, double confidence)
        {
            if (columns.Count < 2) return;
            var complete = new List<double[]>();
            foreach (var t in targets)
            {
                var row = new double[columns.Count];
                bool ok = true;
                for (int j = 0; j < columns.Count && ok; j++)
                {
                    var tr = cell(t, columns[j]);
                    if (tr == null) ok = false; else row[j] = volume[tr];
                }
                if (ok) complete.Add(row);
            }
            if (complete.Count < 2) return;
            var table = new double[complete.Count, columns.Count];
            for (int i = 0; i < complete.Count; i++)
                for (int j = 0; j < columns.Count; j++) table[i, j] = complete[i][j];
            foreach (var r in IntraclassCorrelation.Compute(table, confidence))
            {
                r.Analysis = analysis; r.Scope = scope;
                list.Add(r);
            }
        }
    }
}
