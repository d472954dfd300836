using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    public class NearestVoxelMapTests
    {
        [Fact]
        public void MatchingGridsWithoutATransformAreTheIdentity()
        {
            var g = Grid.Create(5, 4, 3, 2, 2, 2);
            var a = g.Affine; a[0, 3] += 1e-4; // within GridCheck's tolerance: the same grid
            Assert.True(NearestVoxelMap.Create(g, new Grid(5, 4, 3, null, a)).IsIdentity);
            Assert.False(NearestVoxelMap.Create(g, g, AffineTransform.Identity).IsIdentity);
            Assert.Equal(g.Index(4, 3, 2), NearestVoxelMap.Create(g, g, AffineTransform.Identity).IndexOf(4, 3, 2));
        }

        [Fact]
        public void HalfVoxelShiftRoundsFacesUpAndLeavesTheOutsideOut()
        {
            // Target: 3 × 1 × 1 voxels of 1 mm at x = I + 0.5. Source: 1 mm at x = i, so i lies at I = i − 0.5:
            // i = 0 → −0.5 → voxel 0 (the face goes up), i = 1 → 0.5 → 1, i = 3 → 2.5 → 3: outside.
            var a = AffineMath.Identity(); a[0, 3] = 0.5;
            var target = new Grid(3, 1, 1, new[] { 1.0, 1, 1 }, a);
            var map = NearestVoxelMap.Create(Grid.Create(5, 1, 1), target);
            Assert.Equal(new long[] { 0, 1, 2, -1, -1 }, new[] { map.IndexOf(0, 0, 0), map.IndexOf(1, 0, 0), map.IndexOf(2, 0, 0), map.IndexOf(3, 0, 0), map.IndexOf(4, 0, 0) });
            // Source world → target world shifted by −2 mm: i = 4 → x = 2 → I = 1.5 → 2.
            var shifted = NearestVoxelMap.Create(Grid.Create(5, 1, 1), target, new AffineTransform(new double[,] { { 1, 0, 0, -2 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 } }));
            Assert.Equal(2, shifted.IndexOf(4, 0, 0));
            Assert.Equal(-1, shifted.IndexOf(1, 0, 0));                // x = −1 → I = −1.5
        }
    }
}
