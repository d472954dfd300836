using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Atlas.Core.Metrics
{
    /// <summary>
    /// The one definition of a mask's surface used by every surface-distance metric: the mask
    /// voxels with at least one of their 6 face neighbours outside the mask, where a neighbour
    /// beyond the edge of the image counts as outside (MedPy's and MONAI's border rule for a
    /// 6-connected erosion: the mask minus its erosion by the 3×3×3 cross).
    /// </summary>
    public static class MaskSurface
    {
        /// <summary>
        /// Surface of <paramref name="mask"/> (non-zero = inside) on an nx × ny × nz grid, x fastest.
        /// Returns a new 0/1 array of the same length.
        /// </summary>
        public static byte[] Compute(byte[] mask, int nx, int ny, int nz)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            if ((long)nx * ny * nz != mask.LongLength) throw new ArgumentException("Mask length " + mask.LongLength + " does not match " + nx + "x" + ny + "x" + nz + ".");
            var surface = new byte[mask.Length];
            int sxy = nx * ny;
            Parallel.For(0, nz, [MethodImpl(JitHints.Optimized)] (k) =>
            {
                for (int j = 0; j < ny; j++)
                {
                    int row = nx * (j + ny * k);
                    for (int i = 0; i < nx; i++)
                    {
                        int p = row + i;
                        if (mask[p] == 0) continue;
                        bool edge =
                            i == 0 || mask[p - 1] == 0 ||
                            i == nx - 1 || mask[p + 1] == 0 ||
                            j == 0 || mask[p - nx] == 0 ||
                            j == ny - 1 || mask[p + nx] == 0 ||
                            k == 0 || mask[p - sxy] == 0 ||
                            k == nz - 1 || mask[p + sxy] == 0;
                        if (edge) surface[p] = 1;
                    }
                }
            });
            return surface;
        }
    }
}
