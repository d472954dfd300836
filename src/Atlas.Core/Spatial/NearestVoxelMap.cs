using System;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>
    /// For each voxel of a source grid, the voxel of a target image nearest to its centre: both grids place
    /// their voxels in world space by their affines, and an optional affine carries source world points to
    /// target world points (a native scan to its template). The source-voxel → target-voxel matrix
    /// (A_target⁻¹·W·A_source, <see cref="Resampler.VoxelMap"/>) is made once, so a look-up is nine
    /// multiply-adds and a rounding, never a matrix inversion. A centre lying beyond the target's outer
    /// voxels (more than half a voxel past their centres) has no voxel: -1. A point on the face between two
    /// voxels (within 1e-6 voxel) goes to the higher one, as the snapshot sampler has it.
    /// </summary>
    public sealed class NearestVoxelMap
    {
        private const double Eps = 1e-6;
        private readonly double _m00, _m01, _m02, _m03, _m10, _m11, _m12, _m13, _m20, _m21, _m22, _m23;
        private readonly int _nx, _ny, _nz;

        private NearestVoxelMap(double[,] m, Grid target, bool identity)
        {
            _m00 = m[0, 0]; _m01 = m[0, 1]; _m02 = m[0, 2]; _m03 = m[0, 3];
            _m10 = m[1, 0]; _m11 = m[1, 1]; _m12 = m[1, 2]; _m13 = m[1, 3];
            _m20 = m[2, 0]; _m21 = m[2, 1]; _m22 = m[2, 2]; _m23 = m[2, 3];
            _nx = target.NX; _ny = target.NY; _nz = target.NZ;
            IsIdentity = identity;
        }

        /// <summary>
        /// The map from <paramref name="source"/>'s voxels to <paramref name="target"/>'s. Without a transform, grids
        /// that match (dimensions and affines within <see cref="GridCheck.DefaultToleranceMm"/>) map each voxel to
        /// itself (<see cref="IsIdentity"/>), as the voxel-wise combination of two masks on one grid always did.
        /// A singular target affine or transform is a SingularMatrix error naming <paramref name="targetPath"/>.
        /// </summary>
        /// <param name="sourceToTarget">Source world → target world (RAS mm); null for one world space.</param>
        public static NearestVoxelMap Create(Grid source, Grid target, AffineTransform sourceToTarget = null, string targetPath = null)
        {
            if (source == null) throw new ArgumentNullException(nameof(source));
            if (target == null) throw new ArgumentNullException(nameof(target));
            bool identity = sourceToTarget == null && source.Matches(target, GridCheck.DefaultToleranceMm);
            var m = identity ? AffineMath.Identity() : Resampler.VoxelMap(target, source, sourceToTarget, targetPath);
            return new NearestVoxelMap(m, target, identity);
        }

        /// <summary>True when every source voxel is the target voxel of the same index.</summary>
        public bool IsIdentity { get; }

        /// <summary>The target's voxel index (i + NX·(j + NY·k)) nearest to source voxel (i, j, k), or -1 outside the target.</summary>
        public long IndexOf(int i, int j, int k)
        {
            double x = _m00 * i + _m01 * j + _m02 * k + _m03;
            double y = _m10 * i + _m11 * j + _m12 * k + _m13;
            double z = _m20 * i + _m21 * j + _m22 * k + _m23;
            double fi = Math.Floor(x + 0.5 + Eps), fj = Math.Floor(y + 0.5 + Eps), fk = Math.Floor(z + 0.5 + Eps);
            if (fi < 0 || fj < 0 || fk < 0 || fi >= _nx || fj >= _ny || fk >= _nz) return -1;
            return (long)fi + _nx * ((long)fj + (long)_ny * (long)fk);
        }
    }
}
