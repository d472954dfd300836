using System;
using System.Threading.Tasks;

namespace Atlas.Core.Intensity
{
    /// <summary>
    /// A uniform cubic B-spline over a 3D box of voxel positions: control points (spans + 3 per axis),
    /// stored x fastest. Coordinates are in voxel index units of the full-resolution image, the domain of
    /// axis d being [0, n_d − 1], divided into equal spans (as ITK's B-spline filters divide the image's
    /// physical extent). Control point c (0-based) has its basis function centred on knot c − 1.
    /// Fitting is Lee, Wolberg &amp; Shin's B-spline approximation ("Scattered data interpolation with
    /// multilevel B-splines", IEEE TVCG 3(3), 1997), which ITK's BSplineScatteredDataPointSetToImageFilter
    /// implements; on the points of a regular grid its sums factor over the axes, so it is computed here
    /// one axis at a time (a few multiply-adds per voxel) instead of per point and 64 control points.
    /// </summary>
    public sealed class BSplineLattice
    {
        public BSplineLattice(int[] spans, double[] domainMax)
        {
            Spans = (int[])spans.Clone();
            DomainMax = (double[])domainMax.Clone();
            for (int d = 0; d < 3; d++) if (Spans[d] < 1) throw new ArgumentException("Every axis needs at least one span.");
            Coefficients = new double[(long)Count(0) * Count(1) * Count(2)];
        }

        /// <summary>Spans per axis (control points = spans + 3).</summary>
        public int[] Spans { get; }
        /// <summary>Largest coordinate of the domain per axis (n − 1 of the full-resolution image).</summary>
        public double[] DomainMax { get; }
        public double[] Coefficients { get; private set; }
        public int Count(int axis) => Spans[axis] + 3;

        /// <summary>The four cubic B-spline weights at fraction u of a span.</summary>
        public static void Weights(double u, out double b0, out double b1, out double b2, out double b3)
        {
            double u2 = u * u, u3 = u2 * u, v = 1 - u;
            b0 = v * v * v / 6;
            b1 = (3 * u3 - 6 * u2 + 4) / 6;
            b2 = (-3 * u3 + 3 * u2 + 3 * u + 1) / 6;
            b3 = u3 / 6;
        }

        /// <summary>The first control point and the four weights of each position along one axis.</summary>
        internal void AxisWeights(int axis, double[] positions, out int[] first, out double[] w)
        {
            int m = Spans[axis];
            double scale = DomainMax[axis] > 0 ? m / DomainMax[axis] : 0;
            first = new int[positions.Length];
            w = new double[positions.Length * 4];
            for (int i = 0; i < positions.Length; i++)
            {
                double t = positions[i] * scale;
                if (t < 0) t = 0;
                int s = (int)Math.Floor(t);
                if (s >= m) s = m - 1; // the domain's last point belongs to the last span
                double u = t - s;
                if (u > 1) u = 1;
                first[i] = s;
                Weights(u, out w[4 * i], out w[4 * i + 1], out w[4 * i + 2], out w[4 * i + 3]);
            }
        }

        /// <summary>
        /// Fits the lattice to values on a grid of sample positions (one list per axis) where
        /// <paramref name="include"/> is non-zero: each point spreads φ_p = w_c z_p / Σ w² to its
        /// control points, which average them with weights w_c² (Lee et al., eq. 5 and 7).
        /// </summary>
        public static BSplineLattice Fit(int[] spans, double[] domainMax, double[][] positions, double[] values, byte[] include)
        {
            var lat = new BSplineLattice(spans, domainMax);
            int[] n = { positions[0].Length, positions[1].Length, positions[2].Length };
            var first = new int[3][];
            var num = new double[3][];
            var den = new double[3][];
            for (int d = 0; d < 3; d++)
            {
                lat.AxisWeights(d, positions[d], out first[d], out var w);
                // Per axis: numerator weights B³/ΣB² and denominator weights B², since w_c = Πd B and Σ w² = Πd ΣB².
                num[d] = new double[w.Length];
                den[d] = new double[w.Length];
                for (int i = 0; i < n[d]; i++)
                {
                    double s2 = 0;
                    for (int a = 0; a < 4; a++) s2 += w[4 * i + a] * w[4 * i + a];
                    for (int a = 0; a < 4; a++)
                    {
                        double b = w[4 * i + a];
                        num[d][4 * i + a] = b * b * b / s2;
                        den[d][4 * i + a] = b * b;
                    }
                }
            }
            long total = (long)n[0] * n[1] * n[2];
            var z = new double[total];
            var m = new double[total];
            for (long p = 0; p < total; p++)
            {
                if (include[p] == 0) continue;
                z[p] = values[p];
                m[p] = 1;
            }
            var dims = (int[])n.Clone();
            var dimsM = (int[])n.Clone();
            for (int d = 0; d < 3; d++)
            {
                z = Scatter(z, dims, d, lat.Count(d), first[d], num[d]);
                m = Scatter(m, dimsM, d, lat.Count(d), first[d], den[d]);
                dims[d] = lat.Count(d);
                dimsM[d] = lat.Count(d);
            }
            var c = lat.Coefficients;
            for (int i = 0; i < c.Length; i++) c[i] = m[i] > 0 ? z[i] / m[i] : 0;
            return lat;
        }

        /// <summary>The spline at every point of a grid of positions (one list per axis), x fastest.</summary>
        public double[] Evaluate(double[][] positions)
        {
            var dims = new[] { Count(0), Count(1), Count(2) };
            var v = Coefficients;
            // z first, x last: the largest pass then runs along contiguous memory.
            for (int d = 2; d >= 0; d--)
            {
                AxisWeights(d, positions[d], out var first, out var w);
                v = Gather(v, dims, d, first, w);
                dims[d] = positions[d].Length;
            }
            return v;
        }

        /// <summary>As <see cref="Evaluate"/>, as float32 (the full-resolution field).</summary>
        public float[] EvaluateFloat(double[][] positions)
        {
            var v = Evaluate(positions);
            var f = new float[v.Length];
            for (long i = 0; i < v.LongLength; i++) f[i] = (float)v[i];
            return f;
        }

        /// <summary>Adds another lattice of the same shape.</summary>
        public void Add(BSplineLattice other)
        {
            for (int d = 0; d < 3; d++) if (other.Spans[d] != Spans[d]) throw new ArgumentException("Lattices differ in shape.");
            var c = Coefficients; var o = other.Coefficients;
            for (int i = 0; i < c.Length; i++) c[i] += o[i];
        }

        /// <summary>
        /// The same spline on twice the spans per axis (exact). Cubic B-spline subdivision: with coarse
        /// point c_i on knot i − 1, the fine point on coarse knot i − 1 is (c_{i−1} + 6c_i + c_{i+1})/8 and
        /// the one midway to knot i is (c_i + c_{i+1})/2 (Lee et al. 1997, §4; ITK's RefineControlPointLattice).
        /// </summary>
        public BSplineLattice Refine()
        {
            var dims = new[] { Count(0), Count(1), Count(2) };
            var v = Coefficients;
            var spans2 = new int[3];
            for (int d = 0; d < 3; d++)
            {
                spans2[d] = 2 * Spans[d];
                v = RefineAxis(v, dims, d);
                dims[d] = spans2[d] + 3;
            }
            var r = new BSplineLattice(spans2, DomainMax);
            r.Coefficients = v;
            return r;
        }

        // ------------------------------------------------------------------ axis passes

        // Lines along one axis of an array stored x fastest: the offset of line l's first element and the stride.
        private static void Line(int[] dims, int axis, long l, out long start, out long stride)
        {
            switch (axis)
            {
                case 0: start = l * dims[0]; stride = 1; break;
                case 1: { long i0 = l % dims[0], i2 = l / dims[0]; start = i0 + (long)dims[0] * dims[1] * i2; stride = dims[0]; break; }
                default: start = l; stride = (long)dims[0] * dims[1]; break;
            }
        }

        private static long LineCount(int[] dims, int axis) => (long)dims[0] * dims[1] * dims[2] / dims[axis];

        // out[c] = Σ_i src[i] w[i, c − first[i]] along one axis (the transpose of Gather).
        private static double[] Scatter(double[] src, int[] dims, int axis, int outLen, int[] first, double[] w)
        {
            var outDims = (int[])dims.Clone();
            outDims[axis] = outLen;
            var dst = new double[(long)outDims[0] * outDims[1] * outDims[2]];
            long lines = LineCount(dims, axis);
            int n = dims[axis];
            Parallel.For(0L, lines, l =>
            {
                Line(dims, axis, l, out long s0, out long st0);
                Line(outDims, axis, l, out long s1, out long st1);
                for (int i = 0; i < n; i++)
                {
                    double x = src[s0 + i * st0];
                    if (x == 0) continue;
                    long o = s1 + first[i] * st1;
                    dst[o] += x * w[4 * i];
                    dst[o + st1] += x * w[4 * i + 1];
                    dst[o + 2 * st1] += x * w[4 * i + 2];
                    dst[o + 3 * st1] += x * w[4 * i + 3];
                }
            });
            return dst;
        }

        // out[i] = Σ_a src[first[i] + a] w[i, a] along one axis.
        private static double[] Gather(double[] src, int[] dims, int axis, int[] first, double[] w)
        {
            var outDims = (int[])dims.Clone();
            outDims[axis] = first.Length;
            var dst = new double[(long)outDims[0] * outDims[1] * outDims[2]];
            long lines = LineCount(dims, axis);
            int n = first.Length;
            Parallel.For(0L, lines, l =>
            {
                Line(dims, axis, l, out long s0, out long st0);
                Line(outDims, axis, l, out long s1, out long st1);
                for (int i = 0; i < n; i++)
                {
                    long o = s0 + first[i] * st0;
                    dst[s1 + i * st1] = src[o] * w[4 * i] + src[o + st0] * w[4 * i + 1] + src[o + 2 * st0] * w[4 * i + 2] + src[o + 3 * st0] * w[4 * i + 3];
                }
            });
            return dst;
        }

        private static double[] RefineAxis(double[] src, int[] dims, int axis)
        {
            int nc = dims[axis], nf = 2 * (nc - 3) + 3;
            var outDims = (int[])dims.Clone();
            outDims[axis] = nf;
            var dst = new double[(long)outDims[0] * outDims[1] * outDims[2]];
            long lines = LineCount(dims, axis);
            for (long l = 0; l < lines; l++)
            {
                Line(dims, axis, l, out long s0, out long st0);
                Line(outDims, axis, l, out long s1, out long st1);
                for (int j = 0; j < nf; j++)
                {
                    double v;
                    if ((j & 1) == 0) { int i = j / 2; v = (src[s0 + i * st0] + src[s0 + (i + 1) * st0]) / 2; }
                    else { int i = (j + 1) / 2; v = (src[s0 + (i - 1) * st0] + 6 * src[s0 + i * st0] + src[s0 + (i + 1) * st0]) / 8; }
                    dst[s1 + j * st1] = v;
                }
            }
            return dst;
        }
    }
}
