using System;
using Atlas.Core.Intensity;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Intensity
{
    public class BSplineAndOtsuTests
    {
        [Fact]
        public void CubicWeightsAreTheUniformBSplineValues()
        {
            // At a knot the cubic B-spline is (1/6, 4/6, 1/6, 0); at mid-span (1/48, 23/48, 23/48, 1/48).
            BSplineLattice.Weights(0, out var a, out var b, out var c, out var d);
            Assert.Equal(new[] { 1 / 6.0, 4 / 6.0, 1 / 6.0, 0 }, new[] { a, b, c, d }, new Tol(1e-15));
            BSplineLattice.Weights(0.5, out a, out b, out c, out d);
            Assert.Equal(new[] { 1 / 48.0, 23 / 48.0, 23 / 48.0, 1 / 48.0 }, new[] { a, b, c, d }, new Tol(1e-15));
        }

        [Fact]
        public void ALatticeOfOneValueIsThatConstant()
        {
            var lat = new BSplineLattice(new[] { 2, 1, 3 }, new double[] { 9, 9, 9 });
            for (int i = 0; i < lat.Coefficients.Length; i++) lat.Coefficients[i] = 2.5;
            var p = new[] { new double[] { 0, 3.3, 9 }, new double[] { 0, 9 }, new double[] { 4.5 } };
            foreach (var v in lat.Evaluate(p)) Assert.Equal(2.5, v, 12);
        }

        [Fact]
        public void RefinementKeepsTheSplineExactly()
        {
            var rng = new Random(3);
            var lat = new BSplineLattice(new[] { 1, 2, 3 }, new double[] { 20, 17, 11 });
            for (int i = 0; i < lat.Coefficients.Length; i++) lat.Coefficients[i] = rng.NextDouble() * 2 - 1;
            var fine = lat.Refine();
            Assert.Equal(new[] { 2, 4, 6 }, fine.Spans);
            var p = new double[3][];
            for (int d = 0; d < 3; d++)
            {
                p[d] = new double[13];
                for (int i = 0; i < 13; i++) p[d][i] = lat.DomainMax[d] * i / 12.0;
            }
            var a = lat.Evaluate(p);
            var b = fine.Evaluate(p);
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-12, a[i] + " vs " + b[i]);
        }

        [Fact]
        public void OnePointIsInterpolatedExactly()
        {
            // Lee et al.: with one point, every control point it touches gets φ_c = w_c z / Σw², so the spline there
            // is Σ w_c φ_c = z Σw_c² / Σw² = z.
            var p = new[] { new double[] { 0, 4.2, 10 }, new double[] { 1.5, 7 }, new double[] { 3.3 } };
            var z = new double[6];
            var inc = new byte[6];
            z[1] = 0.8; inc[1] = 1; // the point (4.2, 1.5, 3.3)
            var fit = BSplineLattice.Fit(new[] { 2, 1, 1 }, new double[] { 10, 10, 10 }, p, z, inc);
            var back = fit.Evaluate(new[] { new double[] { 4.2 }, new double[] { 1.5 }, new double[] { 3.3 } });
            Assert.True(Math.Abs(back[0] - 0.8) < 1e-12, "spline at the point " + back[0]);
        }

        [Fact]
        public void IteratedFitsOfTheResidualApproachSmoothData()
        {
            // N4 adds the fit of each residual to the lattice: on data from a spline of the lattice the error shrinks.
            var truth = new BSplineLattice(new[] { 1, 1, 1 }, new double[] { 30, 30, 30 });
            var rng = new Random(5);
            for (int i = 0; i < truth.Coefficients.Length; i++) truth.Coefficients[i] = rng.NextDouble();
            var p = new double[3][];
            for (int d = 0; d < 3; d++) { p[d] = new double[31]; for (int i = 0; i <= 30; i++) p[d][i] = i; }
            var z = truth.Evaluate(p);
            var inc = new byte[z.Length];
            for (int i = 0; i < inc.Length; i++) inc[i] = 1;
            var acc = new BSplineLattice(truth.Spans, truth.DomainMax);
            double first = 0, last = 0;
            for (int it = 1; it <= 40; it++)
            {
                var cur = acc.Evaluate(p);
                var res = new double[z.Length];
                for (int i = 0; i < z.Length; i++) res[i] = z[i] - cur[i];
                acc.Add(BSplineLattice.Fit(truth.Spans, truth.DomainMax, p, res, inc));
                var back = acc.Evaluate(p);
                double e = 0;
                for (int i = 0; i < z.Length; i++) e = Math.Max(e, Math.Abs(back[i] - z[i]));
                if (it == 1) first = e;
                Assert.True(e <= (it == 1 ? double.MaxValue : last) + 1e-12, "error rose at iteration " + it);
                last = e;
            }
            Assert.True(last < 0.4 * first, "error " + first + " -> " + last);
        }

        [Fact]
        public void OtsuSplitOfABimodalHistogramWorkedByHand()
        {
            // Counts 5,10,5 on bins 1..3 and 3,6,3 on bins 6..8. Cut after bin 3: w0 = 20, μ0 = 2, w1 = 12, μ1 = 7,
            // ω0ω1(μ0 − μ1)² = 20·12·25 = 6000; after bin 2: 15·17·(25/15 − 99/17)² ≈ 4406, lower. Bins 4 and 5 are
            // empty, so cutting after them ties with bin 3: the first best cut is kept.
            var counts = new double[] { 0, 5, 10, 5, 0, 0, 3, 6, 3, 0 };
            var centres = new double[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
            Assert.Equal(3, OtsuThreshold.SplitBin(counts, centres));
        }

        [Fact]
        public void OtsuThresholdOfValuesSeparatesTheTwoClasses()
        {
            var v = new float[32];
            int n = 0;
            foreach (var (value, count) in new[] { (1f, 5), (2f, 10), (3f, 5), (6f, 3), (7f, 6), (8f, 3) })
                for (int i = 0; i < count; i++) v[n++] = value;
            double t = OtsuThreshold.Of(v, null, 7);
            Assert.InRange(t, 3.0, 6.0);
            int above = 0;
            foreach (var x in v) if (x > t) above++;
            Assert.Equal(12, above);
        }

        [Fact]
        public void DilationGrowsByTheRadiusInMillimetres()
        {
            var grid = Grid.Create(21, 21, 5, 1, 1, 2);
            var m = new byte[grid.VoxelCount];
            m[grid.Index(10, 10, 2)] = 1;
            var d = IntensityMasks.Dilate(m, grid, 3);
            // In-plane a disc of radius 3 voxels (29 voxels), one slice up or down (2 mm) a disc of radius √5 (21 voxels).
            int c2 = 0, c1 = 0, c0 = 0;
            for (int j = 0; j < 21; j++) for (int i = 0; i < 21; i++) { c2 += d[grid.Index(i, j, 2)]; c1 += d[grid.Index(i, j, 1)]; c0 += d[grid.Index(i, j, 0)]; }
            Assert.Equal(29, c2);
            Assert.Equal(21, c1);
            Assert.Equal(0, c0);
        }

        private sealed class Tol : System.Collections.Generic.IEqualityComparer<double>
        {
            private readonly double _t;
            public Tol(double t) { _t = t; }
            public bool Equals(double a, double b) => Math.Abs(a - b) <= _t;
            public int GetHashCode(double x) => 0;
        }
    }
}
