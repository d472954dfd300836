using Atlas.Core.Volumes;

namespace Atlas.Core.Tests.Metrics
{
    /// <summary>Small masks for the metric tests.</summary>
    internal static class MetricShapes
    {
        public static byte[] Box(Grid g, int i0, int i1, int j0, int j1, int k0, int k1)
        {
            var m = new byte[g.VoxelCount];
            for (int k = k0; k <= k1; k++)
                for (int j = j0; j <= j1; j++)
                    for (int i = i0; i <= i1; i++) m[g.Index(i, j, k)] = 1;
            return m;
        }

        public static byte[] Voxels(Grid g, params int[] ijk)
        {
            var m = new byte[g.VoxelCount];
            for (int p = 0; p < ijk.Length; p += 3) m[g.Index(ijk[p], ijk[p + 1], ijk[p + 2])] = 1;
            return m;
        }

        /// <summary>Voxels whose centre lies within radius (mm) of a centre (voxel coordinates), on the grid's spacing.</summary>
        public static byte[] Ball(Grid g, double ci, double cj, double ck, double radiusMm)
        {
            var m = new byte[g.VoxelCount];
            var s = g.VoxelSizeMm;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        double dx = (i - ci) * s[0], dy = (j - cj) * s[1], dz = (k - ck) * s[2];
                        if (dx * dx + dy * dy + dz * dz <= radiusMm * radiusMm) m[g.Index(i, j, k)] = 1;
                    }
            return m;
        }
    }
}
