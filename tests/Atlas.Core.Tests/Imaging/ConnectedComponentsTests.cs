using System;
using System.Collections.Generic;
using Atlas.Core.Imaging;
using Atlas.Core.Lesions;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Imaging
{
    public class ConnectedComponentsTests
    {
        // Two voxels touching by a face, an edge or a corner: 1 component when the connectivity
        // includes that contact, else 2 (worked by hand from the definitions 6 ⊂ 18 ⊂ 26).
        [Theory]
        [InlineData(1, 0, 0, 6, 1)]
        [InlineData(1, 1, 0, 6, 2)]
        [InlineData(1, 1, 0, 18, 1)]
        [InlineData(1, 0, 1, 18, 1)]
        [InlineData(0, 1, 1, 18, 1)]
        [InlineData(1, 1, 1, 18, 2)]
        [InlineData(1, 1, 1, 26, 1)]
        [InlineData(-1, 1, 1, 26, 1)]
        [InlineData(1, -1, 1, 26, 1)]
        [InlineData(-1, -1, 1, 18, 2)]
        [InlineData(0, -1, 1, 18, 1)]
        [InlineData(0, -1, 1, 6, 2)]
        [InlineData(2, 0, 0, 26, 2)]
        public void TwoVoxels(int dx, int dy, int dz, int conn, int expected)
        {
            var m = new byte[5 * 5 * 5];
            m[2 + 5 * (2 + 5 * 2)] = 1;
            m[(2 + dx) + 5 * ((2 + dy) + 5 * (2 + dz))] = 1;
            var r = ConnectedComponents.Label(m, 5, 5, 5, conn);
            Assert.Equal(expected, r.Count);
        }

        [Fact]
        public void RanksLargestFirstWithStatistics()
        {
            // 10x6x4: a 2-voxel bar at (0..1,0,0), a 3x2x1 block at i 5..7, j 3..4, k 2, a single voxel at (9,5,3).
            var g = Grid.Create(10, 6, 4);
            var m = new byte[g.VoxelCount];
            m[g.Index(0, 0, 0)] = 1; m[g.Index(1, 0, 0)] = 255;
            for (int i = 5; i <= 7; i++) for (int j = 3; j <= 4; j++) m[g.Index(i, j, 2)] = 1;
            m[g.Index(9, 5, 3)] = 7;
            var r = ConnectedComponents.Label(m, g, 26);
            Assert.Equal(3, r.Count);
            Assert.Equal(new long[] { 6, 2, 1 }, new[] { r.Components[0].VoxelCount, r.Components[1].VoxelCount, r.Components[2].VoxelCount });
            var big = r.Components[0];
            Assert.Equal(1, big.Rank);
            Assert.Equal(new[] { 6.0, 3.5, 2.0 }, big.CentroidVoxel);
            Assert.Equal((5, 7, 3, 4, 2, 2), (big.MinI, big.MaxI, big.MinJ, big.MaxJ, big.MinK, big.MaxK));
            Assert.Equal(1, r.Labels[g.Index(6, 4, 2)]);
            Assert.Equal(2, r.Labels[g.Index(1, 0, 0)]);
            Assert.Equal(3, r.Labels[g.Index(9, 5, 3)]);
            Assert.Equal(0, r.Labels[g.Index(9, 5, 2)]);
            Assert.Equal(new[] { 0.5, 0.0, 0.0 }, r.Components[1].CentroidVoxel);

            var r2 = ConnectedComponents.Label(m, g, 26, minimumVoxels: 2);
            Assert.Equal(2, r2.Count);
            Assert.Equal(1, r2.DroppedCount);
            Assert.Equal(0, r2.Labels[g.Index(9, 5, 3)]);
            var only2 = r2.MaskOf(2);
            Assert.Equal(2, Sum(only2));
            Assert.Equal(1, only2[g.Index(0, 0, 0)]);
        }

        [Fact]
        public void TiesRankByFirstVoxel()
        {
            var m = new byte[8];
            m[5] = 1; m[1] = 1;
            var r = ConnectedComponents.Label(m, 8, 1, 1, 6);
            Assert.Equal(1, r.Labels[1]);
            Assert.Equal(2, r.Labels[5]);
        }

        [Fact]
        public void RejectsBadArguments()
        {
            Assert.Throws<ArgumentException>(() => ConnectedComponents.Label(new byte[8], 2, 2, 2, 8));
            Assert.Throws<ArgumentException>(() => ConnectedComponents.Label(new byte[7], 2, 2, 2, 6));
        }

        [Fact]
        public void EmptyAndFull()
        {
            Assert.Equal(0, ConnectedComponents.Label(new byte[27], 3, 3, 3).Count);
            var full = new byte[27]; for (int i = 0; i < 27; i++) full[i] = 1;
            var r = ConnectedComponents.Label(full, 3, 3, 3, 6);
            Assert.Equal(1, r.Count);
            Assert.Equal(27, r.Components[0].VoxelCount);
        }

        // Random masks (sequential and the parallel path ≥ 2^18 voxels) against an independent
        // breadth-first labelling over explicit neighbour offsets.
        [Theory]
        [InlineData(6, 17, 13, 11, 0.30, 1)]
        [InlineData(18, 17, 13, 11, 0.15, 2)]
        [InlineData(26, 17, 13, 11, 0.10, 3)]
        [InlineData(6, 70, 64, 64, 0.30, 4)]
        [InlineData(18, 70, 64, 64, 0.14, 5)]
        [InlineData(26, 70, 64, 64, 0.09, 6)]
        public void MatchesBreadthFirstReference(int conn, int nx, int ny, int nz, double density, int seed)
        {
            var rnd = new Random(seed);
            var m = new byte[nx * ny * nz];
            for (int i = 0; i < m.Length; i++) m[i] = rnd.NextDouble() < density ? (byte)1 : (byte)0;
            var (refLabels, refSizes) = BfsLabel(m, nx, ny, nz, conn);
            var r = ConnectedComponents.Label(m, nx, ny, nz, conn);
            Assert.Equal(refSizes.Count, r.Count);
            Assert.True(r.Count > 10);
            // Same partition: a bijection between reference ids and our labels.
            var map = new Dictionary<int, int>();
            for (int i = 0; i < m.Length; i++)
            {
                Assert.Equal(refLabels[i] == 0, r.Labels[i] == 0);
                if (refLabels[i] == 0) continue;
                if (map.TryGetValue(refLabels[i], out int l)) Assert.Equal(l, r.Labels[i]);
                else map[refLabels[i]] = r.Labels[i];
            }
            Assert.Equal(map.Count, new HashSet<int>(map.Values).Count);
            refSizes.Sort((a, b) => b.CompareTo(a));
            for (int c = 0; c < r.Count; c++) Assert.Equal(refSizes[c], r.Components[c].VoxelCount);
        }

        private static (int[] labels, List<long> sizes) BfsLabel(byte[] m, int nx, int ny, int nz, int conn)
        {
            var offs = new List<int[]>();
            for (int dz = -1; dz <= 1; dz++)
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int s = Math.Abs(dx) + Math.Abs(dy) + Math.Abs(dz);
                        if (s == 0 || (conn == 6 && s > 1) || (conn == 18 && s > 2)) continue;
                        offs.Add(new[] { dx, dy, dz });
                    }
            var lab = new int[m.Length];
            var sizes = new List<long>();
            var q = new Queue<int>();
            for (int start = 0; start < m.Length; start++)
            {
                if (m[start] == 0 || lab[start] != 0) continue;
                int id = sizes.Count + 1; long n = 0;
                lab[start] = id; q.Enqueue(start);
                while (q.Count > 0)
                {
                    int v = q.Dequeue(); n++;
                    int x = v % nx, y = v / nx % ny, z = v / (nx * ny);
                    foreach (var o in offs)
                    {
                        int a = x + o[0], b = y + o[1], c = z + o[2];
                        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
                        int w = a + nx * (b + ny * c);
                        if (m[w] == 0 || lab[w] != 0) continue;
                        lab[w] = id; q.Enqueue(w);
                    }
                }
                sizes.Add(n);
            }
            return (lab, sizes);
        }

        private static int Sum(byte[] m) { int s = 0; foreach (var b in m) s += b; return s; }
    }
}
