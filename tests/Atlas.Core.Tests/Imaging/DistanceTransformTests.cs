using System;
using Atlas.Core.Imaging;
using Atlas.Core.Tests.Metrics;
using Atlas.Core.Metrics;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Imaging
{
    public class DistanceTransformTests
    {
        // Brute force: the minimum over every feature voxel, an algorithm independent of the envelope.
        private static double[] BruteForce(byte[] f, int nx, int ny, int nz, double sx, double sy, double sz)
        {
            var d = new double[f.Length];
            for (int p = 0; p < f.Length; p++)
            {
                int i = p % nx, j = (p / nx) % ny, k = p / (nx * ny);
                double best = double.PositiveInfinity;
                for (int q = 0; q < f.Length; q++)
                {
                    if (f[q] == 0) continue;
                    int a = q % nx, b = (q / nx) % ny, c = q / (nx * ny);
                    double dx = (i - a) * sx, dy = (j - b) * sy, dz = (k - c) * sz;
                    best = Math.Min(best, dx * dx + dy * dy + dz * dz);
                }
                d[p] = best;
            }
            return d;
        }

        [Theory]
        [InlineData(1.0, 1.0, 1.0, 11)]
        [InlineData(0.9, 0.9, 3.0, 12)]
        [InlineData(2.5, 0.7, 1.3, 13)]
        public void EqualsBruteForceOnScatteredFeatures(double sx, double sy, double sz, int seed)
        {
            int nx = 13, ny = 9, nz = 7;
            var rng = new Random(seed);
            var f = new byte[nx * ny * nz];
            for (int n = 0; n < 12; n++) f[rng.Next(f.Length)] = 1;
            var fast = DistanceTransform.SquaredToNearest(f, nx, ny, nz, sx, sy, sz);
            var slow = BruteForce(f, nx, ny, nz, sx, sy, sz);
            for (int p = 0; p < f.Length; p++) Assert.Equal(slow[p], fast[p], 9);
        }

        [Fact]
        public void OneFeatureGivesTheAnisotropicDistance()
        {
            // Feature at (1,1,1) on a 0.9 x 0.9 x 3 mm grid; voxel (4,0,3): dx 2.7, dy 0.9, dz 6 mm.
            var g = Grid.Create(5, 3, 4, 0.9, 0.9, 3);
            var f = MetricShapes.Voxels(g, 1, 1, 1);
            var d = DistanceTransform.SquaredToNearest(f, 5, 3, 4, 0.9, 0.9, 3);
            Assert.Equal(2.7 * 2.7 + 0.9 * 0.9 + 36, d[g.Index(4, 0, 3)], 12);
            Assert.Equal(0, d[g.Index(1, 1, 1)]);
        }

        [Fact]
        public void NoFeatureIsInfinite()
        {
            var d = DistanceTransform.SquaredToNearest(new byte[24], 2, 3, 4, 1, 1, 1);
            Assert.All(d, v => Assert.True(double.IsPositiveInfinity(v)));
        }
    }
}
