using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Volumes;

namespace Atlas.Core.Imaging
{
    /// <summary>One connected component of a mask, with the statistics gathered while labelling.</summary>
    public sealed class ConnectedComponent
    {
        /// <summary>1 = the largest component; equals the value of its voxels in <see cref="ComponentLabeling.Labels"/>.</summary>
        public int Rank { get; internal set; }
        public long VoxelCount { get; internal set; }
        /// <summary>Linear index (i + NX*(j + NY*k)) of the component's first voxel in storage order (breaks size ties).</summary>
        public long FirstVoxelIndex { get; internal set; }
        public int MinI { get; internal set; }
        public int MaxI { get; internal set; }
        public int MinJ { get; internal set; }
        public int MaxJ { get; internal set; }
        public int MinK { get; internal set; }
        public int MaxK { get; internal set; }
        /// <summary>Sums of the voxel coordinates (for the centroid).</summary>
        public double SumI { get; internal set; }
        public double SumJ { get; internal set; }
        public double SumK { get; internal set; }

        /// <summary>Mean voxel coordinate (i, j, k).</summary>
        public double[] CentroidVoxel => new[] { SumI / VoxelCount, SumJ / VoxelCount, SumK / VoxelCount };

        public override string ToString() => "#" + Rank + " " + VoxelCount + " voxels";
    }

    /// <summary>The result of <see cref="ConnectedComponents.Label(byte[], Grid, int, long, CancellationToken)"/>.</summary>
    public sealed class ComponentLabeling
    {
        internal ComponentLabeling(int[] labels, ConnectedComponent[] components, int nx, int ny, int nz, int connectivity, int droppedCount)
        {
            Labels = labels; Components = components; NX = nx; NY = ny; NZ = nz; Connectivity = connectivity; DroppedCount = droppedCount;
        }

        /// <summary>Per voxel: 0 = background (or a component dropped by the minimum size), else the component's rank.</summary>
        public int[] Labels { get; }
        /// <summary>Components ranked by voxel count, largest first (ties: first voxel in storage order first).</summary>
        public ConnectedComponent[] Components { get; }
        public int Count => Components.Length;
        public int NX { get; }
        public int NY { get; }
        public int NZ { get; }
        public int Connectivity { get; }
        /// <summary>Components found but smaller than the minimum size (their voxels are 0 in <see cref="Labels"/>).</summary>
        public int DroppedCount { get; }

        /// <summary>A 0/1 mask of the component of rank <paramref name="rank"/> (1-based).</summary>
        public byte[] MaskOf(int rank)
        {
            if (rank < 1 || rank > Components.Length) throw new ArgumentOutOfRangeException(nameof(rank));
            var m = new byte[Labels.Length];
            var c = Components[rank - 1];
            int nx = NX, ny = NY;
            Parallel.For(c.MinK, c.MaxK + 1, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = c.MinJ; j <= c.MaxJ; j++)
                {
                    int o = nx * (j + ny * k);
                    for (int i = c.MinI; i <= c.MaxI; i++) if (Labels[o + i] == rank) m[o + i] = 1;
                }
            });
            return m;
        }
    }

    /// <summary>
    /// Connected-component labelling of binary masks (any non-zero byte is foreground) with 6, 18 or
    /// 26 connectivity. Run-based union-find: the foreground runs of every x-line are found in
    /// parallel, runs of neighbouring lines are united (z-slabs in parallel, slab borders after),
    /// so time is linear in the voxel count. The one labelling used by lesion counting, per-lesion
    /// masks and lesion-wise metrics.
    /// </summary>
    public static class ConnectedComponents
    {
        /// <summary>Labels a mask on a grid.</summary>
        public static ComponentLabeling Label(byte[] mask, Grid grid, int connectivity = 26, long minimumVoxels = 0, CancellationToken cancellation = default)
        {
            if (grid == null) throw new ArgumentNullException(nameof(grid));
            return Label(mask, grid.NX, grid.NY, grid.NZ, connectivity, minimumVoxels, cancellation);
        }

        /// <summary>Number of components (no minimum size).</summary>
        public static int Count(byte[] mask, int nx, int ny, int nz, int connectivity = 26) =>
            Label(mask, nx, ny, nz, connectivity).Count;

        /// <summary>
        /// Labels a mask stored x fastest (index i + nx*(j + ny*k)). Components smaller than
        /// <paramref name="minimumVoxels"/> are dropped (label 0). Labels are ranks: 1 = largest.
        /// </summary>
        public static ComponentLabeling Label(byte[] mask, int nx, int ny, int nz, int connectivity = 26, long minimumVoxels = 0, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentException("Dimensions must be positive.");
            if ((long)nx * ny * nz != mask.LongLength)
                throw new ArgumentException("The mask has " + mask.LongLength + " voxels, the grid " + ((long)nx * ny * nz) + ".");
            if (connectivity != 6 && connectivity != 18 && connectivity != 26)
                throw new ArgumentException("Connectivity must be 6, 18 or 26.", nameof(connectivity));

            int lines = ny * nz;
            var lineStart = new int[lines + 1];
            bool parallel = mask.LongLength >= 1 << 18;
            var po = new ParallelOptions { CancellationToken = cancellation };

            // 1. runs per x-line: count, prefix-sum, fill.
            ForRange(0, nz, parallel, po, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = 0; j < ny; j++)
                {
                    int line = j + ny * k, o = line * nx, n = 0;
                    bool inRun = false;
                    for (int i = 0; i < nx; i++)
                    {
                        bool on = mask[o + i] != 0;
                        if (on && !inRun) n++;
                        inRun = on;
                    }
                    lineStart[line + 1] = n;
                }
            });
            for (int l = 0; l < lines; l++) lineStart[l + 1] += lineStart[l];
            int runCount = lineStart[lines];
            var rs = new int[runCount];
            var re = new int[runCount];
            ForRange(0, nz, parallel, po, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = 0; j < ny; j++)
                {
                    int line = j + ny * k, o = line * nx, r = lineStart[line];
                    int i = 0;
                    while (i < nx)
                    {
                        if (mask[o + i] == 0) { i++; continue; }
                        int s = i;
                        while (i < nx && mask[o + i] != 0) i++;
                        rs[r] = s; re[r] = i - 1; r++;
                    }
                }
            });

            // 2. union runs of neighbouring lines. Each slab's runs are a contiguous index range and
            // roots are the smallest run index, so slabs never touch each other's parents.
            var parent = new int[runCount];
            for (int r = 0; r < runCount; r++) parent[r] = r;
            int slabs = parallel ? Math.Min(nz, Math.Max(1, Environment.ProcessorCount * 4)) : 1;
            var slabStart = new int[slabs + 1];
            for (int s = 0; s <= slabs; s++) slabStart[s] = (int)((long)nz * s / slabs);
            ForRange(0, slabs, parallel && slabs > 1, po, [MethodImpl(JitHints.Optimized)] (s) =>
            {
                int k0 = slabStart[s], k1 = slabStart[s + 1];
                for (int k = k0; k < k1; k++)
                    for (int j = 0; j < ny; j++)
                        UniteWithPrevious(j, k, ny, connectivity, k > k0, lineStart, rs, re, parent);
            });
            for (int s = 1; s < slabs; s++)
            {
                cancellation.ThrowIfCancellationRequested();
                int k = slabStart[s];
                if (k >= nz || k == 0) continue;
                for (int j = 0; j < ny; j++)
                    UniteAcrossZ(j, k, ny, connectivity, lineStart, rs, re, parent);
            }

            // 3. provisional ids in storage order (a root is its component's first run) and statistics.
            var id = new int[runCount];
            var comps = new List<ConnectedComponent>();
            int lineOfRun = 0;
            for (int r = 0; r < runCount; r++)
            {
                while (lineStart[lineOfRun + 1] <= r) lineOfRun++;
                int root = Find(parent, r);
                ConnectedComponent c;
                if (root == r)
                {
                    id[r] = comps.Count;
                    c = new ConnectedComponent
                    {
                        FirstVoxelIndex = (long)lineOfRun * nx + rs[r],
                        MinI = int.MaxValue, MinJ = int.MaxValue, MinK = int.MaxValue,
                        MaxI = -1, MaxJ = -1, MaxK = -1,
                    };
                    comps.Add(c);
                }
                else
                {
                    id[r] = id[root];
                    c = comps[id[r]];
                }
                int j = lineOfRun % ny, k = lineOfRun / ny;
                long len = re[r] - rs[r] + 1;
                c.VoxelCount += len;
                c.SumI += (rs[r] + (double)re[r]) * len / 2.0;
                c.SumJ += (double)j * len;
                c.SumK += (double)k * len;
                if (rs[r] < c.MinI) c.MinI = rs[r];
                if (re[r] > c.MaxI) c.MaxI = re[r];
                if (j < c.MinJ) c.MinJ = j;
                if (j > c.MaxJ) c.MaxJ = j;
                if (k < c.MinK) c.MinK = k;
                if (k > c.MaxK) c.MaxK = k;
            }

            // 4. rank: largest first, ties by first voxel; drop small ones.
            var order = new int[comps.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            Array.Sort(order, (a, b) =>
            {
                int cmp = comps[b].VoxelCount.CompareTo(comps[a].VoxelCount);
                return cmp != 0 ? cmp : comps[a].FirstVoxelIndex.CompareTo(comps[b].FirstVoxelIndex);
            });
            var rankOf = new int[comps.Count];
            var kept = new List<ConnectedComponent>();
            int dropped = 0;
            foreach (int p in order)
            {
                if (comps[p].VoxelCount < minimumVoxels) { dropped++; continue; }
                kept.Add(comps[p]);
                comps[p].Rank = kept.Count;
                rankOf[p] = kept.Count;
            }

            // 5. write labels.
            var labels = new int[mask.LongLength];
            ForRange(0, nz, parallel, po, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = 0; j < ny; j++)
                {
                    int line = j + ny * k, o = line * nx;
                    for (int r = lineStart[line]; r < lineStart[line + 1]; r++)
                    {
                        int v = rankOf[id[r]];
                        if (v == 0) continue;
                        for (int i = rs[r]; i <= re[r]; i++) labels[o + i] = v;
                    }
                }
            });
            return new ComponentLabeling(labels, kept.ToArray(), nx, ny, nz, connectivity, dropped);
        }

        private static void ForRange(int from, int to, bool parallel, ParallelOptions po, Action<int> body)
        {
            if (parallel && to - from > 1) Parallel.For(from, to, po, body);
            else
            {
                for (int i = from; i < to; i++) { po.CancellationToken.ThrowIfCancellationRequested(); body(i); }
            }
        }

        // Neighbour lines already visited: (dy,dz) = (-1,0) and, when allowed, (0,-1), (-1,-1), (+1,-1).
        // The x-reach between runs is 1 when some (±1,dy,dz) is a neighbour, else 0 (exact overlap).
        private static void UniteWithPrevious(int j, int k, int ny, int conn, bool zAllowed, int[] lineStart, int[] rs, int[] re, int[] parent)
        {
            int line = j + ny * k;
            if (lineStart[line] == lineStart[line + 1]) return;
            int reachFace = conn == 6 ? 0 : 1;
            if (j > 0) Unite(line, line - 1, reachFace, lineStart, rs, re, parent);
            if (zAllowed) UniteAcrossZ(j, k, ny, conn, lineStart, rs, re, parent);
        }

        private static void UniteAcrossZ(int j, int k, int ny, int conn, int[] lineStart, int[] rs, int[] re, int[] parent)
        {
            int line = j + ny * k;
            if (lineStart[line] == lineStart[line + 1]) return;
            int below = line - ny;
            Unite(line, below, conn == 6 ? 0 : 1, lineStart, rs, re, parent);
            if (conn == 6) return;
            int reachEdge = conn == 26 ? 1 : 0;
            if (j > 0) Unite(line, below - 1, reachEdge, lineStart, rs, re, parent);
            if (j < ny - 1) Unite(line, below + 1, reachEdge, lineStart, rs, re, parent);
        }

        [MethodImpl(JitHints.Optimized)]
        private static void Unite(int la, int lb, int reach, int[] lineStart, int[] rs, int[] re, int[] parent)
        {
            int a = lineStart[la], ae = lineStart[la + 1];
            int b = lineStart[lb], be = lineStart[lb + 1];
            while (a < ae && b < be)
            {
                if (re[a] + reach < rs[b]) { a++; continue; }
                if (re[b] + reach < rs[a]) { b++; continue; }
                Union(parent, a, b);
                if (re[a] < re[b]) a++; else b++;
            }
        }

        [MethodImpl(JitHints.Optimized)]
        private static int Find(int[] parent, int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }

        [MethodImpl(JitHints.Optimized)]
        private static void Union(int[] parent, int a, int b)
        {
            int ra = Find(parent, a), rb = Find(parent, b);
            if (ra == rb) return;
            if (ra < rb) parent[rb] = ra; else parent[ra] = rb;
        }
    }
}
