using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>The transform file conventions Atlas.Psm reads and writes.</summary>
    public enum TransformFormat
    {
        /// <summary>Read: decided by the content (and .mat for FSL). Write: .txt/.tfm ITK, .mat FSL.</summary>
        Auto,
        /// <summary>ITK/ANTs transform: "#Insight Transform File V1.0" text, or ANTs' binary .mat (MATLAB v4); LPS, fixed→moving.</summary>
        Itk,
        /// <summary>elastix/transformix parameter file (TransformParameters.0.txt); LPS, fixed→moving.</summary>
        Elastix,
        /// <summary>FSL FLIRT .mat: 4x4 in scaled-voxel coordinates, input(moving)→reference(fixed); needs both images.</summary>
        Fsl,
        /// <summary>A plain 4x4 RAS world matrix, fixed→moving (the convention of MRtrix's transform files).</summary>
        RasMatrix,
    }

    /// <summary>
    /// Reads and writes affine transforms in ITK/ANTs, elastix, FSL FLIRT and plain RAS-matrix files,
    /// converting each convention to the one <see cref="AffineTransform"/> holds (RAS world, fixed→moving).
    /// ITK and elastix work in LPS world coordinates (x and y negated); FSL in scaled voxel coordinates
    /// with the x axis flipped when the voxel-to-world determinant is positive (FLIRT's convention, as
    /// MRtrix's transformconvert flirt_import and nibabel's FSL code implement it).
    /// </summary>
    public static class TransformFiles
    {
        private const long MaxTextBytes = 1 << 20;

        /// <summary>Reads an affine transform. FSL files need both grids (TransformNeedsImages otherwise).</summary>
        public static AffineTransform Read(string path, TransformFormat format = TransformFormat.Auto, Grid fixedGrid = null, Grid movingGrid = null) =>
            FromBytes(path, ReadBytes(path), format, fixedGrid, movingGrid);

        /// <summary>The bytes of a transform file: a missing file, a folder or a file too large to be one is an error naming it.</summary>
        internal static byte[] ReadBytes(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (Directory.Exists(path)) throw new GeometryException(GeometryErrorKind.BadTransform, path, "is a folder, not a transform file");
            if (!File.Exists(path)) throw new FileNotFoundException("Cannot find the transform file '" + path + "'.", path);
            var info = new FileInfo(path);
            if (info.Length > MaxTextBytes)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "is not a transform file (" + info.Length + " bytes; transform files are small text files)");
            return File.ReadAllBytes(path);
        }

        internal static AffineTransform FromBytes(string path, byte[] bytes, TransformFormat format, Grid fixedGrid, Grid movingGrid)
        {
            if (format == TransformFormat.Auto) format = Detect(path, bytes);
            switch (format)
            {
                case TransformFormat.Itk:
                    if (MatlabV4.Looks(bytes)) return ItkFiles.FromMatlab(bytes, path);
                    return ItkFiles.FromText(Text(bytes, path), path);
                case TransformFormat.Elastix: return ElastixFiles.Read(Text(bytes, path), path, 0);
                case TransformFormat.Fsl: return FslFiles.ToTransform(MatrixText.Parse(Text(bytes, path), path, "an FSL .mat"), fixedGrid, movingGrid, path);
                case TransformFormat.RasMatrix: return new AffineTransform(MatrixText.Parse(Text(bytes, path), path, "a 4x4 matrix file"), path);
                default: throw new ArgumentOutOfRangeException(nameof(format));
            }
        }

        /// <summary>
        /// Writes <paramref name="transform"/> atomically. Auto chooses by extension (.txt/.tfm ITK, .mat FSL).
        /// Itk to a .mat file writes ANTs' binary MATLAB form. FSL needs both grids, elastix the fixed grid.
        /// </summary>
        public static void Write(string path, AffineTransform transform, TransformFormat format, Grid fixedGrid = null, Grid movingGrid = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (transform == null) throw new ArgumentNullException(nameof(transform));
            if (format == TransformFormat.Auto) format = FormatForExtension(path);
            switch (format)
            {
                case TransformFormat.Itk:
                    if (path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase)) AtomicFile.WriteAllBytes(path, ItkFiles.ToMatlab(transform));
                    else AtomicFile.WriteAllText(path, ItkFiles.ToText(transform));
                    break;
                case TransformFormat.Elastix:
                    if (fixedGrid == null)
                        throw new GeometryException(GeometryErrorKind.TransformNeedsImages, path, "an elastix parameter file records the fixed image's grid (Size, Spacing, Origin, Direction); give the fixed image");
                    AtomicFile.WriteAllText(path, ElastixFiles.ToText(transform, fixedGrid));
                    break;
                case TransformFormat.Fsl:
                    AtomicFile.WriteAllText(path, MatrixText.Format(FslFiles.FromTransform(transform, fixedGrid, movingGrid, path)));
                    break;
                case TransformFormat.RasMatrix:
                    AtomicFile.WriteAllText(path, transform.ToMatrixText());
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(format));
            }
        }

        /// <summary>The format Auto means for writing a path: .txt/.tfm ITK, .mat FSL; anything else needs an explicit format.</summary>
        public static TransformFormat FormatForExtension(string path)
        {
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext == ".txt" || ext == ".tfm") return TransformFormat.Itk;
            if (ext == ".mat") return TransformFormat.Fsl;
            throw new ArgumentException(path + ": cannot tell the transform format from the extension '" + ext + "' (.txt or .tfm is ITK, .mat is FSL); give the format explicitly.");
        }

        /// <summary>The format of a file's content (ITK text or ANTs .mat, elastix, or a numeric matrix: FSL when .mat, else RAS).</summary>
        public static TransformFormat Detect(string path, byte[] bytes)
        {
            if (MatlabV4.Looks(bytes)) return TransformFormat.Itk;
            string text = Text(bytes, path);
            string head = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (head.StartsWith("#Insight Transform File", StringComparison.OrdinalIgnoreCase)) return TransformFormat.Itk;
            if (ElastixFiles.Looks(text)) return TransformFormat.Elastix;
            if (MatrixText.TryParse(text, out _))
                return path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase) ? TransformFormat.Fsl : TransformFormat.RasMatrix;
            throw new GeometryException(GeometryErrorKind.BadTransform, path,
                "is not a transform file: expected an ITK/ANTs transform (#Insight Transform File), an elastix parameter file, an FSL .mat or a 4x4 matrix");
        }

        internal static string Text(byte[] bytes, string path)
        {
            // A transform file is text: NUL bytes mean an image or another binary file was given.
            if (Array.IndexOf(bytes, (byte)0) >= 0)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "is a binary file, not a transform file");
            return Encoding.UTF8.GetString(bytes);
        }

        // -------------------------------------------------------------- shared conventions

        /// <summary>diag(-1,-1,1,1): RAS ↔ LPS (its own inverse).</summary>
        internal static double[,] RasToLps()
        {
            var f = AffineMath.Identity();
            f[0, 0] = -1; f[1, 1] = -1;
            return f;
        }

        /// <summary>A matrix between LPS worlds (ITK, elastix) as the same map between RAS worlds: F·M·F.</summary>
        internal static double[,] FlipLpsRas(double[,] m) => AffineMath.Multiply(RasToLps(), AffineMath.Multiply(m, RasToLps()));

        /// <summary>
        /// ITK's matrix-offset form: p' = A(p - c) + t + c, so the 4x4 has A and offset t + c - A c.
        /// </summary>
        internal static double[,] FromMatrixCentre(double[] a9, double[] t, double[] c)
        {
            var m = AffineMath.Identity();
            for (int i = 0; i < 3; i++)
            {
                double off = t[i] + c[i];
                for (int j = 0; j < 3; j++) { m[i, j] = a9[3 * i + j]; off -= a9[3 * i + j] * c[j]; }
                m[i, 3] = off;
            }
            return m;
        }

        internal static double[] Numbers(string[] tokens, int start, string path, string what)
        {
            var v = new double[tokens.Length - start];
            for (int i = start; i < tokens.Length; i++)
                if (!NumberText.TryParse(tokens[i], out v[i - start]))
                    throw new GeometryException(GeometryErrorKind.BadTransform, path, what + " has '" + tokens[i] + "', which is not a finite number");
            return v;
        }

        /// <summary>ITK's 12 affine parameters of a transform (LPS matrix row by row, then the translation; centre 0).</summary>
        internal static double[] LpsParameters(AffineTransform t)
        {
            var lps = FlipLpsRas(t.Matrix);
            var p = new double[12];
            for (int i = 0; i < 3; i++) { for (int j = 0; j < 3; j++) p[3 * i + j] = lps[i, j]; p[9 + i] = lps[i, 3]; }
            return p;
        }

        internal static void Count(double[] p, int n, string type, string path)
        {
            if (p == null || p.Length != n)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, type + " needs " + n + " parameters, the file has " + (p == null ? 0 : p.Length));
        }

        internal static double[] Sub(double[] a, int start, int n)
        {
            var r = new double[n];
            Array.Copy(a, start, r, 0, n);
            return r;
        }

        /// <summary>Rotation about x, then y, then z (ITK Euler3DTransform; ZYX order when <paramref name="zyx"/>, else Z·X·Y).</summary>
        internal static double[] EulerMatrix(double rx, double ry, double rz, bool zyx)
        {
            var x = new[,] { { 1, 0, 0 }, { 0, Math.Cos(rx), -Math.Sin(rx) }, { 0, Math.Sin(rx), Math.Cos(rx) } };
            var y = new[,] { { Math.Cos(ry), 0, Math.Sin(ry) }, { 0, 1, 0 }, { -Math.Sin(ry), 0, Math.Cos(ry) } };
            var z = new[,] { { Math.Cos(rz), -Math.Sin(rz), 0 }, { Math.Sin(rz), Math.Cos(rz), 0 }, { 0, 0, 1 } };
            var r = zyx ? Mul3(z, Mul3(y, x)) : Mul3(z, Mul3(x, y));
            return Flatten(r);
        }

        /// <summary>The rotation of a versor (unit quaternion vector part; ITK VersorRigid3D / Similarity3D), scaled.</summary>
        internal static double[] VersorMatrix(double x, double y, double z, double scale, string path)
        {
            double n2 = x * x + y * y + z * z;
            if (n2 > 1 + 1e-9) throw new GeometryException(GeometryErrorKind.BadTransform, path, "the versor's norm is larger than 1");
            double w = Math.Sqrt(Math.Max(0, 1 - n2));
            var r = new[,]
            {
                { 1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w) },
                { 2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w) },
                { 2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y) },
            };
            var f = Flatten(r);
            for (int i = 0; i < 9; i++) f[i] *= scale;
            return f;
        }

        private static double[,] Mul3(double[,] a, double[,] b)
        {
            var m = new double[3, 3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) m[i, j] += a[i, k] * b[k, j];
            return m;
        }

        private static double[] Flatten(double[,] r)
        {
            var f = new double[9];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) f[3 * i + j] = r[i, j];
            return f;
        }
    }

    /// <summary>
    /// A transform file opened once and applied to many images: ITK, elastix and RAS-matrix files are read at
    /// once; an FSL .mat relates the voxels of two images, so it is checked at once and made into a transform
    /// for each pair of grids (<see cref="For"/>).
    /// </summary>
    public sealed class TransformFileSource
    {
        private readonly AffineTransform _transform;
        private readonly double[,] _flirt;

        private TransformFileSource(string path, TransformFormat format, AffineTransform transform, double[,] flirt)
        {
            Path = path; Format = format; _transform = transform; _flirt = flirt;
        }

        public string Path { get; }
        /// <summary>The format read (never Auto).</summary>
        public TransformFormat Format { get; }
        /// <summary>True for an FSL .mat: <see cref="For"/> needs the fixed and the moving grid.</summary>
        public bool NeedsGrids => _transform == null;

        /// <summary>Reads <paramref name="path"/> (format by content and extension unless given); a file that is not a transform is a BadTransform error naming it.</summary>
        public static TransformFileSource Open(string path, TransformFormat format = TransformFormat.Auto)
        {
            byte[] bytes = TransformFiles.ReadBytes(path);
            if (format == TransformFormat.Auto) format = TransformFiles.Detect(path, bytes);
            if (format == TransformFormat.Fsl)
                return new TransformFileSource(path, format, null, MatrixText.Parse(TransformFiles.Text(bytes, path), path, "an FSL .mat"));
            return new TransformFileSource(path, format, TransformFiles.FromBytes(path, bytes, format, null, null), null);
        }

        /// <summary>The transform (RAS, fixed→moving); the grids are used only by an FSL .mat, which needs both (TransformNeedsImages).</summary>
        public AffineTransform For(Grid fixedGrid, Grid movingGrid) =>
            _transform ?? FslFiles.ToTransform(_flirt, fixedGrid, movingGrid, Path);
    }

    /// <summary>Numeric matrix text: 3 or 4 lines of 4 numbers; '#' lines and blank lines ignored.</summary>
    internal static class MatrixText
    {
        public static bool TryParse(string text, out double[,] m)
        {
            m = null;
            var rows = new List<double[]>();
            foreach (var raw in text.Split('\n'))
            {
                string line = raw.Trim().TrimStart('\uFEFF');
                if (line.Length == 0 || line[0] == '#') continue;
                var tok = line.Split(new[] { ' ', '\t', ',' }, StringSplitOptions.RemoveEmptyEntries);
                if (tok.Length != 4) return false;
                var r = new double[4];
                for (int j = 0; j < 4; j++) if (!NumberText.TryParse(tok[j], out r[j])) return false;
                rows.Add(r);
            }
            if (rows.Count != 4 && rows.Count != 3) return false;
            m = new double[rows.Count, 4];
            for (int i = 0; i < rows.Count; i++) for (int j = 0; j < 4; j++) m[i, j] = rows[i][j];
            return true;
        }

        public static double[,] Parse(string text, string path, string what)
        {
            if (!TryParse(text, out var m))
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "is not " + what + ": expected 4 lines (or 3) of 4 numbers");
            return m;
        }

        public static string Format(double[,] m)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < 4; i++)
                sb.Append(string.Join("  ", new[] { m[i, 0], m[i, 1], m[i, 2], m[i, 3] }.ToStringArray())).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>FSL FLIRT matrices: scaled voxel coordinates (x flipped for a positive-determinant affine), input→reference.</summary>
    internal static class FslFiles
    {
        /// <summary>
        /// Voxel → FSL scaled-voxel coordinates of a grid: diag(voxel size), with i mirrored
        /// (i → nx-1-i) first when the voxel-to-world determinant is positive (FLIRT's rule; see
        /// FSL's miscmaths/newimage "swapping" and MRtrix's flirt_import).
        /// </summary>
        public static double[,] VoxelToFsl(Grid g)
        {
            var s = AffineMath.Identity();
            for (int i = 0; i < 3; i++) s[i, i] = g.VoxelSizeMm[i];
            var a = g.Affine;
            double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0]) + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
            if (det > 0)
            {
                var flip = AffineMath.Identity();
                flip[0, 0] = -1; flip[0, 3] = g.NX - 1;
                s = AffineMath.Multiply(s, flip);
            }
            return s;
        }

        private static void Require(Grid fixedGrid, Grid movingGrid, string path)
        {
            if (fixedGrid == null || movingGrid == null)
                throw new GeometryException(GeometryErrorKind.TransformNeedsImages, path,
                    "an FSL .mat relates the voxels of two images; give both the reference (fixed) image and the input (moving) image it was made with");
            if (fixedGrid.InverseAffine == null || movingGrid.InverseAffine == null)
                throw new GeometryException(GeometryErrorKind.SingularMatrix, path, "an image's voxel-to-world affine is singular");
        }

        /// <summary>FLIRT F (input scaled mm → reference scaled mm) to RAS fixed→moving: A_in·S_in⁻¹·F⁻¹·S_ref·A_ref⁻¹.</summary>
        public static AffineTransform ToTransform(double[,] flirt, Grid fixedGrid, Grid movingGrid, string path)
        {
            Require(fixedGrid, movingGrid, path);
            var f = new AffineTransform(flirt, path);
            var finv = f.Inverse().Matrix;
            var m = AffineMath.Multiply(movingGrid.Affine,
                AffineMath.Multiply(AffineMath.Invert(VoxelToFsl(movingGrid)),
                AffineMath.Multiply(finv, AffineMath.Multiply(VoxelToFsl(fixedGrid), fixedGrid.InverseAffine))));
            return new AffineTransform(m, path);
        }

        public static double[,] FromTransform(AffineTransform t, Grid fixedGrid, Grid movingGrid, string path)
        {
            Require(fixedGrid, movingGrid, path);
            var inv = t.Inverse().Matrix; // moving world → fixed world
            return AffineMath.Multiply(VoxelToFsl(fixedGrid),
                AffineMath.Multiply(fixedGrid.InverseAffine,
                AffineMath.Multiply(inv, AffineMath.Multiply(movingGrid.Affine, AffineMath.Invert(VoxelToFsl(movingGrid))))));
        }
    }
}
