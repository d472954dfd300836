using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>
    /// ITK transform files: the "#Insight Transform File V1.0" text form (itk::TxtTransformIO) and the
    /// binary MATLAB v4 form ANTs writes as *GenericAffine.mat (itk::MatlabTransformIO). Both hold
    /// transforms between LPS worlds, fixed→moving, with the centre in FixedParameters.
    /// </summary>
    internal static class ItkFiles
    {
        private sealed class Entry
        {
            public string Type;
            public double[] Parameters = new double[0];
            public double[] Fixed = new double[0];
        }

        public static AffineTransform FromText(string text, string path)
        {
            var entries = new List<Entry>();
            Entry cur = null;
            foreach (var raw in text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                int colon = line.IndexOf(':');
                if (colon < 0) throw new GeometryException(GeometryErrorKind.BadTransform, path, "line '" + Short(line) + "' is not 'Key: values' as in an ITK transform file");
                string key = line.Substring(0, colon).Trim();
                var tok = line.Substring(colon + 1).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (key.Equals("Transform", StringComparison.OrdinalIgnoreCase))
                {
                    if (tok.Length != 1) throw new GeometryException(GeometryErrorKind.BadTransform, path, "a 'Transform:' line must name one transform type");
                    cur = new Entry { Type = tok[0] };
                    entries.Add(cur);
                }
                else if (key.Equals("Parameters", StringComparison.OrdinalIgnoreCase))
                {
                    if (cur == null) throw new GeometryException(GeometryErrorKind.BadTransform, path, "'Parameters:' comes before any 'Transform:' line");
                    cur.Parameters = TransformFiles.Numbers(tok, 0, path, "Parameters");
                }
                else if (key.Equals("FixedParameters", StringComparison.OrdinalIgnoreCase))
                {
                    if (cur == null) throw new GeometryException(GeometryErrorKind.BadTransform, path, "'FixedParameters:' comes before any 'Transform:' line");
                    cur.Fixed = TransformFiles.Numbers(tok, 0, path, "FixedParameters");
                }
            }
            if (entries.Count == 0) throw new GeometryException(GeometryErrorKind.BadTransform, path, "has no 'Transform:' line");

            // A CompositeTransform lists its parts after it; ITK applies the last listed first
            // (itk::CompositeTransform: T0(T1(...Tn(x)))), so the matrix is M1·M2·…·Mn.
            int first = 0;
            if (BaseName(entries[0].Type, path) == "CompositeTransform") first = 1;
            else if (entries.Count > 1)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "holds " + entries.Count + " transforms but no CompositeTransform that combines them");
            if (entries.Count == first) throw new GeometryException(GeometryErrorKind.BadTransform, path, "the CompositeTransform holds no transforms");
            var lps = AffineMath.Identity();
            for (int i = first; i < entries.Count; i++)
            {
                var e = entries[i];
                lps = AffineMath.Multiply(lps, ToLpsMatrix(e.Type, e.Parameters, e.Fixed, path));
            }
            return new AffineTransform(TransformFiles.FlipLpsRas(lps), path);
        }

        public static string ToText(AffineTransform t)
        {
            var p = TransformFiles.LpsParameters(t);
            var sb = new StringBuilder();
            sb.Append("#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n");
            sb.Append("Parameters: ").Append(string.Join(" ", p.ToStringArray())).Append('\n');
            sb.Append("FixedParameters: 0 0 0\n");
            return sb.ToString();
        }

        public static AffineTransform FromMatlab(byte[] bytes, string path)
        {
            var vars = MatlabV4.Read(bytes, path);
            string type = null; double[] p = null, f = new double[0];
            foreach (var kv in vars)
            {
                if (kv.Key == "fixed") f = kv.Value;
                else if (type == null) { type = kv.Key; p = kv.Value; }
            }
            if (type == null) throw new GeometryException(GeometryErrorKind.BadTransform, path, "the MATLAB file holds no transform variable");
            return new AffineTransform(TransformFiles.FlipLpsRas(ToLpsMatrix(type, p, f, path)), path);
        }

        public static byte[] ToMatlab(AffineTransform t)
        {
            var p = TransformFiles.LpsParameters(t);
            using (var ms = new MemoryStream())
            {
                MatlabV4.WriteVariable(ms, "AffineTransform_double_3_3", p);
                MatlabV4.WriteVariable(ms, "fixed", new double[3]);
                return ms.ToArray();
            }
        }

        private static string BaseName(string type, string path)
        {
            foreach (var suffix in new[] { "_double_3_3", "_float_3_3", "_double_3", "_float_3" })
                if (type.EndsWith(suffix, StringComparison.Ordinal)) return type.Substring(0, type.Length - suffix.Length);
            if (type.StartsWith("CompositeTransform", StringComparison.Ordinal)) return "CompositeTransform";
            throw new GeometryException(GeometryErrorKind.BadTransform, path, "transform type '" + type + "' is not a 3D transform (expected a name ending in _double_3_3)");
        }

        /// <summary>The 4x4 LPS matrix of one ITK transform from its type, parameters and fixed parameters.</summary>
        private static double[,] ToLpsMatrix(string type, double[] p, double[] f, string path)
        {
            string name = BaseName(type, path);
            double[] c = f.Length >= 3 ? new[] { f[0], f[1], f[2] } : new double[3];
            switch (name)
            {
                case "AffineTransform":
                case "MatrixOffsetTransformBase":
                    TransformFiles.Count(p, 12, type, path);
                    return TransformFiles.FromMatrixCentre(TransformFiles.Sub(p, 0, 9), TransformFiles.Sub(p, 9, 3), c);
                case "Euler3DTransform":
                    TransformFiles.Count(p, 6, type, path);
                    return TransformFiles.FromMatrixCentre(TransformFiles.EulerMatrix(p[0], p[1], p[2], f.Length >= 4 && f[3] != 0), TransformFiles.Sub(p, 3, 3), c);
                case "VersorRigid3DTransform":
                    TransformFiles.Count(p, 6, type, path);
                    return TransformFiles.FromMatrixCentre(TransformFiles.VersorMatrix(p[0], p[1], p[2], 1, path), TransformFiles.Sub(p, 3, 3), c);
                case "Similarity3DTransform":
                    TransformFiles.Count(p, 7, type, path);
                    return TransformFiles.FromMatrixCentre(TransformFiles.VersorMatrix(p[0], p[1], p[2], p[6], path), TransformFiles.Sub(p, 3, 3), c);
                case "TranslationTransform":
                    TransformFiles.Count(p, 3, type, path);
                    return TransformFiles.FromMatrixCentre(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, p, new double[3]);
                case "IdentityTransform":
                    return AffineMath.Identity();
                case "CompositeTransform":
                    throw new GeometryException(GeometryErrorKind.BadTransform, path, "a CompositeTransform inside a CompositeTransform is not supported");
                default:
                    throw new GeometryException(GeometryErrorKind.BadTransform, path, "'" + type + "' is not an affine transform Atlas.Psm reads (AffineTransform, MatrixOffsetTransformBase, Euler3DTransform, VersorRigid3DTransform, Similarity3DTransform, TranslationTransform)");
            }
        }



        private static string Short(string s) => s.Length > 60 ? s.Substring(0, 60) + "…" : s;
    }

    /// <summary>
    /// The MATLAB level-4 MAT format (one header of five int32 per variable, the name, then the
    /// column-major values), the form itk::MatlabTransformIO reads and writes.
    /// </summary>
    internal static class MatlabV4
    {
        /// <summary>True when the bytes start like a v4 variable ANTs would write (double or float, real, small).</summary>
        public static bool Looks(byte[] b)
        {
            if (b.Length < 24) return false;
            foreach (bool little in new[] { true, false })
            {
                int type = I32(b, 0, little), rows = I32(b, 4, little), cols = I32(b, 8, little), imag = I32(b, 12, little), nameLen = I32(b, 16, little);
                int m = type / 1000, prec = type / 10 % 10, o = type / 100 % 10;
                if ((m == 0) != little) continue;
                if ((m == 0 || m == 1) && o == 0 && (prec == 0 || prec == 1) && type % 10 == 0 && imag == 0
                    && rows > 0 && rows <= 1000 && cols > 0 && cols <= 1000 && nameLen > 1 && nameLen < 256 && 20 + nameLen <= b.Length
                    && b[20 + nameLen - 1] == 0)
                    return true;
            }
            return false;
        }

        public static List<KeyValuePair<string, double[]>> Read(byte[] b, string path)
        {
            var vars = new List<KeyValuePair<string, double[]>>();
            int pos = 0;
            while (pos < b.Length)
            {
                if (pos + 20 > b.Length) throw Bad(path);
                int typeLe = I32(b, pos, true);
                bool little = typeLe / 1000 == 0 && typeLe >= 0 && typeLe < 1000;
                int type = I32(b, pos, little), rows = I32(b, pos + 4, little), cols = I32(b, pos + 8, little), imag = I32(b, pos + 12, little), nameLen = I32(b, pos + 16, little);
                int prec = type / 10 % 10;
                if ((prec != 0 && prec != 1) || imag != 0 || rows < 0 || cols < 0 || (long)rows * cols > 100000 || nameLen < 1 || nameLen > 256) throw Bad(path);
                pos += 20;
                if (pos + nameLen > b.Length) throw Bad(path);
                string name = Encoding.ASCII.GetString(b, pos, nameLen).TrimEnd('\0');
                pos += nameLen;
                int n = rows * cols, size = prec == 0 ? 8 : 4;
                if (pos + (long)n * size > b.Length) throw Bad(path);
                var v = new double[n];
                for (int i = 0; i < n; i++)
                {
                    if (prec == 0)
                    {
                        var span = new ReadOnlySpan<byte>(b, pos, 8);
                        long bits = little ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(span) : System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(span);
                        v[i] = BitConverter.Int64BitsToDouble(bits);
                    }
                    else
                    {
                        int bits = I32(b, pos, little);
                        v[i] = BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
                    }
                    pos += size;
                }
                vars.Add(new KeyValuePair<string, double[]>(name, v));
            }
            return vars;
        }

        public static void WriteVariable(Stream s, string name, double[] values)
        {
            var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
            foreach (int v in new[] { 0, values.Length, 1, 0, nameBytes.Length }) s.Write(BitConverter.GetBytes(v), 0, 4);
            s.Write(nameBytes, 0, nameBytes.Length);
            foreach (var d in values) s.Write(BitConverter.GetBytes(d), 0, 8);
        }

        private static int I32(byte[] b, int pos, bool little) =>
            little ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(b, pos, 4))
                   : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(b, pos, 4));

        private static GeometryException Bad(string path) =>
            new GeometryException(GeometryErrorKind.BadTransform, path, "is not a readable ITK/ANTs MATLAB transform (.mat) file: it ends inside a variable or a header is not valid");
    }
}
