using System;
using System.Globalization;
using System.Text;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>
    /// A 3D affine map between world spaces, held as a 4x4 matrix in RAS+ millimetres (NIfTI world
    /// coordinates) that maps a point of the fixed (reference) image to the moving image: the
    /// "pull" direction ITK, ANTs, elastix and MRtrix store, and what resampling needs (the output
    /// value at reference point y is the moving image at T(y)). Immutable.
    /// </summary>
    public sealed class AffineTransform : IFormattable
    {
        private readonly double[,] _m;

        /// <summary>A transform from a 4x4 (or 3x4) RAS matrix; the last row must be 0 0 0 1 and every element finite.</summary>
        public AffineTransform(double[,] matrix, string source = null)
        {
            if (matrix == null) throw new ArgumentNullException(nameof(matrix));
            int rows = matrix.GetLength(0), cols = matrix.GetLength(1);
            if (cols != 4 || (rows != 4 && rows != 3))
                throw new GeometryException(GeometryErrorKind.BadTransform, source, "an affine transform needs a 4x4 or 3x4 matrix, not " + rows + "x" + cols);
            _m = AffineMath.Identity();
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < 4; j++)
                {
                    double v = matrix[i, j];
                    if (double.IsNaN(v) || double.IsInfinity(v))
                        throw new GeometryException(GeometryErrorKind.BadTransform, source, "the matrix has a non-finite element at row " + (i + 1) + ", column " + (j + 1));
                    _m[i, j] = v;
                }
            if (rows == 4 && (Math.Abs(_m[3, 0]) > 1e-9 || Math.Abs(_m[3, 1]) > 1e-9 || Math.Abs(_m[3, 2]) > 1e-9 || Math.Abs(_m[3, 3] - 1) > 1e-9))
                throw new GeometryException(GeometryErrorKind.BadTransform, source, "the last row of an affine matrix must be 0 0 0 1, not " + Row(3));
            _m[3, 0] = 0; _m[3, 1] = 0; _m[3, 2] = 0; _m[3, 3] = 1;
            Source = source;
        }

        /// <summary>The identity: fixed and moving world coordinates are the same.</summary>
        public static AffineTransform Identity { get; } = new AffineTransform(AffineMath.Identity());

        /// <summary>The file the transform was read from, when it was (for messages).</summary>
        public string Source { get; }

        /// <summary>Copy of the 4x4 RAS fixed→moving matrix (mm).</summary>
        public double[,] Matrix => (double[,])_m.Clone();

        /// <summary>One element of the matrix (row, column 0-based) without copying it.</summary>
        public double this[int row, int column] => _m[row, column];

        /// <summary>True when the matrix is the identity within <paramref name="tolerance"/>.</summary>
        public bool IsIdentity(double tolerance = 1e-12)
        {
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    if (Math.Abs(_m[i, j] - (i == j ? 1 : 0)) > tolerance) return false;
            return true;
        }

        /// <summary>Determinant of the 3x3 linear part (negative for a reflection, 0 when singular).</summary>
        public double Determinant =>
            _m[0, 0] * (_m[1, 1] * _m[2, 2] - _m[1, 2] * _m[2, 1])
            - _m[0, 1] * (_m[1, 0] * _m[2, 2] - _m[1, 2] * _m[2, 0])
            + _m[0, 2] * (_m[1, 0] * _m[2, 1] - _m[1, 1] * _m[2, 0]);

        /// <summary>The moving-image world point of a fixed-image world point (RAS mm).</summary>
        public double[] Apply(double x, double y, double z) => new[]
        {
            _m[0, 0] * x + _m[0, 1] * y + _m[0, 2] * z + _m[0, 3],
            _m[1, 0] * x + _m[1, 1] * y + _m[1, 2] * z + _m[1, 3],
            _m[2, 0] * x + _m[2, 1] * y + _m[2, 2] * z + _m[2, 3],
        };

        /// <summary>The moving→fixed map. A singular (or nearly singular) matrix is a SingularMatrix error.</summary>
        public AffineTransform Inverse()
        {
            RequireInvertible(Source);
            return new AffineTransform(AffineMath.Invert(_m), Source);
        }

        /// <summary>
        /// Throws SingularMatrix when the linear part cannot be inverted reliably: its determinant is 0
        /// or tiny next to the size of its columns (a collapsed axis), as a resampling through it would
        /// sample one plane or line of the moving image.
        /// </summary>
        public void RequireInvertible(string path = null)
        {
            double scale = 1;
            for (int j = 0; j < 3; j++)
                scale *= Math.Sqrt(_m[0, j] * _m[0, j] + _m[1, j] * _m[1, j] + _m[2, j] * _m[2, j]);
            double det = Determinant;
            if (scale == 0 || Math.Abs(det) <= 1e-10 * scale || double.IsNaN(det))
                throw new GeometryException(GeometryErrorKind.SingularMatrix, path ?? Source,
                    "the transform's matrix is singular (determinant " + det.ToString("G4", CultureInfo.InvariantCulture) + "); it cannot be inverted");
        }

        /// <summary>
        /// The transform that applies the given ones in order: <c>Compose(a, b)</c> maps y to b(a(y)),
        /// its matrix is B·A. For fixed→moving chains, list the one starting at the fixed image first.
        /// </summary>
        public static AffineTransform Compose(params AffineTransform[] inOrder)
        {
            if (inOrder == null || inOrder.Length == 0) return Identity;
            var m = AffineMath.Identity();
            foreach (var t in inOrder)
            {
                if (t == null) throw new ArgumentNullException(nameof(inOrder));
                m = AffineMath.Multiply(t._m, m);
            }
            return new AffineTransform(m);
        }

        /// <summary>This transform followed by <paramref name="next"/>: y → next(this(y)).</summary>
        public AffineTransform Then(AffineTransform next) => Compose(this, next);

        /// <summary>The largest difference between corresponding matrix elements (rows 1-3).</summary>
        public double MaxDifference(AffineTransform other)
        {
            double d = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    d = Math.Max(d, Math.Abs(_m[i, j] - other._m[i, j]));
            return d;
        }

        private string Row(int i) => string.Join(" ", new[] { _m[i, 0], _m[i, 1], _m[i, 2], _m[i, 3] }.ToStringArray());

        /// <summary>The matrix as four lines of four numbers (round-trip precision).</summary>
        public string ToMatrixText()
        {
            var sb = new StringBuilder();
            for (int i = 0; i < 4; i++) sb.Append(Row(i)).Append('\n');
            return sb.ToString();
        }

        /// <summary>
        /// Formats "M" (or null, the general format): the 12 matrix elements with round-trip precision, so two
        /// transforms format alike only when equal (the output records compare parameters as text).
        /// </summary>
        public string ToString(string format, IFormatProvider formatProvider)
        {
            if (!string.IsNullOrEmpty(format) && format != "M" && format != "G") throw new FormatException("AffineTransform formats are M and G.");
            return "[" + Row(0) + "; " + Row(1) + "; " + Row(2) + "]";
        }

        public override string ToString()
        {
            var t = new[] { _m[0, 3], _m[1, 3], _m[2, 3] };
            return "AffineTransform (RAS fixed->moving) translation " + string.Join(" ", Array.ConvertAll(t, v => v.ToString("0.###", CultureInfo.InvariantCulture))) + " mm, det " + Determinant.ToString("0.####", CultureInfo.InvariantCulture);
        }
    }

    internal static class NumberText
    {
        /// <summary>Doubles in the invariant culture with round-trip precision ("R"), -0 written as 0.</summary>
        public static string[] ToStringArray(this double[] values)
        {
            var s = new string[values.Length];
            for (int i = 0; i < values.Length; i++) s[i] = Format(values[i]);
            return s;
        }

        public static string Format(double v) => (v == 0 ? 0.0 : v).ToString("R", CultureInfo.InvariantCulture);

        public static bool TryParse(string s, out double v) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && !double.IsNaN(v) && !double.IsInfinity(v);
    }
}
