using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>
    /// elastix/transformix parameter files ("(Key value …)" lines, // comments). The transform maps
    /// fixed-image points to moving-image points in ITK's LPS world; an initial transform named in
    /// InitialTransformParametersFileName is combined as elastix does (Compose: T(x) = T1(T0(x));
    /// Add: T(x) = T0(x) + T1(x) - x).
    /// </summary>
    internal static class ElastixFiles
    {
        private const int MaxChain = 16;

        public static bool Looks(string text)
        {
            foreach (var raw in text.Split('\n'))
            {
                string line = StripComment(raw).Trim();
                if (line.Length == 0) continue;
                if (!line.StartsWith("(", StringComparison.Ordinal)) return false;
                if (line.StartsWith("(Transform ", StringComparison.Ordinal) || line.StartsWith("(TransformParameters", StringComparison.Ordinal)) return true;
            }
            return false;
        }

        private static string StripComment(string line)
        {
            int c = line.IndexOf("//", StringComparison.Ordinal);
            return c >= 0 ? line.Substring(0, c) : line;
        }

        /// <summary>Key → tokens (quotes removed) of every "(Key v1 v2 …)" line.</summary>
        private static Dictionary<string, string[]> Parse(string text, string path)
        {
            var d = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var raw in text.Split('\n'))
            {
                string line = StripComment(raw).Trim();
                if (line.Length == 0) continue;
                if (!line.StartsWith("(", StringComparison.Ordinal) || !line.EndsWith(")", StringComparison.Ordinal))
                    throw new GeometryException(GeometryErrorKind.BadTransform, path, "line '" + (line.Length > 60 ? line.Substring(0, 60) + "…" : line) + "' is not '(Key value …)' as in an elastix parameter file");
                var tokens = Tokens(line.Substring(1, line.Length - 2));
                if (tokens.Count == 0) continue;
                d[tokens[0]] = tokens.GetRange(1, tokens.Count - 1).ToArray();
            }
            return d;
        }

        private static List<string> Tokens(string s)
        {
            var list = new List<string>();
            int i = 0;
            while (i < s.Length)
            {
                if (char.IsWhiteSpace(s[i])) { i++; continue; }
                if (s[i] == '"')
                {
                    int e = s.IndexOf('"', i + 1);
                    if (e < 0) e = s.Length;
                    list.Add(s.Substring(i + 1, e - i - 1));
                    i = e + 1;
                }
                else
                {
                    int e = i;
                    while (e < s.Length && !char.IsWhiteSpace(s[e])) e++;
                    list.Add(s.Substring(i, e - i));
                    i = e;
                }
            }
            return list;
        }

        public static AffineTransform Read(string text, string path, int depth)
        {
            var d = Parse(text, path);
            if (!d.TryGetValue("Transform", out var tr) || tr.Length != 1)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "has no (Transform \"…\") entry, so it is not an elastix transform parameter file");
            if (d.TryGetValue("FixedImageDimension", out var fd) && fd.Length == 1 && fd[0] != "3")
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "is a " + fd[0] + "D transform; only 3D transforms are supported");
            var p = Numbers(d, "TransformParameters", path, true);
            var c = d.ContainsKey("CenterOfRotationPoint") ? Numbers(d, "CenterOfRotationPoint", path, true) : new double[3];
            if (c.Length != 3) throw new GeometryException(GeometryErrorKind.BadTransform, path, "CenterOfRotationPoint needs 3 numbers");
            double[,] lps;
            switch (tr[0])
            {
                case "AffineTransform":
                    TransformFiles.Count(p, 12, tr[0], path);
                    lps = TransformFiles.FromMatrixCentre(TransformFiles.Sub(p, 0, 9), TransformFiles.Sub(p, 9, 3), c);
                    break;
                case "EulerTransform":
                    TransformFiles.Count(p, 6, tr[0], path);
                    bool zyx = d.TryGetValue("ComputeZYX", out var z) && z.Length == 1 && z[0].Equals("true", StringComparison.OrdinalIgnoreCase);
                    lps = TransformFiles.FromMatrixCentre(TransformFiles.EulerMatrix(p[0], p[1], p[2], zyx), TransformFiles.Sub(p, 3, 3), c);
                    break;
                case "SimilarityTransform":
                    TransformFiles.Count(p, 7, tr[0], path);
                    lps = TransformFiles.FromMatrixCentre(TransformFiles.VersorMatrix(p[0], p[1], p[2], p[6], path), TransformFiles.Sub(p, 3, 3), c);
                    break;
                case "TranslationTransform":
                    TransformFiles.Count(p, 3, tr[0], path);
                    lps = TransformFiles.FromMatrixCentre(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, p, new double[3]);
                    break;
                default:
                    throw new GeometryException(GeometryErrorKind.BadTransform, path, "'" + tr[0] + "' is not an affine elastix transform (AffineTransform, EulerTransform, SimilarityTransform, TranslationTransform)");
            }
            var current = new AffineTransform(TransformFiles.FlipLpsRas(lps), path);

            if (!d.TryGetValue("InitialTransformParametersFileName", out var init) || init.Length == 0 || init[0] == "NoInitialTransform") return current;
            if (depth >= MaxChain) throw new GeometryException(GeometryErrorKind.BadTransform, path, "the chain of initial transforms is longer than " + MaxChain + " (a loop?)");
            string initPath = init[0];
            if (!Path.IsPathRooted(initPath) && !File.Exists(initPath)) initPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "", initPath);
            if (!File.Exists(initPath))
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "its initial transform '" + init[0] + "' does not exist");
            var initial = Read(File.ReadAllText(initPath), initPath, depth + 1);
            string how = d.TryGetValue("HowToCombineTransforms", out var h) && h.Length == 1 ? h[0] : "Compose";
            if (how == "Compose") return new AffineTransform(AffineTransform.Compose(initial, current).Matrix, path);
            if (how == "Add")
            {
                var a = initial.Matrix; var b = current.Matrix; var m = AffineMath.Identity();
                for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) m[i, j] = a[i, j] + b[i, j] - (i == j ? 1 : 0);
                return new AffineTransform(m, path);
            }
            throw new GeometryException(GeometryErrorKind.BadTransform, path, "HowToCombineTransforms '" + how + "' is neither Compose nor Add");
        }

        /// <summary>An AffineTransform parameter file for transformix on the fixed grid (LPS origin, column-major direction cosines).</summary>
        public static string ToText(AffineTransform t, Grid fixedGrid)
        {
            var p = TransformFiles.LpsParameters(t);
            var a = AffineMath.Multiply(TransformFiles.RasToLps(), fixedGrid.Affine);
            var spacing = new double[3];
            for (int j = 0; j < 3; j++) spacing[j] = Math.Sqrt(a[0, j] * a[0, j] + a[1, j] * a[1, j] + a[2, j] * a[2, j]);
            var dir = new double[9];
            for (int j = 0; j < 3; j++) for (int i = 0; i < 3; i++) dir[3 * j + i] = a[i, j] / spacing[j];
            var sb = new StringBuilder();
            sb.Append("// Written by Atlas.Psm: an affine transform from fixed-image points to moving-image points (LPS mm)\n");
            sb.Append("(Transform \"AffineTransform\")\n(NumberOfParameters 12)\n");
            sb.Append("(TransformParameters ").Append(Join(p)).Append(")\n");
            sb.Append("(InitialTransformParametersFileName \"NoInitialTransform\")\n(HowToCombineTransforms \"Compose\")\n");
            sb.Append("(FixedImageDimension 3)\n(MovingImageDimension 3)\n");
            sb.Append("(FixedInternalImagePixelType \"float\")\n(MovingInternalImagePixelType \"float\")\n");
            sb.Append("(Size ").Append(fixedGrid.NX).Append(' ').Append(fixedGrid.NY).Append(' ').Append(fixedGrid.NZ).Append(")\n");
            sb.Append("(Index 0 0 0)\n");
            sb.Append("(Spacing ").Append(Join(spacing)).Append(")\n");
            sb.Append("(Origin ").Append(Join(new[] { a[0, 3], a[1, 3], a[2, 3] })).Append(")\n");
            sb.Append("(Direction ").Append(Join(dir)).Append(")\n");
            sb.Append("(UseDirectionCosines \"true\")\n(CenterOfRotationPoint 0 0 0)\n");
            sb.Append("(ResampleInterpolator \"FinalBSplineInterpolator\")\n(FinalBSplineInterpolationOrder 3)\n");
            sb.Append("(Resampler \"DefaultResampler\")\n(DefaultPixelValue 0)\n");
            sb.Append("(ResultImageFormat \"nii.gz\")\n(ResultImagePixelType \"float\")\n(CompressResultImage \"false\")\n");
            return sb.ToString();
        }

        private static string Join(double[] v) => string.Join(" ", v.ToStringArray());

        private static double[] Numbers(Dictionary<string, string[]> d, string key, string path, bool required)
        {
            if (!d.TryGetValue(key, out var tok))
            {
                if (!required) return null;
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "has no (" + key + " …) entry");
            }
            return TransformFiles.Numbers(tok, 0, path, key);
        }


    }
}
