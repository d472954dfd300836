using System;
using Atlas.Core.Lesions;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    /// <summary>
    /// The vector paths (byte masks binarised by unsigned min(x, 1); zero runs skipped when counting
    /// overlap) against the plain per-voxel rule, on lengths and offsets that are not multiples of
    /// the vector width, so the tails are covered too.
    /// </summary>
    public class MaskFastPathTests
    {
        [Theory]
        [InlineData(1, 0)]
        [InlineData(31, 3)]
        [InlineData(257, 0)]
        [InlineData(70001, 17)] // crosses the 64 Ki block split of the parallel loop
        public void ByteMasksBinariseAsNonZero(int n, int offset)
        {
            var rnd = new Random(n);
            var src = new byte[n + offset];
            rnd.NextBytes(src);
            for (int i = 0; i < src.Length; i += 3) src[i] = 0;
            var dst = new byte[n];
            VoxelConvert.ToMask(src, offset, dst, 1.0, 0.0);
            for (int i = 0; i < n; i++) Assert.Equal(src[offset + i] != 0 ? 1 : 0, dst[i]);
        }

        [Fact]
        public void OverlapCountsMatchThePlainLoop()
        {
            var g = Grid.Create(37, 29, 11); // a plane of 1073 voxels: runs end mid-vector
            var rnd = new Random(7);
            var expected = new int[g.VoxelCount];
            var map = new LesionOverlapMap(g);
            for (int m = 0; m < 5; m++)
            {
                var mask = new byte[g.VoxelCount];
                // sparse blobs plus isolated voxels, some at the very ends of planes
                for (int t = 0; t < 40; t++) mask[rnd.Next(mask.Length)] = (byte)rnd.Next(1, 256);
                mask[0] = (byte)(m % 2); mask[mask.Length - 1] = 1; mask[1072] = 1;
                for (int i = 0; i < mask.Length; i++) if (mask[i] != 0) expected[i]++;
                map.Add(mask);
            }
            Assert.Equal(expected, map.Counts);
            Assert.Equal(5, map.Counts[LastVoxel(g)]);
        }

        private static long LastVoxel(Grid g) => g.VoxelCount - 1;
    }
}
