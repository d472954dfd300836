using System;
using System.Threading;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>
    /// Powell's direction-set minimisation (Powell 1964; the Numerical Recipes scheme, as FLIRT uses),
    /// with Brent line searches. Every loop is capped, so a cost that never settles still ends:
    /// <see cref="Converged"/> then says so. Sequential and free of randomness: deterministic.
    /// </summary>
    internal sealed class PowellOptimizer
    {
        private readonly Func<double[], double> _f;
        private readonly int _maxIterations, _maxLineEvaluations;
        private const double Golden = 0.381966011250105;

        public PowellOptimizer(Func<double[], double> f, int maxIterations, int maxLineEvaluations)
        {
            _f = f; _maxIterations = maxIterations; _maxLineEvaluations = maxLineEvaluations;
        }

        public bool Converged { get; private set; }
        public int Iterations { get; private set; }

        /// <summary>Minimises from x (changed in place) with first steps of <paramref name="stepMm"/>; stops when an
        /// iteration moves no parameter by more than <paramref name="toleranceMm"/>. Returns the minimum found.</summary>
        public double Minimize(double[] x, double stepMm, double toleranceMm, CancellationToken token)
        {
            int n = x.Length;
            var dirs = new double[n][];
            for (int i = 0; i < n; i++) { dirs[i] = new double[n]; dirs[i][i] = stepMm; }
            double fx = _f(x);
            Converged = false;
            for (Iterations = 0; Iterations < _maxIterations; )
            {
                token.ThrowIfCancellationRequested();
                Iterations++;
                var start = (double[])x.Clone();
                double fStart = fx, biggestDrop = 0;
                int biggest = 0;
                for (int i = 0; i < n; i++)
                {
                    double before = fx;
                    fx = LineMinimize(x, dirs[i], fx, toleranceMm, token);
                    if (before - fx > biggestDrop) { biggestDrop = before - fx; biggest = i; }
                }
                double move = 0;
                var shift = new double[n];
                for (int i = 0; i < n; i++) { shift[i] = x[i] - start[i]; move = Math.Max(move, Math.Abs(shift[i])); }
                if (move <= toleranceMm || !(fStart - fx > 1e-12 * Math.Abs(fStart))) { Converged = true; break; }
                // Try the net direction of this iteration (Powell's extrapolation test) and, if it pays, replace the best direction by it.
                var extrap = new double[n];
                for (int i = 0; i < n; i++) extrap[i] = 2 * x[i] - start[i];
                double fe = _f(extrap);
                if (fe < fStart)
                {
                    double t = 2 * (fStart - 2 * fx + fe) * Sq(fStart - fx - biggestDrop) - biggestDrop * Sq(fStart - fe);
                    if (t < 0)
                    {
                        fx = LineMinimize(x, shift, fx, toleranceMm, token);
                        dirs[biggest] = dirs[n - 1];
                        dirs[n - 1] = shift;
                    }
                }
            }
            return fx;
        }

        private static double Sq(double v) => v * v;

        /// <summary>Minimises f(x + a d) over a; x is moved to the best point. Bracketing by golden growth, then golden sections.</summary>
        private double LineMinimize(double[] x, double[] d, double fx, double toleranceMm, CancellationToken token)
        {
            double len = 0;
            for (int i = 0; i < d.Length; i++) len = Math.Max(len, Math.Abs(d[i]));
            if (len == 0) return fx;
            double tol = toleranceMm / len;
            int evals = 0;
            var pt = new double[x.Length];
            Func<double, double> g = a =>
            {
                evals++;
                for (int i = 0; i < x.Length; i++) pt[i] = x[i] + a * d[i];
                return _f(pt);
            };
            double a0 = 0, f0 = fx, a1 = 1, f1 = g(a1);
            if (f1 > f0)
            {
                double am = -1, fm = g(am);
                if (fm >= f0)
                {
                    // Minimum between -1 and 1.
                    return Section(x, d, -1, 0, 1, fm, f0, f1, tol, g, ref evals, token);
                }
                a1 = am; f1 = fm;
            }
            // Walk downhill, growing the step, until the cost rises.
            double step = a1 - a0;
            double a2 = a1 + 1.618 * step, f2 = g(a2);
            while (f2 < f1 && evals < _maxLineEvaluations / 2)
            {
                a0 = a1; f0 = f1; a1 = a2; f1 = f2;
                step *= 1.618;
                a2 = a1 + 1.618 * step; f2 = g(a2);
            }
            if (f2 < f1) { Apply(x, d, a2); return f2; } // cap reached while still descending
            return Section(x, d, a0, a1, a2, f0, f1, f2, tol, g, ref evals, token);
        }

        /// <summary>Brent's minimisation in a bracket a, b, c with f(b) lowest (Brent 1973: parabolic steps, golden sections when they fail).</summary>
        private double Section(double[] x, double[] d, double a, double b, double c, double fa, double fb, double fc, double tol,
            Func<double, double> g, ref int evals, CancellationToken token)
        {
            double lo = Math.Min(a, c), hi = Math.Max(a, c);
            double xb = b, w = b, v = b, fx = fb, fw = fb, fv = fb;
            double e = 0, step = 0, tol1 = 0.5 * tol, tol2 = 2 * tol1;
            while (evals < _maxLineEvaluations)
            {
                token.ThrowIfCancellationRequested();
                double xm = 0.5 * (lo + hi);
                if (Math.Abs(xb - xm) <= tol2 - 0.5 * (hi - lo)) break;
                bool golden = true;
                if (Math.Abs(e) > tol1)
                {
                    double r = (xb - w) * (fx - fv), q = (xb - v) * (fx - fw), p = (xb - v) * q - (xb - w) * r;
                    q = 2 * (q - r);
                    if (q > 0) p = -p; else q = -q;
                    double eOld = e;
                    e = step;
                    if (!(Math.Abs(p) >= Math.Abs(0.5 * q * eOld) || p <= q * (lo - xb) || p >= q * (hi - xb)))
                    {
                        step = p / q;
                        double u0 = xb + step;
                        if (u0 - lo < tol2 || hi - u0 < tol2) step = xm >= xb ? tol1 : -tol1;
                        golden = false;
                    }
                }
                if (golden) { e = xb >= xm ? lo - xb : hi - xb; step = Golden * e; }
                double u = Math.Abs(step) >= tol1 ? xb + step : xb + (step >= 0 ? tol1 : -tol1);
                double fu = g(u);
                if (fu <= fx)
                {
                    if (u >= xb) lo = xb; else hi = xb;
                    v = w; fv = fw; w = xb; fw = fx; xb = u; fx = fu;
                }
                else
                {
                    if (u < xb) lo = u; else hi = u;
                    if (fu <= fw || w == xb) { v = w; fv = fw; w = u; fw = fu; }
                    else if (fu <= fv || v == xb || v == w) { v = u; fv = fu; }
                }
            }
            if (fx <= fa && fx <= fc) { Apply(x, d, xb); return fx; }
            if (fa <= fc) { Apply(x, d, a); return fa; }
            Apply(x, d, c); return fc;
        }

        private static void Apply(double[] x, double[] d, double a)
        {
            for (int i = 0; i < x.Length; i++) x[i] += a * d[i];
        }
    }
}
