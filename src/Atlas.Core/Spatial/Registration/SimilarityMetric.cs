using System;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>The template points one pyramid level evaluates the cost on: world mm, value, bin.</summary>
    internal sealed class SamplePoints
    {
        public float[] X, Y, Z, Value;
        public int[] Bin;
        public int Count;
        public int Bins;

        /// <summary>
        /// For the correlation ratio with an intensity field: <see cref="K"/> polynomial terms of each point's position (0 = no
        /// field), and their sums over all points per bin (Bins x K) and of their products (K x K), so an evaluation only adds
        /// the points that are missing (outside the moving image or left out).
        /// </summary>
        public int K;
        public double FieldX, FieldY, FieldZ, FieldScale;
        public double[] FullA, FullG;

        /// <summary>The terms of a polynomial of order 1 (x, y, z) or 2 (and x^2, y^2, z^2, xy, xz, yz) of the position about the points' centre, in units of their RMS radius.</summary>
        public void AddField(int order)
        {
            if (order <= 0) return;
            K = order == 1 ? 3 : 9;
            double cx = 0, cy = 0, cz = 0;
            for (int p = 0; p < Count; p++) { cx += X[p]; cy += Y[p]; cz += Z[p]; }
            cx /= Count; cy /= Count; cz /= Count;
            double r2 = 0;
            for (int p = 0; p < Count; p++) r2 += (X[p] - cx) * (X[p] - cx) + (Y[p] - cy) * (Y[p] - cy) + (Z[p] - cz) * (Z[p] - cz);
            FieldX = cx; FieldY = cy; FieldZ = cz;
            FieldScale = r2 > 0 ? 1 / Math.Sqrt(r2 / Count) : 1;
            FullA = new double[Bins * K];
            FullG = new double[K * K];
            var t = new double[K];
            for (int p = 0; p < Count; p++)
            {
                Terms(p, t);
                int a = Bin[p] * K;
                for (int k = 0; k < K; k++)
                {
                    FullA[a + k] += t[k];
                    for (int l = 0; l < K; l++) FullG[k * K + l] += t[k] * t[l];
                }
            }
        }

        /// <summary>The field terms of point p (the evaluation computes the same expressions inline).</summary>
        public void Terms(int p, double[] t)
        {
            double dx = (X[p] - FieldX) * FieldScale, dy = (Y[p] - FieldY) * FieldScale, dz = (Z[p] - FieldZ) * FieldScale;
            t[0] = dx; t[1] = dy; t[2] = dz;
            if (K == 9) { t[3] = dx * dx; t[4] = dy * dy; t[5] = dz * dz; t[6] = dx * dy; t[7] = dx * dz; t[8] = dy * dz; }
        }
    }

    /// <summary>
    /// A cost over fixed sample points and a moving level image. Work is split into chunks of a fixed
    /// number of points (never by core count); each chunk fills its own partial sums and the partials are
    /// added in chunk order, so the cost has the same bits whatever the parallelism.
    /// </summary>
    internal sealed class SimilarityMetric
    {
        public const int ChunkPoints = 8192;
        public const int MovingBins = 32;

        private readonly SamplePoints _pts;
        private readonly LevelImage _moving;
        private readonly LevelImage _exclude; // dilated lesion on the moving grid (0..1), or null (also when it is all 0)
        private readonly RegistrationCost _cost;
        private readonly double _movingLo, _movingScale;
        private readonly int _accLen;
        private readonly int _chunks;
        private readonly double[] _partials;

        // Moving voxel coordinates outside which the exclusion is 0 (its non-zero box grown by one voxel): no lookup there.
        private readonly double _ex0, _ey0, _ez0, _ex1, _ey1, _ez1;

        public SimilarityMetric(SamplePoints pts, LevelImage moving, LevelImage exclude, RegistrationCost cost, double movingLo, double movingHi)
        {
            _pts = pts; _moving = moving; _cost = cost;
            var box = exclude?.NonZeroBox();
            _exclude = box == null ? null : exclude;
            if (box != null) { _ex0 = box[0] - 1; _ey0 = box[1] - 1; _ez0 = box[2] - 1; _ex1 = box[3] + 1; _ey1 = box[4] + 1; _ez1 = box[5] + 1; }
            _movingLo = movingLo;
            _movingScale = movingHi > movingLo ? (MovingBins - 1) / (movingHi - movingLo) : 1;
            switch (cost)
            {
                case RegistrationCost.CorrelationRatio: _accLen = 3 * pts.Bins + (pts.K + pts.Bins * pts.K + pts.K * pts.K); break;
                case RegistrationCost.MutualInformation: _accLen = pts.Bins * MovingBins; break;
                default: _accLen = 6; break;
            }
            _chunks = (pts.Count + ChunkPoints - 1) / ChunkPoints;
            _partials = new double[_chunks * _accLen];
        }

        public int Evaluations { get; private set; }

        /// <summary>Weight of the points that landed in the moving image (outside the excluded region) at the last evaluation.</summary>
        public double LastWeight { get; private set; }

        /// <summary>The cost of a fixed-to-moving world affine (4x4); +infinity when too few points overlap.</summary>
        public double Evaluate(double[,] fixedToMoving, CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            Evaluations++;
            // Template world -> moving voxel in one 3x4 product per point.
            var m = AffineMath.Multiply(_moving.WorldToVoxel, fixedToMoving);
            Array.Clear(_partials, 0, _partials.Length);
            var po = new ParallelOptions { CancellationToken = token };
            Parallel.For(0, _chunks, po, c => Accumulate(c, m));
            var acc = new double[_accLen];
            for (int c = 0; c < _chunks; c++)
            {
                int o = c * _accLen;
                for (int a = 0; a < _accLen; a++) acc[a] += _partials[o + a];
            }
            return Finish(acc);
        }

        private void Accumulate(int chunk, double[,] m)
        {
            int p0 = chunk * ChunkPoints, p1 = Math.Min(_pts.Count, p0 + ChunkPoints);
            int o = chunk * _accLen;
            double m00 = m[0, 0], m01 = m[0, 1], m02 = m[0, 2], m03 = m[0, 3];
            double m10 = m[1, 0], m11 = m[1, 1], m12 = m[1, 2], m13 = m[1, 3];
            double m20 = m[2, 0], m21 = m[2, 1], m22 = m[2, 2], m23 = m[2, 3];
            var X = _pts.X; var Y = _pts.Y; var Z = _pts.Z; var V = _pts.Value; var B = _pts.Bin;
            var acc = _partials;
            var mov = _moving; var exc = _exclude;
            int K = _pts.K, bins = _pts.Bins;
            bool field = K > 0 && _cost == RegistrationCost.CorrelationRatio;
            int oR = o + 3 * bins, oA = oR + K, oG = oA + bins * K;
            double fx0 = _pts.FieldX, fy0 = _pts.FieldY, fz0 = _pts.FieldZ, fs = _pts.FieldScale;
            // The field's sums of w * value * term stay in registers over the chunk (added in point order: deterministic).
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0, r8 = 0;
            var terms = field ? new double[K] : null;
            for (int p = p0; p < p1; p++)
            {
                double x = X[p], y = Y[p], z = Z[p];
                double vx = m00 * x + m01 * y + m02 * z + m03;
                double vy = m10 * x + m11 * y + m12 * z + m13;
                double vz = m20 * x + m21 * y + m22 * z + m23;
                double w = 1;
                if (!mov.TrySample(vx, vy, vz, out double mv)) w = 0;
                else if (exc != null && vx > _ex0 && vx < _ex1 && vy > _ey0 && vy < _ey1 && vz > _ez0 && vz < _ez1 && exc.TrySample(vx, vy, vz, out double e))
                {
                    w = 1 - e;
                    if (w <= 1e-6) w = 0;
                }
                if (field && w < 1)
                {
                    // The point's share that is missing, taken off the precomputed sums of the field terms.
                    double u = 1 - w;
                    _pts.Terms(p, terms);
                    int a = oA + B[p] * K;
                    for (int k = 0; k < K; k++)
                    {
                        double f = u * terms[k];
                        acc[a + k] += f;
                        int g = oG + k * K;
                        // Only the lower triangle (l <= k): the Cholesky of FieldReduction reads no other entry.
                        for (int l = 0; l <= k; l++) acc[g + l] += f * terms[l];
                    }
                }
                if (w == 0) continue;
                if (field)
                {
                    double wm = w * mv;
                    double dx = (X[p] - fx0) * fs, dy = (Y[p] - fy0) * fs, dz = (Z[p] - fz0) * fs;
                    r0 += wm * dx; r1 += wm * dy; r2 += wm * dz;
                    if (K == 9)
                    {
                        r3 += wm * (dx * dx); r4 += wm * (dy * dy); r5 += wm * (dz * dz);
                        r6 += wm * (dx * dy); r7 += wm * (dx * dz); r8 += wm * (dy * dz);
                    }
                }
                switch (_cost)
                {
                    case RegistrationCost.CorrelationRatio:
                        {
                            int b = o + 3 * B[p];
                            acc[b] += w; acc[b + 1] += w * mv; acc[b + 2] += w * mv * mv;
                            break;
                        }
                    case RegistrationCost.MutualInformation:
                        {
                            // Partial-volume binning of the moving value keeps the cost continuous in the transform.
                            double t = (mv - _movingLo) * _movingScale;
                            if (t < 0) t = 0; else if (t > MovingBins - 1) t = MovingBins - 1;
                            int b0 = (int)t; if (b0 >= MovingBins - 1) b0 = MovingBins - 2;
                            double f = t - b0;
                            int row = o + B[p] * MovingBins + b0;
                            acc[row] += w * (1 - f); acc[row + 1] += w * f;
                            break;
                        }
                    default:
                        {
                            double fv = V[p];
                            acc[o] += w; acc[o + 1] += w * fv; acc[o + 2] += w * mv;
                            acc[o + 3] += w * fv * fv; acc[o + 4] += w * mv * mv; acc[o + 5] += w * fv * mv;
                            break;
                        }
                }
            }
            if (field)
            {
                acc[oR] += r0; acc[oR + 1] += r1; acc[oR + 2] += r2;
                if (K == 9) { acc[oR + 3] += r3; acc[oR + 4] += r4; acc[oR + 5] += r5; acc[oR + 6] += r6; acc[oR + 7] += r7; acc[oR + 8] += r8; }
            }
        }

        /// <summary>
        /// How much of the within-bin sum of squares a smooth field explains: the moving value modelled as the bin's mean
        /// plus c . phi(position), c fitted by least squares with the bin means (the bins eliminated: (G - sum_b A_b A_b^T / n_b) c
        /// = r - sum_b A_b s_b / n_b), the drop being c . (r - sum_b A_b s_b / n_b).
        /// </summary>
        private double FieldReduction(double[] acc)
        {
            int K = _pts.K, bins = _pts.Bins;
            int oR = 3 * bins, oA = oR + K, oG = oA + bins * K;
            var fa = _pts.FullA; var fg = _pts.FullG;
            var m = new double[K * K];
            var v = new double[K];
            for (int k = 0; k < K * K; k++) m[k] = fg[k] - acc[oG + k];
            for (int k = 0; k < K; k++) v[k] = acc[oR + k];
            var ab = new double[K];
            for (int b = 0; b < bins; b++)
            {
                double nb = acc[3 * b];
                if (!(nb > 1e-9)) continue;
                for (int k = 0; k < K; k++) ab[k] = fa[b * K + k] - acc[oA + b * K + k];
                double sb = acc[3 * b + 1];
                for (int k = 0; k < K; k++)
                {
                    v[k] -= ab[k] * sb / nb;
                    for (int l = 0; l <= k; l++) m[k * K + l] -= ab[k] * ab[l] / nb;
                }
            }
            // Cholesky with a small ridge (the terms are scaled to order 1), on the lower triangle of m (the only one accumulated).
            double tr = 0;
            for (int k = 0; k < K; k++) tr += m[k * K + k];
            double ridge = 1e-10 * tr + 1e-12;
            var l2 = new double[K * K];
            for (int i = 0; i < K; i++)
                for (int j = 0; j <= i; j++)
                {
                    double sum = m[i * K + j] + (i == j ? ridge : 0);
                    for (int k = 0; k < j; k++) sum -= l2[i * K + k] * l2[j * K + k];
                    if (i == j) { if (!(sum > 0)) return 0; l2[i * K + i] = Math.Sqrt(sum); }
                    else l2[i * K + j] = sum / l2[j * K + j];
                }
            var y = new double[K];
            for (int i = 0; i < K; i++) { double sum = v[i]; for (int k = 0; k < i; k++) sum -= l2[i * K + k] * y[k]; y[i] = sum / l2[i * K + i]; }
            double red = 0;
            for (int i = 0; i < K; i++) red += y[i] * y[i]; // v^T M^-1 v = |L^-1 v|^2
            return red;
        }

        private double Finish(double[] acc)
        {
            switch (_cost)
            {
                case RegistrationCost.CorrelationRatio:
                    {
                        double n = 0, s = 0, ss = 0, within = 0;
                        for (int b = 0; b < _pts.Bins; b++)
                        {
                            double nb = acc[3 * b], sb = acc[3 * b + 1], ssb = acc[3 * b + 2];
                            n += nb; s += sb; ss += ssb;
                            if (nb > 0) within += ssb - sb * sb / nb;
                        }
                        LastWeight = n;
                        if (n < 50) return double.PositiveInfinity;
                        double total = ss - s * s / n;
                        if (!(total > 0)) return double.PositiveInfinity;
                        if (_pts.K > 0) within -= FieldReduction(acc);
                        return Math.Max(0, within / total);
                    }
                case RegistrationCost.MutualInformation:
                    {
                        int fb = _pts.Bins, mb = MovingBins;
                        double n = 0;
                        for (int a = 0; a < acc.Length; a++) n += acc[a];
                        LastWeight = n;
                        if (n < 50) return double.PositiveInfinity;
                        var pf = new double[fb]; var pm = new double[mb];
                        for (int i = 0; i < fb; i++)
                            for (int j = 0; j < mb; j++) { double v = acc[i * mb + j]; pf[i] += v; pm[j] += v; }
                        double mi = 0;
                        for (int i = 0; i < fb; i++)
                        {
                            if (pf[i] <= 0) continue;
                            for (int j = 0; j < mb; j++)
                            {
                                double v = acc[i * mb + j];
                                if (v <= 0) continue;
                                mi += v * Math.Log(v * n / (pf[i] * pm[j]));
                            }
                        }
                        return -mi / n;
                    }
                default:
                    {
                        double n = acc[0];
                        LastWeight = n;
                        if (n < 50) return double.PositiveInfinity;
                        double mf = acc[1] / n, mm = acc[2] / n;
                        double vf = acc[3] / n - mf * mf, vm = acc[4] / n - mm * mm, cov = acc[5] / n - mf * mm;
                        if (!(vf > 0 && vm > 0)) return double.PositiveInfinity;
                        return 1 - cov / Math.Sqrt(vf * vm);
                    }
            }
        }
    }
}
