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
        private readonly LevelImage _exclude; // dilated lesion on the moving grid (0..1), or null
        private readonly RegistrationCost _cost;
        private readonly double _movingLo, _movingScale;
        private readonly int _accLen;
        private readonly int _chunks;
        private readonly double[] _partials;

        public SimilarityMetric(SamplePoints pts, LevelImage moving, LevelImage exclude, RegistrationCost cost, double movingLo, double movingHi)
        {
            _pts = pts; _moving = moving; _exclude = exclude; _cost = cost;
            _movingLo = movingLo;
            _movingScale = movingHi > movingLo ? (MovingBins - 1) / (movingHi - movingLo) : 1;
            switch (cost)
            {
                case RegistrationCost.CorrelationRatio: _accLen = 3 * pts.Bins; break;
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
            for (int p = p0; p < p1; p++)
            {
                double x = X[p], y = Y[p], z = Z[p];
                double vx = m00 * x + m01 * y + m02 * z + m03;
                double vy = m10 * x + m11 * y + m12 * z + m13;
                double vz = m20 * x + m21 * y + m22 * z + m23;
                if (!mov.TrySample(vx, vy, vz, out double mv)) continue;
                double w = 1;
                if (exc != null && exc.TrySample(vx, vy, vz, out double e))
                {
                    w = 1 - e;
                    if (w <= 1e-6) continue;
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
