using System;
using System.Threading;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    /// <summary>
    /// The level image of a mask that is zero outside a small box (a dilated lesion), made on the grown box only,
    /// against the whole-image computation: the same floats, bit for bit, on every level, for boxes inside the image,
    /// against its faces and in the remainder that block averaging drops.
    /// </summary>
    public class LevelImageSparseTests
    {
        [Theory]
        [InlineData(61, 47, 33, 1.0, 1.0, 1.0, 20, 15, 10, 9, 7, 6)]   // a box inside a 1 mm grid
        [InlineData(61, 47, 33, 1.0, 1.0, 1.0, 0, 0, 0, 5, 4, 3)]      // against the low faces
        [InlineData(61, 47, 33, 1.0, 1.0, 1.0, 52, 38, 27, 9, 9, 6)]   // against the high faces and into the dropped remainder
        [InlineData(70, 64, 24, 0.9, 0.9, 3.0, 30, 25, 8, 12, 10, 5)]  // thick slices: no blocks along z
        [InlineData(40, 36, 30, 1.1, 1.1, 1.2, 3, 20, 10, 30, 8, 15)]  // a long box
        public void EqualsTheWholeImageBitForBit(int nx, int ny, int nz, double sx, double sy, double sz,
            int bx, int by, int bz, int wx, int wy, int wz)
        {
            var g = Grid.Create(nx, ny, nz, sx, sy, sz);
            var rnd = new Random(nx * 31 + bx);
            var d = new float[g.VoxelCount];
            for (int k = bz; k < Math.Min(nz, bz + wz); k++)
                for (int j = by; j < Math.Min(ny, by + wy); j++)
                    for (int i = bx; i < Math.Min(nx, bx + wx); i++)
                        if (rnd.NextDouble() < 0.7) d[g.Index(i, j, k)] = (float)rnd.NextDouble();
            foreach (double level in new[] { 8.0, 4.0, 2.0, 1.0 })
            {
                var whole = LevelImage.ForLevel(d, g, level, CancellationToken.None);
                var sparse = LevelImage.ForLevelSparse(d, g, level, CancellationToken.None);
                Assert.Equal(whole.Grid.Dimensions, sparse.Grid.Dimensions);
                Assert.Equal(whole.Grid.VoxelSizeMm, sparse.Grid.VoxelSizeMm);
                for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) Assert.Equal(whole.Grid.Affine[r, c], sparse.Grid.Affine[r, c]);
                int differ = 0;
                for (int i = 0; i < whole.Data.Length; i++) if (BitConverter.SingleToInt32Bits(whole.Data[i]) != BitConverter.SingleToInt32Bits(sparse.Data[i])) differ++;
                Assert.True(differ == 0, differ + " voxels differ at " + level + " mm");
                Assert.Contains(whole.Data, v => v > 0); // the test compares something
            }
        }

        [Fact]
        public void AnEmptyMaskGivesAZeroLevelImage()
        {
            var g = Grid.Create(30, 20, 10);
            var sparse = LevelImage.ForLevelSparse(new float[g.VoxelCount], g, 4, CancellationToken.None);
            Assert.Equal(LevelImage.ForLevel(new float[g.VoxelCount], g, 4, CancellationToken.None).Grid.Dimensions, sparse.Grid.Dimensions);
            Assert.All(sparse.Data, v => Assert.Equal(0f, v));
        }
    }
}
