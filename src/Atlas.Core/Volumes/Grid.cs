using System;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// The sampling grid of a 3D image: dimensions, voxel size and the voxel-to-world affine.
    /// Voxel (i,j,k) is stored at index i + NX*(j + NY*k) (NIfTI order, x fastest).
    /// </summary>
    public sealed class Grid : IFormattable
    {
        private readonly double[,] _affine;
        private readonly double[,] _inverse;

        public Grid(int nx, int ny, int nz, double[] voxelSizeMm, double[,] affine)
        {
            if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentException("Grid dimensions must be positive.");
            NX = nx; NY = ny; NZ = nz;
            _affine = (double[,])(affine ?? AffineMath.Identity()).Clone();
            if (voxelSizeMm == null)
            {
                voxelSizeMm = new double[3];
                for (int j = 0; j < 3; j++)
                    voxelSizeMm[j] = Math.Sqrt(_affine[0, j] * _affine[0, j] + _affine[1, j] * _affine[1, j] + _affine[2, j] * _affine[2, j]);
            }
            VoxelSizeMm = (double[])voxelSizeMm.Clone();
            try { _inverse = AffineMath.Invert(_affine); } catch (InvalidOperationException) { _inverse = null; }
            Orientation = AffineMath.OrientationCode(_affine);
        }

        /// <summary>An isotropic-or-not grid with a plain scaling affine (origin at voxel 0).</summary>
        public static Grid Create(int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1)
        {
            var a = AffineMath.Identity();
            a[0, 0] = sx; a[1, 1] = sy; a[2, 2] = sz;
            return new Grid(nx, ny, nz, new[] { sx, sy, sz }, a);
        }

        /// <summary>
        /// The grid of a header: dims 1..3, voxel size |pixdim| (the affine's column norms when
        /// pixdim is not positive), affine by the sform/qform/pixdim rule.
        /// </summary>
        public static Grid FromHeader(NiftiHeader h)
        {
            var a = AffineMath.FromHeader(h);
            var vs = new double[3];
            for (int j = 0; j < 3; j++)
            {
                double p = Math.Abs(h.PixDim[j + 1]);
                vs[j] = p > 0 && !double.IsNaN(p) ? p : Math.Sqrt(a[0, j] * a[0, j] + a[1, j] * a[1, j] + a[2, j] * a[2, j]);
                if (vs[j] == 0 || double.IsNaN(vs[j])) vs[j] = 1.0;
            }
            return new Grid((int)h.DimSize(1), (int)h.DimSize(2), (int)h.DimSize(3), vs, a);
        }

        public int NX { get; }
        public int NY { get; }
        public int NZ { get; }
        public int[] Dimensions => new[] { NX, NY, NZ };
        public long VoxelCount => (long)NX * NY * NZ;
        public double[] VoxelSizeMm { get; }
        public double VoxelVolumeMm3 => VoxelSizeMm[0] * VoxelSizeMm[1] * VoxelSizeMm[2];
        /// <summary>Copy of the voxel-to-world affine (mm).</summary>
        public double[,] Affine => (double[,])_affine.Clone();
        public double[,] InverseAffine => _inverse == null ? null : (double[,])_inverse.Clone();
        /// <summary>Axis codes of i, j, k (e.g. RAS, LAS).</summary>
        public string Orientation { get; }

        public int Index(int i, int j, int k) => i + NX * (j + NY * k);

        public bool Contains(int i, int j, int k) => i >= 0 && j >= 0 && k >= 0 && i < NX && j < NY && k < NZ;

        public double[] VoxelToWorld(double i, double j, double k)
        {
            var m = _affine;
            return new[]
            {
                m[0, 0] * i + m[0, 1] * j + m[0, 2] * k + m[0, 3],
                m[1, 0] * i + m[1, 1] * j + m[1, 2] * k + m[1, 3],
                m[2, 0] * i + m[2, 1] * j + m[2, 2] * k + m[2, 3],
            };
        }

        public double[] WorldToVoxel(double x, double y, double z)
        {
            if (_inverse == null) throw new InvalidOperationException("The affine is singular; world coordinates cannot be mapped to voxels.");
            var m = _inverse;
            return new[]
            {
                m[0, 0] * x + m[0, 1] * y + m[0, 2] * z + m[0, 3],
                m[1, 0] * x + m[1, 1] * y + m[1, 2] * z + m[1, 3],
                m[2, 0] * x + m[2, 1] * y + m[2, 2] * z + m[2, 3],
            };
        }

        /// <summary>Same dimensions and every affine element within <paramref name="toleranceMm"/>.</summary>
        public bool Matches(Grid other, double toleranceMm = 1e-3)
        {
            if (other == null || other.NX != NX || other.NY != NY || other.NZ != NZ) return false;
            return MaxAffineDifference(other) <= toleranceMm;
        }

        public double MaxAffineDifference(Grid other)
        {
            double d = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    d = Math.Max(d, Math.Abs(_affine[i, j] - other._affine[i, j]));
            return d;
        }

        /// <summary>Why two grids differ, for error messages; null when they match.</summary>
        public string DescribeMismatch(Grid other, double toleranceMm = 1e-3)
        {
            if (other.NX != NX || other.NY != NY || other.NZ != NZ)
                return "dimensions " + NX + "x" + NY + "x" + NZ + " and " + other.NX + "x" + other.NY + "x" + other.NZ + " differ";
            double d = MaxAffineDifference(other);
            if (d > toleranceMm) return "affines differ by up to " + d.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) + " mm";
            return null;
        }

        /// <summary>
        /// The general format (null or "G"): dimensions and the affine with round-trip precision, so two grids format
        /// alike only when equal (the output records compare parameters as text); ToString() is the short display.
        /// </summary>
        public string ToString(string format, IFormatProvider formatProvider)
        {
            if (!string.IsNullOrEmpty(format) && format != "G") throw new FormatException("Grid has only the general format G.");
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var sb = new System.Text.StringBuilder();
            sb.Append(NX).Append('x').Append(NY).Append('x').Append(NZ).Append(" affine [");
            for (int i = 0; i < 3; i++)
            {
                if (i > 0) sb.Append("; ");
                for (int j = 0; j < 4; j++) sb.Append(j > 0 ? " " : "").Append(_affine[i, j].ToString("R", inv));
            }
            return sb.Append(']').ToString();
        }

        public override string ToString() =>
            NX + "x" + NY + "x" + NZ + " @ " + string.Join("x", Array.ConvertAll(VoxelSizeMm, v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))) + " mm " + Orientation;
    }
}
