using System;
using System.Collections.Generic;
using MathNet.Numerics.LinearAlgebra;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>
    /// The verdict on a registration. Thresholds were set on ch2 moved by known affines (bench/RESULTS.md):
    /// a good T1-to-T1 fit gives eta^2 above 0.6 and puts over 98 % of the template brain inside the head;
    /// adult heads differ from a template by well under 25 % in any axis.
    /// </summary>
    public static class RegistrationQuality
    {
        public const double FailEta2 = 0.3, SuspectEta2 = 0.5;
        public const double FailOverlap = 0.85, SuspectOverlap = 0.95;
        public const double FailScaleLow = 0.67, FailScaleHigh = 1.5, SuspectScaleLow = 0.8, SuspectScaleHigh = 1.25;

        /// <summary>Singular values of the linear part of a 4x4 matrix, largest first.</summary>
        public static double[] Scales(double[,] m)
        {
            var a = Matrix<double>.Build.Dense(3, 3, (i, j) => m[i, j]);
            var s = a.Svd(false).S.ToArray();
            Array.Sort(s); Array.Reverse(s);
            return s;
        }

        public static double Determinant(double[,] m) =>
            m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

        /// <summary>Fills Verdict and VerdictReason of a result from its figures.</summary>
        public static void Judge(RegistrationResult r)
        {
            var fail = new List<string>();
            var suspect = new List<string>();
            if (!r.Converged) fail.Add("the optimiser did not converge within its iteration caps");
            if (double.IsNaN(r.FinalCost) || double.IsInfinity(r.FinalCost)) fail.Add("the final cost is not finite (the images do not overlap)");
            if (!(r.Determinant > 0)) fail.Add("the matrix mirrors or collapses the image (determinant " + F(r.Determinant) + ")");
            if (r.Scales != null)
            {
                double hi = r.Scales[0], lo = r.Scales[2];
                if (hi > FailScaleHigh || lo < FailScaleLow) fail.Add("scale factors " + F(lo) + ".." + F(hi) + " are implausible for a head");
                else if (hi > SuspectScaleHigh || lo < SuspectScaleLow) suspect.Add("scale factors " + F(lo) + ".." + F(hi) + " are unusually large");
            }
            if (!(r.BrainOverlap >= FailOverlap)) fail.Add("only " + P(r.BrainOverlap) + " of the template brain lands in the head");
            else if (r.BrainOverlap < SuspectOverlap) suspect.Add(P(r.BrainOverlap) + " of the template brain lands in the head");
            if (!(r.CorrelationRatio >= FailEta2)) fail.Add("the intensities hardly match (eta^2 " + F(r.CorrelationRatio) + ")");
            else if (r.CorrelationRatio < SuspectEta2) suspect.Add("the intensities match weakly (eta^2 " + F(r.CorrelationRatio) + ")");
            if (fail.Count > 0) { r.Verdict = RegistrationVerdict.Failed; fail.AddRange(suspect); r.VerdictReason = string.Join("; ", fail); }
            else if (suspect.Count > 0) { r.Verdict = RegistrationVerdict.Suspect; r.VerdictReason = string.Join("; ", suspect); }
            else { r.Verdict = RegistrationVerdict.Good; r.VerdictReason = ""; }
        }

        private static string F(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        private static string P(double v) => (100 * v).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";
    }
}
