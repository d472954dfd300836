using System;
using System.Linq;
using Atlas.Core.Datasets;
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

        // A sparse byte mask on a grid whose rows (37 voxels) end mid-vector, with 1s, 255s and other values,
        // some at the very first and last voxels; the same values as float32 take the plain per-voxel paths.
        private static (AtlasVolume bytes, AtlasVolume floats) SparseMask(int seed, bool binary)
        {
            var g = Grid.Create(37, 29, 11);
            var rnd = new Random(seed);
            var m = new byte[g.VoxelCount];
            for (int t = 0; t < 60; t++) m[rnd.Next(m.Length)] = 1;
            m[0] = 1; m[m.Length - 1] = 1; m[1072] = 1;
            if (!binary) { m[500] = 255; m[9000] = 7; m[9001] = 7; m[m.Length - 2] = 255; }
            var f = new float[m.Length];
            for (int i = 0; i < m.Length; i++) f[i] = m[i];
            return (AtlasVolume.FromArray(g, m, Atlas.Core.Nifti.NiftiDataType.UInt8), AtlasVolume.FromFloat32(g, f));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void MaskValueCheckCountsInPlaceAsThePlainLoop(bool binary)
        {
            var (b, f) = SparseMask(3, binary);
            var fromBytes = DatasetChecker.CheckMaskValues(b, "m.nii.gz").Select(x => x.Check + ": " + x.Message).ToArray();
            var fromFloats = DatasetChecker.CheckMaskValues(f, "m.nii.gz").Select(x => x.Check + ": " + x.Message).ToArray();
            Assert.Equal(fromFloats, fromBytes);
            if (binary) Assert.Empty(fromBytes);
            else Assert.Contains(fromBytes, x => x.StartsWith(DatasetChecker.MaskNotBinary) && x.Contains("2 voxels") && x.Contains("e.g. 7"));
        }

        [Fact]
        public void MeasuringAByteMaskInPlaceGivesTheBinarisedRow()
        {
            var (b, f) = SparseMask(5, false); // 7 and 255 count as lesion, as ToMask has it
            var pool = new VoxelBufferPool();
            var inPlace = LesionMeasurer.Measure(b, null, pool)[0];
            var plain = LesionMeasurer.Measure(f)[0];
            long expected = b.ToMask().Count(x => x != 0);
            Assert.Equal(expected, inPlace.VoxelCount);
            Assert.Equal(plain.VoxelCount, inPlace.VoxelCount);
            Assert.Equal(plain.CentroidXMm, inPlace.CentroidXMm, 12);
            Assert.Equal(plain.BoundingBox, inPlace.BoundingBox);
            Assert.Equal("0-36,0-28,0-10", inPlace.BoundingBox); // first and last voxels are set
            Assert.Equal(plain.FractionLeft, inPlace.FractionLeft, 12);
            Assert.Equal(0, pool.HeldBytes); // read in place: nothing rented
            LesionMeasurer.Measure(f, null, pool);
            Assert.Equal(f.Grid.VoxelCount, pool.HeldBytes); // the float mask's binary copy went back
        }

        [Fact]
        public void SmoothingWithAPoolGivesTheSameMasks()
        {
            var pool = new VoxelBufferPool();
            var g = Grid.Create(40, 36, 30);
            var big = new byte[g.VoxelCount];
            var small = new byte[g.VoxelCount];
            for (int k = 5; k < 25; k++) for (int j = 5; j < 30; j++) for (int i = 5; i < 35; i++) big[g.Index(i, j, k)] = 1;
            for (int k = 12; k < 15; k++) for (int j = 12; j < 15; j++) for (int i = 20; i < 23; i++) small[g.Index(i, j, k)] = 1;
            // The big lesion's result goes back to the pool first: the small one's rented array must come back cleared.
            var first = LesionSmoother.Smooth(AtlasVolume.FromMask(g, big), 2, 0.5, EdgeCorrection.ZOnly, pool);
            var expectedBig = LesionSmoother.Smooth(big, g);
            Assert.Equal(expectedBig, (byte[])first.Data);
            pool.Return(first);
            var second = LesionSmoother.Smooth(AtlasVolume.FromMask(g, small), 2, 0.5, EdgeCorrection.ZOnly, pool);
            Assert.True(pool.Reused > 0);
            Assert.Equal(LesionSmoother.Smooth(small, g), (byte[])second.Data);
            // A 3x3x3 cube at FWHM 2 mm loses its 8 corners: along one axis the three taps give 0.9394 at the centre
            // and 0.7339 one voxel out, so a corner is 0.7339³ = 0.395 < 0.5, an edge 0.9394·0.7339² = 0.506 and
            // a face centre 0.648 stay, and the nearest outside voxel is 0.9394²·0.2651 = 0.234: 27 − 8 = 19.
            Assert.Equal(19, ((byte[])second.Data).Count(x => x != 0));
        }

        private static long LastVoxel(Grid g) => g.VoxelCount - 1;
    }
}
