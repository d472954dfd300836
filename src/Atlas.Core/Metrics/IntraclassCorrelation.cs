using System;
using MathNet.Numerics.Distributions;

namespace Atlas.Core.Metrics
{
    /// <summary>One intraclass correlation with its confidence interval and F test (flat, Export-Csv friendly).</summary>
    public sealed class IccResult
    {
        /// <summary>What was compared, e.g. InterRater (raters as columns) or IntraRater (attempts as columns).</summary>
        public string Analysis { get; set; }
        /// <summary>Which group of measurements (e.g. "Attempt 1" or a rater's name); empty for all.</summary>
        public string Scope { get; set; }
        /// <summary>ICC(2,1) or ICC(3,1) in Shrout &amp; Fleiss's notation.</summary>
        public string Model { get; set; }
        /// <summary>AbsoluteAgreement (two-way random) or Consistency (two-way mixed), McGraw &amp; Wong's names.</summary>
        public string Type { get; set; }
        public double Icc { get; set; }
        public double LowerBound { get; set; }
        public double UpperBound { get; set; }
        public double ConfidenceLevel { get; set; }
        /// <summary>F = BMS / EMS, the test of ICC = 0 (same statistic for both models).</summary>
        public double F { get; set; }
        public double Df1 { get; set; }
        public double Df2 { get; set; }
        public double PValue { get; set; }
        /// <summary>Targets (rows: subjects) with a value from every column.</summary>
        public int Subjects { get; set; }
        /// <summary>Columns (raters or attempts).</summary>
        public int Raters { get; set; }
        public double BetweenSubjectsMeanSquare { get; set; }
        public double BetweenRatersMeanSquare { get; set; }
        public double ResidualMeanSquare { get; set; }

        public override string ToString() =>
            Model + " = " + Icc.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Intraclass correlations of a targets × judges table for single measurements:
    /// Shrout &amp; Fleiss (1979), "Intraclass correlations: uses in assessing rater reliability",
    /// Psychol. Bull. 86(2):420-428, cases 2 and 3; McGraw &amp; Wong (1996), Psychol. Methods 1(1):30-46,
    /// ICC(A,1) and ICC(C,1) (same estimates and intervals). F quantiles from MathNet.Numerics.
    /// </summary>
    public static class IntraclassCorrelation
    {
        /// <summary>
        /// ICC(2,1) (two-way random, absolute agreement) and ICC(3,1) (two-way mixed, consistency)
        /// of <paramref name="table"/>[target, judge] with <paramref name="confidence"/> intervals.
        /// Needs at least 2 targets and 2 judges and no missing values (NaN).
        /// </summary>
        public static IccResult[] Compute(double[,] table, double confidence = 0.95)
        {
            if (table == null) throw new ArgumentNullException(nameof(table));
            if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), "The confidence level lies strictly between 0 and 1.");
            int n = table.GetLength(0), k = table.GetLength(1);
            if (n < 2 || k < 2) throw new ArgumentException("An ICC needs at least 2 subjects and 2 raters; got " + n + " × " + k + ".");

            // Two-way ANOVA without replication.
            double grand = 0;
            var rowMean = new double[n];
            var colMean = new double[k];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                {
                    double x = table[i, j];
                    if (double.IsNaN(x) || double.IsInfinity(x)) throw new ArgumentException("The table has a missing or infinite value at subject " + (i + 1) + ", rater " + (j + 1) + ".");
                    rowMean[i] += x; colMean[j] += x; grand += x;
                }
            grand /= n * k;
            for (int i = 0; i < n; i++) rowMean[i] /= k;
            for (int j = 0; j < k; j++) colMean[j] /= n;
            double ssRows = 0, ssCols = 0, ssTotal = 0;
            for (int i = 0; i < n; i++) ssRows += (rowMean[i] - grand) * (rowMean[i] - grand);
            ssRows *= k;
            for (int j = 0; j < k; j++) ssCols += (colMean[j] - grand) * (colMean[j] - grand);
            ssCols *= n;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                    ssTotal += (table[i, j] - grand) * (table[i, j] - grand);
            double ssError = Math.Max(0, ssTotal - ssRows - ssCols);
            double dfR = n - 1, dfC = k - 1, dfE = (n - 1.0) * (k - 1.0);
            double bms = ssRows / dfR, jms = ssCols / dfC, ems = ssError / dfE;

            double alpha = 1 - confidence;
            double f0 = bms / ems;
            double p = double.IsNaN(f0) ? double.NaN : double.IsPositiveInfinity(f0) ? 0 : 1 - FisherSnedecor.CDF(dfR, dfE, f0);

            // ICC(3,1), consistency: Shrout & Fleiss eq. 12-13 (McGraw & Wong Table 7, ICC(C,1)).
            double icc3 = (bms - ems) / (bms + (k - 1) * ems);
            double fl3 = f0 / Quantile(dfR, dfE, 1 - alpha / 2);
            double fu3 = f0 * Quantile(dfE, dfR, 1 - alpha / 2);
            // No residual at all (EMS = 0): F is infinite and both limits are 1.
            var r3 = ems == 0 && bms > 0
                ? Make("ICC(3,1)", "Consistency", icc3, 1, 1)
                : Make("ICC(3,1)", "Consistency", icc3, (fl3 - 1) / (fl3 + k - 1), (fu3 - 1) / (fu3 + k - 1));

            // ICC(2,1), absolute agreement: Shrout & Fleiss eq. 11 with Satterthwaite's degrees of
            // freedom v for the interval (McGraw & Wong Table 7, ICC(A,1)).
            double icc2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n);
            double fj = jms / ems;
            double a = k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2;
            double v = (k - 1) * (n - 1) * a * a / ((n - 1) * k * k * icc2 * icc2 * fj * fj + Math.Pow(n * (1 + (k - 1) * icc2) - k * icc2, 2));
            if (ems == 0) v = k - 1;   // the limit of v as EMS -> 0 (Fj -> infinity)
            double fStar = Quantile(dfR, v, 1 - alpha / 2);
            double fStar2 = Quantile(v, dfR, 1 - alpha / 2);
            double lo2 = n * (bms - fStar * ems) / (fStar * (k * jms + (k * n - k - n) * ems) + n * bms);
            double hi2 = n * (fStar2 * bms - ems) / (k * jms + (k * n - k - n) * ems + n * fStar2 * bms);
            var r2 = Make("ICC(2,1)", "AbsoluteAgreement", icc2, lo2, hi2);

            IccResult Make(string model, string type, double icc, double lo, double hi) => new IccResult
            {
                Model = model, Type = type, Icc = icc, LowerBound = lo, UpperBound = hi, ConfidenceLevel = confidence,
                F = f0, Df1 = dfR, Df2 = dfE, PValue = p, Subjects = n, Raters = k,
                BetweenSubjectsMeanSquare = bms, BetweenRatersMeanSquare = jms, ResidualMeanSquare = ems,
            };
            return new[] { r2, r3 };
        }

        /// <summary>The F quantile, NaN when the degrees of freedom are not usable (degenerate tables).</summary>
        private static double Quantile(double d1, double d2, double p)
        {
            if (!(d1 > 0) || !(d2 > 0) || double.IsInfinity(d1) || double.IsInfinity(d2)) return double.NaN;
            return FisherSnedecor.InvCDF(d1, d2, p);
        }
    }
}
