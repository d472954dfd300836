using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Bench
{
    /// <summary>
    /// Resampling (issue 12): read a 1.1 mm int16 T1 (.nii.gz), resample it linearly through a
    /// registration-like affine into the 1 mm MNI grid (182x218x182 = 7.2 M voxels) and write .nii.gz,
    /// against nibabel load + scipy.ndimage.affine_transform(order=1) + nibabel save, side by side on
    /// the same files. Target: at least 3x faster.
    /// </summary>
    public sealed class ResampleBench : IBench
    {
        public string Name => "resample";

        public void Run(BenchContext ctx)
        {
            string dir = Path.Combine(ctx.WorkDir, "resample");
            Directory.CreateDirectory(dir);
            string t1 = Path.Combine(dir, "t1-1.1mm.nii.gz"), mni = Path.Combine(dir, "mni-1mm.nii.gz"), tf = Path.Combine(dir, "t1-to-mni.txt");
            string ours = Path.Combine(dir, "ours.nii.gz"), peerOut = Path.Combine(dir, "scipy.nii.gz");
            MakeInputs(t1, mni, tf);
            var refHeader = NiftiReader.ReadHeader(mni);
            var refGrid = Grid.FromHeader(refHeader);
            var t = TransformFiles.Read(tf, TransformFormat.RasMatrix);
            var options = new ResampleOptions { ReferenceHeader = refHeader };

            // The machine is shared: our run and the peer's alternate round by round so both see the same
            // load (the peer times itself inside its process, after its own warm-up; imports are not timed).
            const int runs = 7;
            string peer = Path.Combine(ctx.RepoRoot, "bench", "resample_peer.py");
            bool hasPeer = ctx.Python != null && File.Exists(peer);
            if (!hasPeer) Console.WriteLine("  nibabel/scipy peer skipped: /usr/bin/python3 or bench/resample_peer.py absent");
            var read = new List<double>(); var res = new List<double>(); var write = new List<double>(); var total = new List<double>();
            var pread = new List<double>(); var pres = new List<double>(); var pwrite = new List<double>(); var ptotal = new List<double>();
            string versions = "";
            for (int i = 0; i <= runs; i++)
            {
                var sw = Stopwatch.StartNew();
                var v = NiftiReader.Read(t1);
                double a = sw.Elapsed.TotalMilliseconds;
                var r = Resampler.Resample(v, refGrid, t, Interpolation.Linear, options, CancellationToken.None);
                double b = sw.Elapsed.TotalMilliseconds;
                NiftiWriter.Write(r, ours);
                double c = sw.Elapsed.TotalMilliseconds;
                v = null; r = null;
                if (i > 0) { read.Add(a); res.Add(b - a); write.Add(c - b); total.Add(c); }
                if (!hasPeer || i == 0) continue;
                var o = ctx.RunPeer(ctx.Python, Q(peer) + " " + Q(t1) + " " + Q(mni) + " " + Q(tf) + " " + Q(peerOut) + " 1");
                if (o == null) { hasPeer = false; continue; }
                pread.Add(Value(o, "read_ms")); pres.Add(Value(o, "resample_ms")); pwrite.Add(Value(o, "write_ms")); ptotal.Add(Value(o, "total_ms"));
                versions = Line(o, "nibabel=");
            }
            Console.WriteLine("  1.1 mm int16 T1 {0} -> 1 mm MNI {1} ({2:F1} M voxels), linear, .nii.gz in and out; ms, median of {3} alternating rounds",
                Grid.FromHeader(NiftiReader.ReadHeader(t1)), refGrid, refGrid.VoxelCount / 1e6, runs);
            Console.WriteLine("  {0,-22} {1,8} {2,9} {3,8} {4,8}", "", "read", "resample", "write", "total");
            Console.WriteLine("  {0,-22} {1,8:F1} {2,9:F1} {3,8:F1} {4,8:F1}   (min total {5:F1})", "Atlas.Psm", Median(read), Median(res), Median(write), Median(total), Min(total));
            if (hasPeer)
            {
                Console.WriteLine("  {0,-22} {1,8:F1} {2,9:F1} {3,8:F1} {4,8:F1}   (min total {5:F1}; {6})", "nibabel + scipy", Median(pread), Median(pres), Median(pwrite), Median(ptotal), Min(ptotal), versions);
                Console.WriteLine("  speed-up: total {0:F1}x (min/min {1:F1}x; target >= 3x), resampling {2:F1}x, write {3:F1}x",
                    Median(ptotal) / Median(total), Min(ptotal) / Min(total), Median(pres) / Median(res), Median(pwrite) / Median(write));
            }

            // The resampling alone, float32 in and out (what registration calls repeatedly).
            var src = NiftiReader.Read(t1).ToFloat32();
            var srcGrid = Grid.FromHeader(NiftiReader.ReadHeader(t1));
            var dst = new float[refGrid.VoxelCount];
            double alone = BenchContext.TimeMs(() => Resampler.ResampleFloat32(src, srcGrid, dst, refGrid, t, Interpolation.Linear), 5);
            double nearest = BenchContext.TimeMs(() => Resampler.ResampleFloat32(src, srcGrid, dst, refGrid, t, Interpolation.Nearest), 5);
            double cubic = BenchContext.TimeMs(() => Resampler.ResampleFloat32(src, srcGrid, dst, refGrid, t, Interpolation.BSpline), 3);
            Console.WriteLine("  resampling alone, float32 -> float32: linear {0:F1} ms, nearest {1:F1} ms, cubic B-spline (with prefilter) {2:F1} ms", alone, nearest, cubic);
            if (!hasPeer) return;

            // Same numbers? Both round to int16; rounding of float32 vs double sums may differ by 1 at a few voxels.
            var a1 = NiftiReader.Read(ours).ToFloat64(); var a2 = NiftiReader.Read(peerOut).ToFloat64();
            long differ = 0; double max = 0;
            for (long i = 0; i < a1.LongLength; i++) { double d = Math.Abs(a1[i] - a2[i]); if (d > 0) differ++; max = Math.Max(max, d); }
            Console.WriteLine("  outputs: {0} of {1} voxels differ, by at most {2}", differ, a1.LongLength, max);
        }

        /// <summary>
        /// The inputs: a T1 on a 1.1 mm grid (176x208x176, slightly oblique, int16) made from MRIcron's ch2
        /// (or an analytic head when mricron-data is absent), the FSL MNI152 1 mm grid (LAS, 182x218x182),
        /// and a registration-like affine (5° and 3° turns, 4 % scale, 6 mm shift) from MNI to the T1.
        /// </summary>
        private static void MakeInputs(string t1, string mni, string tf)
        {
            var mniAffine = AffineMath.Identity();
            mniAffine[0, 0] = -1; mniAffine[0, 3] = 90; mniAffine[1, 3] = -126; mniAffine[2, 3] = -72;
            var mniGrid = new Grid(182, 218, 182, new[] { 1.0, 1, 1 }, mniAffine);
            var nativeAffine = AffineMath.Multiply(Rotation(0.03, 0, -0.02), Scale(1.1, -96, -120, -80));
            var nativeGrid = new Grid(176, 208, 176, new[] { 1.1, 1.1, 1.1 }, nativeAffine);
            var reg = AffineMath.Multiply(Rotation(0.087, -0.052, 0.03), Scale(1.04, 6, -4, 3));
            File.WriteAllText(tf, new AffineTransform(reg).ToMatrixText());
            if (File.Exists(t1) && File.Exists(mni)) return;
            NiftiWriter.Write(AtlasVolume.FromMask(mniGrid, new byte[mniGrid.VoxelCount]), mni);
            string ch2 = "/usr/share/mricron/templates/ch2.nii.gz";
            AtlasVolume source;
            if (File.Exists(ch2)) source = NiftiReader.Read(ch2);
            else
            {
                var g = Grid.Create(181, 217, 181);
                var d = new byte[g.VoxelCount];
                for (int k = 0; k < 181; k++) for (int j = 0; j < 217; j++) for (int i = 0; i < 181; i++)
                {
                    double x = (i - 90) / 70.0, y = (j - 108) / 90.0, z = (k - 90) / 70.0, r = x * x + y * y + z * z;
                    d[g.Index(i, j, k)] = r < 1 ? (byte)(100 + 80 * Math.Sin(12 * r)) : (byte)0;
                }
                source = AtlasVolume.FromArray(g, d, NiftiDataType.UInt8);
            }
            var f = Resampler.Resample(source, nativeGrid, null, Interpolation.BSpline, new ResampleOptions { DataType = NiftiDataType.Float32 }, CancellationToken.None);
            var vals = (float[])f.Data;
            var s = new short[vals.Length];
            for (int i = 0; i < vals.Length; i++) s[i] = (short)Math.Max(0, Math.Min(short.MaxValue, Math.Round(vals[i] * 4)));
            NiftiWriter.Write(AtlasVolume.FromArray(nativeGrid, s, NiftiDataType.Int16), t1);
        }

        private static double[,] Rotation(double ax, double ay, double az)
        {
            double[,] X = { { 1, 0, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax), 0 }, { 0, Math.Sin(ax), Math.Cos(ax), 0 }, { 0, 0, 0, 1 } };
            double[,] Y = { { Math.Cos(ay), 0, Math.Sin(ay), 0 }, { 0, 1, 0, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay), 0 }, { 0, 0, 0, 1 } };
            double[,] Z = { { Math.Cos(az), -Math.Sin(az), 0, 0 }, { Math.Sin(az), Math.Cos(az), 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
            return AffineMath.Multiply(Z, AffineMath.Multiply(Y, X));
        }

        private static double[,] Scale(double s, double tx, double ty, double tz)
        {
            var m = AffineMath.Identity();
            m[0, 0] = s; m[1, 1] = s; m[2, 2] = s; m[0, 3] = tx; m[1, 3] = ty; m[2, 3] = tz;
            return m;
        }

        private static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        private static double Min(List<double> v) { v.Sort(); return v[0]; }
        private static string Q(string s) => "\"" + s + "\"";

        private static double Value(string output, string key)
        {
            foreach (var line in output.Split('\n'))
                if (line.StartsWith(key + "=", StringComparison.Ordinal))
                    return double.Parse(line.Substring(key.Length + 1), CultureInfo.InvariantCulture);
            return double.NaN;
        }

        private static string Line(string output, string prefix)
        {
            foreach (var line in output.Split('\n')) if (line.StartsWith(prefix, StringComparison.Ordinal)) return line.Trim();
            return "";
        }
    }
}
