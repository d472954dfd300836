using System;
using System.Globalization;
using System.Threading.Tasks;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>The result of a reorientation: the volume and what was done.</summary>
    public sealed class ReorientResult
    {
        internal ReorientResult(AtlasVolume volume, string from, string to, int[] axisOrder, bool[] flipped, double qformSformDifferenceMm)
        {
            Volume = volume; FromOrientation = from; ToOrientation = to; AxisOrder = axisOrder; Flipped = flipped;
            QFormSFormDifferenceMm = qformSformDifferenceMm;
        }

        public AtlasVolume Volume { get; }
        public string FromOrientation { get; }
        public string ToOrientation { get; }
        /// <summary>For each new voxel axis, the input voxel axis it came from.</summary>
        public int[] AxisOrder { get; }
        /// <summary>For each new voxel axis, whether it runs backwards through its input axis.</summary>
        public bool[] Flipped { get; }
        /// <summary>True when nothing moved (the input already had the target orientation).</summary>
        public bool Unchanged => AxisOrder[0] == 0 && AxisOrder[1] == 1 && AxisOrder[2] == 2 && !Flipped[0] && !Flipped[1] && !Flipped[2];
        /// <summary>Largest distance between where qform and sform put a corner voxel (mm); NaN unless both are set.</summary>
        public double QFormSFormDifferenceMm { get; }
    }

    /// <summary>
    /// Reorientation without interpolation: voxel axes reordered and flipped so they run along the
    /// target orientation (RAS+ by default), as nibabel's as_closest_canonical / io_orientation do. The
    /// voxels are the same values in a new order and the affine maps each to the same world point.
    /// </summary>
    public static class Canonical
    {
        /// <summary>The volume reordered to <paramref name="targetOrientation"/> (any of the 48 codes, e.g. RAS, LAS, LPI).</summary>
        public static AtlasVolume Reorient(AtlasVolume v, string targetOrientation = "RAS") => ReorientDetailed(v, targetOrientation).Volume;

        /// <summary>A target orientation code checked and upper-cased: three letters, one from each of R/L, A/P, S/I.</summary>
        public static string ParseOrientation(string code)
        {
            if (code == null || code.Length != 3) throw new ArgumentException("An orientation is three letters such as RAS, LAS or LPI, not '" + code + "'.");
            code = code.ToUpperInvariant();
            var seen = new bool[3];
            foreach (char c in code)
            {
                int ax = WorldAxis(c);
                if (ax < 0) throw new ArgumentException("'" + code + "' is not an orientation: letters must be R/L, A/P and S/I.");
                if (seen[ax]) throw new ArgumentException("'" + code + "' is not an orientation: it names one world axis twice.");
                seen[ax] = true;
            }
            return code;
        }

        private static int WorldAxis(char c)
        {
            switch (c)
            {
                case 'R': case 'L': return 0;
                case 'A': case 'P': return 1;
                case 'S': case 'I': return 2;
                default: return -1;
            }
        }

        public static ReorientResult ReorientDetailed(AtlasVolume v, string targetOrientation = "RAS")
        {
            if (v == null) throw new ArgumentNullException(nameof(v));
            string target = ParseOrientation(targetOrientation ?? "RAS");
            string from = v.Orientation;
            var order = new int[3]; var flip = new bool[3];
            for (int a = 0; a < 3; a++)
            {
                int w = WorldAxis(target[a]);
                int j = from.IndexOf(c => WorldAxis(c) == w);
                order[a] = j;
                flip[a] = from[j] != target[a];
            }
            var g = v.Grid;
            int[] dims = g.Dimensions;
            var newDims = new[] { dims[order[0]], dims[order[1]], dims[order[2]] };

            // P: new voxel index → input voxel index (homogeneous); the new affine is A·P.
            var p = new double[4, 4];
            p[3, 3] = 1;
            for (int a = 0; a < 3; a++)
            {
                int j = order[a];
                p[j, a] = flip[a] ? -1 : 1;
                p[j, 3] = flip[a] ? dims[j] - 1 : 0;
            }

            var h = v.Header.Clone();
            double diff = QFormSFormDifference(h);
            if (h.Format == NiftiFormat.Analyze75) { h.Format = NiftiFormat.Nifti1; h.Magic = "n+1"; h.SingleFile = true; }
            h.Dim = (long[])h.Dim.Clone();
            h.PixDim = (double[])h.PixDim.Clone();
            var oldPix = new[] { h.PixDim[1], h.PixDim[2], h.PixDim[3] };
            for (int a = 0; a < 3; a++) { h.Dim[a + 1] = newDims[a]; h.PixDim[a + 1] = oldPix[order[a]]; }
            if (h.Dim[0] < 3) h.Dim[0] = 3;
            bool hasS = h.SFormCode > 0, hasQ = h.QFormCode > 0;
            if (!hasS && !hasQ)
            {
                // Only pixdim scaling: the new geometry must be stored, as both forms with code 1 (scanner).
                var a = AffineMath.Multiply(g.Affine, p);
                SetSForm(h, a); SetQForm(h, a);
                h.SFormCode = 1; h.QFormCode = 1;
            }
            else
            {
                // Each set form is reoriented on its own (they may disagree); an unset one gets the fields
                // of the new affine with its code left 0, as nibabel writes it, so no stale geometry remains.
                var best = AffineMath.Multiply(g.Affine, p);
                SetSForm(h, hasS ? AffineMath.Multiply(AffineMath.SForm(v.Header), p) : best);
                SetQForm(h, hasQ ? AffineMath.Multiply(AffineMath.QForm(v.Header), p) : best);
            }
            h.DimInfo = PermuteDimInfo(h.DimInfo, order);

            Array data = null;
            if (v.HasData)
            {
                int elems = NiftiDataTypes.ElementsPerVoxel(v.DataType);
                data = NiftiDataTypes.AllocateForOverwrite(v.DataType, v.Data.LongLength / elems);
                long frames = v.FramesLoaded;
                // Input stride of each new axis (negative when flipped) and the input offset of new voxel 0.
                var inStride = new[] { 1L, dims[0], (long)dims[0] * dims[1] };
                var step = new long[3]; long origin = 0;
                for (int a = 0; a < 3; a++)
                {
                    step[a] = flip[a] ? -inStride[order[a]] : inStride[order[a]];
                    if (flip[a]) origin += (dims[order[a]] - 1) * inStride[order[a]];
                }
                Permute(v.Data, data, elems, frames, g.VoxelCount, newDims, origin, step);
            }
            var result = new AtlasVolume(h, data, v.Path, v.Frame);
            return new ReorientResult(result, from, target, order, flip, diff);
        }

        private static int IndexOf(this string s, Func<char, bool> pred)
        {
            for (int i = 0; i < s.Length; i++) if (pred(s[i])) return i;
            return -1;
        }

        /// <summary>Largest distance between the qform's and the sform's world point of the 8 corner voxels; NaN unless both forms are set.</summary>
        public static double QFormSFormDifference(NiftiHeader h)
        {
            if (h.Format == NiftiFormat.Analyze75 || h.QFormCode <= 0 || h.SFormCode <= 0) return double.NaN;
            var q = AffineMath.QForm(h); var s = AffineMath.SForm(h);
            double max = 0;
            for (int c = 0; c < 8; c++)
            {
                double i = (c & 1) != 0 ? h.DimSize(1) - 1 : 0, j = (c & 2) != 0 ? h.DimSize(2) - 1 : 0, k = (c & 4) != 0 ? h.DimSize(3) - 1 : 0;
                double d2 = 0;
                for (int r = 0; r < 3; r++)
                {
                    double e = (q[r, 0] - s[r, 0]) * i + (q[r, 1] - s[r, 1]) * j + (q[r, 2] - s[r, 2]) * k + (q[r, 3] - s[r, 3]);
                    d2 += e * e;
                }
                max = Math.Max(max, Math.Sqrt(d2));
            }
            return max;
        }

        private static void SetSForm(NiftiHeader h, double[,] a)
        {
            for (int c = 0; c < 4; c++) { h.SRowX[c] = a[0, c]; h.SRowY[c] = a[1, c]; h.SRowZ[c] = a[2, c]; }
        }

        private static void SetQForm(NiftiHeader h, double[,] a)
        {
            AffineMath.MatrixToQuaternion(a, out var b, out var c, out var d, out var qx, out var qy, out var qz, out _, out _, out _, out var qfac);
            h.QuaternB = b; h.QuaternC = c; h.QuaternD = d;
            h.QOffsetX = qx; h.QOffsetY = qy; h.QOffsetZ = qz;
            h.PixDim[0] = qfac;
        }

        /// <summary>dim_info's freq/phase/slice dims (2 bits each, 1-based axis or 0) follow their axes.</summary>
        private static byte PermuteDimInfo(byte info, int[] order)
        {
            int Map(int axis1)
            {
                if (axis1 == 0) return 0;
                for (int a = 0; a < 3; a++) if (order[a] == axis1 - 1) return a + 1;
                return 0;
            }
            int f = info & 3, ph = (info >> 2) & 3, sl = (info >> 4) & 3;
            return (byte)(Map(f) | (Map(ph) << 2) | (Map(sl) << 4));
        }

        private static void Permute(Array src, Array dst, int elems, long frames, long voxels, int[] nd, long origin, long[] step)
        {
            switch (src)
            {
                case byte[] a when a.GetType() == typeof(byte[]): Permute(a, (byte[])dst, elems, frames, voxels, nd, origin, step); return;
                case sbyte[] a when a.GetType() == typeof(sbyte[]): Permute(a, (sbyte[])dst, elems, frames, voxels, nd, origin, step); return;
                case short[] a when a.GetType() == typeof(short[]): Permute(a, (short[])dst, elems, frames, voxels, nd, origin, step); return;
                case ushort[] a when a.GetType() == typeof(ushort[]): Permute(a, (ushort[])dst, elems, frames, voxels, nd, origin, step); return;
                case int[] a when a.GetType() == typeof(int[]): Permute(a, (int[])dst, elems, frames, voxels, nd, origin, step); return;
                case uint[] a when a.GetType() == typeof(uint[]): Permute(a, (uint[])dst, elems, frames, voxels, nd, origin, step); return;
                case long[] a when a.GetType() == typeof(long[]): Permute(a, (long[])dst, elems, frames, voxels, nd, origin, step); return;
                case ulong[] a when a.GetType() == typeof(ulong[]): Permute(a, (ulong[])dst, elems, frames, voxels, nd, origin, step); return;
                case float[] a: Permute(a, (float[])dst, elems, frames, voxels, nd, origin, step); return;
                case double[] a: Permute(a, (double[])dst, elems, frames, voxels, nd, origin, step); return;
                default: throw new NotSupportedException("Unsupported voxel array " + src.GetType().Name);
            }
        }

        /// <summary>dst[new voxel] = src[origin + i·step0 + j·step1 + k·step2], per frame, elements of a voxel kept together; parallel over new slices.</summary>
        private static void Permute<T>(T[] src, T[] dst, int elems, long frames, long voxels, int[] nd, long origin, long[] step)
        {
            for (long f = 0; f < frames; f++)
            {
                long fo = f * voxels;
                Parallel.For(0, nd[2], k =>
                {
                    long o = fo + (long)k * nd[0] * nd[1];
                    for (int j = 0; j < nd[1]; j++)
                    {
                        long s = fo + origin + k * step[2] + j * step[1];
                        long d = o + (long)j * nd[0];
                        if (elems == 1)
                            for (int i = 0; i < nd[0]; i++) dst[d + i] = src[s + i * step[0]];
                        else
                            for (int i = 0; i < nd[0]; i++)
                                for (int e = 0; e < elems; e++) dst[(d + i) * elems + e] = src[(s + i * step[0]) * elems + e];
                    }
                });
            }
        }
    }
}
