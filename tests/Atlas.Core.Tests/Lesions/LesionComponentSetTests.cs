using Atlas.Core.Lesions;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    public class LesionComponentSetTests
    {
        // A LAS-like grid (x = 10 − 2i): a 2-voxel lesion at i = 1..2 (x = 8, 6 → centroid 7 mm) and a
        // 3-voxel lesion at i = 6..8 (x = −2, −4, −6 → centroid −4 mm), 2 x 1 x 1 mm voxels.
        [Fact]
        public void RecordsAndMasksPerLesion()
        {
            var a = AffineMath.Identity();
            a[0, 0] = -2; a[0, 3] = 10;
            var g = new Grid(10, 2, 2, new[] { 2.0, 1.0, 1.0 }, a);
            var m = new byte[g.VoxelCount];
            m[g.Index(1, 0, 0)] = 1; m[g.Index(2, 0, 0)] = 1;
            for (int i = 6; i <= 8; i++) m[g.Index(i, 1, 1)] = 1;
            var v = AtlasVolume.FromMask(g, m); v.Path = "/d/m.nii.gz";
            var set = LesionComponentSet.Find(v);
            Assert.Equal(2, set.Lesions.Length);
            var big = set.Lesions[0];
            Assert.Equal(3, big.VoxelCount);
            Assert.Equal(6.0, big.VolumeMm3, 12);
            Assert.Equal(-4.0, big.CentroidXMm, 12);
            Assert.Equal("6-8,1-1,1-1", big.BoundingBox);
            Assert.Equal("/d/m.nii.gz", big.MaskPath);
            Assert.Equal(7.0, set.Lesions[1].CentroidXMm, 12);
            var m2 = (byte[])set.MaskOf(2).Data;
            Assert.Equal(1, m2[g.Index(1, 0, 0)]);
            Assert.Equal(0, m2[g.Index(7, 1, 1)]);
            Assert.Empty(LesionComponentSet.Find(v, 26, 4).Lesions);
        }
    }
}
