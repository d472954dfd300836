using System;
using System.Runtime.CompilerServices;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// A 0/1 mask held as its bounding box: the box's voxels (x fastest) and where the box lies on the grid; every
    /// voxel outside the box is 0. A lesion fills a few percent of its image, so a mask kept this way needs a few
    /// percent of the memory: the agreement metrics of a file pair (OverlapMetrics) keep the
    /// first mask so while the second is read into the same pooled array. <see cref="Bounds"/> is the one
    /// bounding-box scan of a byte mask (the smoother's box too).
    /// </summary>
    internal sealed class MaskBox
    {
        private MaskBox(Grid grid) { Grid = grid; }

        public Grid Grid { get; }
        public int X0 { get; private set; }
        public int Y0 { get; private set; }
        public int Z0 { get; private set; }
        /// <summary>The box's size in voxels; 0 for an empty mask.</summary>
        public int BX { get; private set; }
        public int BY { get; private set; }
        public int BZ { get; private set; }
        public bool IsEmpty => BX == 0;

        /// <summary>The box's BX·BY·BZ voxels.</summary>
        public byte[] Voxels { get; private set; }

        private void Set(byte[] voxels, int x0, int y0, int z0, int bx, int by, int bz)
        {
            Voxels = voxels;
            X0 = x0; Y0 = y0; Z0 = z0; BX = bx; BY = by; BZ = bz;
        }

        /// <summary>
        /// The bounding box [x0, x1] × [y0, y1] × [z0, z1] of the non-zero bytes of a mask of nx × ny × nz voxels, empty
        /// slices and rows skipped a vector at a time; false (and x1 = -1) for a mask of zeros.
        /// </summary>
        [MethodImpl(JitHints.Optimized)]
        public static bool Bounds(byte[] m, int nx, int ny, int nz, out int x0, out int x1, out int y0, out int y1, out int z0, out int z1)
        {
            x0 = int.MaxValue; x1 = -1; y0 = int.MaxValue; y1 = -1; z0 = int.MaxValue; z1 = -1;
            for (int k = 0; k < nz; k++)
            {
                int slab = k * nx * ny;
                if (VoxelConvert.AllZero(m, slab, nx * ny)) continue; // most slices of a lesion mask are empty
                for (int j = 0; j < ny; j++)
                {
                    int row = slab + j * nx;
                    if (VoxelConvert.AllZero(m, row, nx)) continue; // and most rows of the others
                    int a = 0, b = nx - 1;
                    while (m[row + a] == 0) a++;
                    while (m[row + b] == 0) b--;
                    if (a < x0) x0 = a;
                    if (b > x1) x1 = b;
                    if (j < y0) y0 = j;
                    if (j > y1) y1 = j;
                    if (k < z0) z0 = k;
                    z1 = k;
                }
            }
            return x1 >= 0;
        }

        /// <summary>A binarised copy (non-zero = 1) of the bounding box of a byte mask on <paramref name="grid"/>.</summary>
        [MethodImpl(JitHints.Optimized)]
        public static MaskBox Of(byte[] m, Grid grid)
        {
            int nx = grid.NX, ny = grid.NY;
            bool any = Bounds(m, nx, ny, grid.NZ, out int x0, out int x1, out int y0, out int y1, out int z0, out int z1);
            var box = new MaskBox(grid);
            if (!any) { box.Set(new byte[0], 0, 0, 0, 0, 0, 0); return box; }
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            var v = new byte[bx * by * bz];
            for (int k = 0; k < bz; k++)
                for (int j = 0; j < by; j++)
                {
                    int src = ((z0 + k) * ny + (y0 + j)) * nx + x0, dst = (k * by + j) * bx;
                    for (int i = 0; i < bx; i++) v[dst + i] = m[src + i] != 0 ? (byte)1 : (byte)0;
                }
            box.Set(v, x0, y0, z0, bx, by, bz);
            return box;
        }

        /// <summary>Copies the box into <paramref name="dst"/>, an array of bx × by voxels per slice whose first voxel is (ox, oy, oz) of the grid.</summary>
        public void CopyInto(byte[] dst, int ox, int oy, int oz, int bx, int by)
        {
            var v = Voxels;
            for (int k = 0; k < BZ; k++)
                for (int j = 0; j < BY; j++)
                    Buffer.BlockCopy(v, (k * BY + j) * BX, dst, ((Z0 + k - oz) * by + (Y0 + j - oy)) * bx + (X0 - ox), BX);
        }
    }
}
