using System;
using System.Collections.Generic;
using Atlas.Core.Metrics;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Metrics
{
    public class IntraclassCorrelationTests
    {
        // Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Their Table 4 gives
        // ICC(2,1) = .29 and ICC(3,1) = .71; the ANOVA of Table 3: BMS 11.24, JMS 32.49, EMS 1.02.
        private static readonly double[,] ShroutFleiss =
        {
            { 9, 2, 5, 8 },
            { 6, 1, 3, 2 },
            { 8, 4, 6, 8 },
            { 7, 1, 2, 6 },
            { 10, 5, 6, 9 },
            { 6, 2, 4, 7 },
        };

        [Fact]
        public void ShroutFleissTable()
        {
            var r = IntraclassCorrelation.Compute(ShroutFleiss);
            var icc2 = r[0]; var icc3 = r[1];
            Assert.Equal("ICC(2,1)", icc2.Model);
            Assert.Equal("ICC(3,1)", icc3.Model);
            Assert.Equal(0.29, Math.Round(icc2.Icc, 2));
            Assert.Equal(0.71, Math.Round(icc3.Icc, 2));
            Assert.Equal(11.24, Math.Round(icc2.BetweenSubjectsMeanSquare, 2));
            Assert.Equal(32.49, Math.Round(icc2.BetweenRatersMeanSquare, 2));
            Assert.Equal(1.02, Math.Round(icc2.ResidualMeanSquare, 2));

            // Hand computation (exact fractions of the table): BMS = 1349/120, JMS = 2339/72,
            // EMS = 367/360; ICC(3,1) = (BMS-EMS)/(BMS+3 EMS) = 0.714840714840715,
            // ICC(2,1) = (BMS-EMS)/(BMS+3 EMS+4(JMS-EMS)/6) = 0.289763779527559.
            Assert.Equal(0.714840714840715, icc3.Icc, 12);
            Assert.Equal(0.289763779527559, icc2.Icc, 12);
            Assert.Equal(11.027247956403299, icc3.F, 10);
            Assert.Equal(5, icc3.Df1);
            Assert.Equal(15, icc3.Df2);

            // 95 % intervals worked by hand from the formulas of Shrout & Fleiss (ICC(3,1): eq. 13 with
            // F(.975; 5, 15) = 3.5764 and F(.975; 15, 5) = 6.4277; ICC(2,1): Satterthwaite v = 4.785,
            // F(.975; 5, 4.785) and F(.975; 4.785, 5)) using scipy.stats.f.ppf for the quantiles:
            //   /usr/bin/python3 -c "from scipy.stats import f; ..." (scipy 1.10.1), which gives
            //   ICC(3,1) [0.342464765033926, 0.945858259955360], ICC(2,1) [0.018786513374712, 0.761084369648953],
            //   p = 0.000134566516484. psych::ICC prints the same rounded: ICC2 .019-.76, ICC3 .34-.95.
            Assert.Equal(0.342464765033926, icc3.LowerBound, 8);
            Assert.Equal(0.945858259955360, icc3.UpperBound, 8);
            Assert.Equal(0.018786513374712, icc2.LowerBound, 8);
            Assert.Equal(0.761084369648953, icc2.UpperBound, 8);
            Assert.Equal(0.000134566516484, icc3.PValue, 10);
        }

        [Fact]
        public void PerfectAgreementWithAConstantOffset()
        {
            // Judge 2 = judge 1 + 10: consistency is perfect (ICC(3,1) = 1, EMS = 0) while absolute
            // agreement is not: BMS = 2*var(1,2,3,4) = 10/3, JMS = 4*(2*25)/1 = 200... worked below.
            var t = new double[,] { { 1, 11 }, { 2, 12 }, { 3, 13 }, { 4, 14 } };
            var r = IntraclassCorrelation.Compute(t);
            Assert.Equal(1, r[1].Icc, 12);
            Assert.Equal(1, r[1].LowerBound);        // EMS = 0: F is infinite, the interval shrinks to [1, 1]
            Assert.Equal(1, r[1].UpperBound);
            // BMS = 2 * (sum (m_i - 7.5)^2) / 3 with row means 6..9 = 2*5/3; JMS = 4*(25+25)/1 = 200; EMS = 0.
            // ICC(2,1) = BMS / (BMS + 2*JMS/4) = (10/3) / (10/3 + 100) = 1/31.
            Assert.Equal(1.0 / 31, r[0].Icc, 12);
        }

        [Fact]
        public void RejectsTooSmallOrMissing()
        {
            Assert.Throws<ArgumentException>(() => IntraclassCorrelation.Compute(new double[1, 3]));
            Assert.Throws<ArgumentException>(() => IntraclassCorrelation.Compute(new double[,] { { 1, double.NaN }, { 2, 3 } }));
        }
    }

    public class RaterReliabilityTests
    {
        [Fact]
        public void ThreeRatersTwoAttempts()
        {
            // In-memory masks on a 14x8x8 grid: 4x4x4 cubes shifted along i.
            // Subject s1: raters A, B, C traced cubes at i0 = 2, 3, 4 (attempt 1) and 2, 3, 3 (attempt 2).
            // Dice of cubes shifted by 1 = 0.75, by 2 = 0.5, by 0 = 1.
            var g = Grid.Create(14, 8, 8);
            var masks = new Dictionary<string, AtlasVolume>();
            var rows = new List<RaterTracing>();
            void Add(string s, string r, int a, int i0, int size = 4)
            {
                string key = s + r + a;
                var v = AtlasVolume.FromMask(g, MetricShapes.Box(g, i0, i0 + 3, 2, 5, 2, 1 + size));
                masks[key] = v;
                rows.Add(new RaterTracing { SubjectId = s, Rater = r, Attempt = a, MaskPath = key });
            }
            Add("s1", "A", 1, 2); Add("s1", "B", 1, 3); Add("s1", "C", 1, 4);
            Add("s1", "A", 2, 2); Add("s1", "B", 2, 3); Add("s1", "C", 2, 3);
            // Subject s2: cubes of depth 2, 3, 4 slices (volumes 32, 48, 64) at the same place, both attempts.
            Add("s2", "A", 1, 2, 2); Add("s2", "B", 1, 2, 3); Add("s2", "C", 1, 2, 4);
            Add("s2", "A", 2, 2, 2); Add("s2", "B", 2, 2, 3); Add("s2", "C", 2, 2, 4);

            var rep = RaterReliability.Compute(rows, p => masks[p]);
            Assert.Equal(2, rep.Subjects);
            Assert.Equal(3, rep.Raters);
            Assert.Equal(2 * 2 * 3 + 2 * 3, rep.Pairs.Length);   // 3 rater pairs per subject-attempt, 1 attempt pair per subject-rater

            // s1, attempt 1: AB 0.75, AC 0.5, BC 0.75 -> rater means A 0.625, B 0.75, C 0.625;
            // mean 2/3, SD sqrt((2*(1/24)^2 + (1/12)^2)/2) = sqrt(3/576)... = 0.0721687836.
            var s1a1 = Find(rep, RaterReliability.Inter, "s1", "All", "1");
            Assert.Equal(3, s1a1.Count);
            Assert.Equal(2.0 / 3, s1a1.DiceMean, 12);
            Assert.Equal(Math.Sqrt(3.0 / 576), s1a1.DiceSD, 12);
            // Hausdorff of cubes shifted by 1 and 2 voxels: 1 and 2 mm -> means A 1.5, B 1, C 1.5.
            Assert.Equal(4.0 / 3, s1a1.HausdorffMeanMm, 12);

            // s2: Dice(2 vs 3 slices) = 64/80 = 0.8, (2 vs 4) = 64/96, (3 vs 4) = 96/112.
            var s2a1 = Find(rep, RaterReliability.Inter, "s2", "All", "1");
            double ab = 0.8, ac = 64.0 / 96, bc = 96.0 / 112;
            Assert.Equal(((ab + ac) / 2 + (ab + bc) / 2 + (ac + bc) / 2) / 3, s2a1.DiceMean, 12);

            // Intra-rater: s1 A 1, B 1, C 0.75 (cube moved by one voxel); s2 all 1.
            var intraC = Find(rep, RaterReliability.Intra, "All", "C", "All");
            Assert.Equal(2, intraC.Count);
            Assert.Equal((0.75 + 1) / 2, intraC.DiceMean, 12);
            Assert.Equal(Math.Sqrt(2 * 0.125 * 0.125), intraC.DiceSD, 12);
            var intraAll = Find(rep, RaterReliability.Intra, "All", "All", "All");
            Assert.Equal(6, intraAll.Count);
            Assert.Equal(5.75 / 6, intraAll.DiceMean, 12);

            // ICC of volumes, attempt 1, raters as columns: s1 = 64,64,64; s2 = 32,48,64.
            var icc = Array.Find(rep.Icc, r => r.Analysis == RaterReliability.Inter && r.Scope == "Attempt 1" && r.Model == "ICC(3,1)");
            var expected = IntraclassCorrelation.Compute(new double[,] { { 64, 64, 64 }, { 32, 48, 64 } })[1];
            Assert.Equal(expected.Icc, icc.Icc, 12);
            Assert.Equal(2, icc.Subjects);
            Assert.Equal(3, icc.Raters);
            // Intra-rater, all raters pooled: 6 (subject, rater) rows x 2 attempts; every volume repeats
            // exactly, so EMS = 0 and both ICCs are 1.
            var pooled = Array.FindAll(rep.Icc, r => r.Analysis == RaterReliability.Intra && r.Scope == "All");
            Assert.Equal(2, pooled.Length);
            Assert.Equal(6, pooled[0].Subjects);
            Assert.Equal(1, pooled[0].Icc, 12);
        }

        [Fact]
        public void DuplicateTracingIsRejected()
        {
            var rows = new List<RaterTracing>
            {
                new RaterTracing { SubjectId = "s", Rater = "A", Attempt = 1, MaskPath = "x" },
                new RaterTracing { SubjectId = "s", Rater = "A", Attempt = 1, MaskPath = "y" },
            };
            var e = Assert.Throws<ArgumentException>(() => RaterReliability.Compute(rows, p => null));
            Assert.Contains("rater A", e.Message);
        }

        private static RaterAgreementSummary Find(RaterReliabilityReport r, string analysis, string subject, string rater, string attempt) =>
            Array.Find(r.Summary, s => s.Analysis == analysis && s.SubjectId == subject && s.Rater == rater && s.Attempt == attempt);
    }
}
