using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Core.Tests.Spatial
{
    /// <summary>Real images cut down for fast peer comparisons, affines built from rotations, and the peer runner.</summary>
    internal static class SpatialTestData
    {
        public static string PeerScript([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here), "spatial_peer.py");

        public static string MrtrixTransformConvert => Peers.IsHidden("mrtrix3") ? null : Peers.OnPath("transformconvert");

        /// <summary>Runs a peer; a non-zero exit is an exception with its stderr (so a failing peer fails the test).</summary>
        public static string Run(string exe, params string[] args)
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi))
            {
                var err = p.StandardError.ReadToEndAsync();
                string o = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new Exception(exe + " " + string.Join(" ", args) + " failed (" + p.ExitCode + "): " + err.Result);
                return o;
            }
        }

        /// <summary>
        /// MRIcron's ch2 (Colin 27, uint8, 1 mm) cut to a block every <paramref name="step"/>-th voxel:
        /// a real head image small enough for scipy to resample in a blink. Voxel (i,j,k) of the block is
        /// ch2 voxel (x0 + step·i, …).
        /// </summary>
        public static byte[] Ch2Block(int nx, int ny, int nz, int step, int x0 = 40, int y0 = 50, int z0 = 40)
        {
            var ch2 = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "ch2.nii.gz"));
            var src = (byte[])ch2.Data;
            var g = ch2.Grid;
            var b = new byte[nx * ny * nz];
            for (int k = 0; k < nz; k++) for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++)
                b[i + nx * (j + ny * k)] = src[g.Index(x0 + step * i, y0 + step * j, z0 + step * k)];
            return b;
        }

        public static double[,] Rotation(double ax, double ay, double az)
        {
            var m = AffineMath.Identity();
            var r = new[,] { { 1.0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
            double[,] Mul(double[,] a, double[,] c) { var o = new double[3, 3]; for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) o[i, j] += a[i, k] * c[k, j]; return o; }
            r = Mul(new[,] { { 1, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax) }, { 0, Math.Sin(ax), Math.Cos(ax) } }, r);
            r = Mul(new[,] { { Math.Cos(ay), 0, Math.Sin(ay) }, { 0, 1, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay) } }, r);
            r = Mul(new[,] { { Math.Cos(az), -Math.Sin(az), 0 }, { Math.Sin(az), Math.Cos(az), 0 }, { 0, 0, 1 } }, r);
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i, j] = r[i, j];
            return m;
        }

        /// <summary>An affine from a 3x3 linear part (row-major) and a translation.</summary>
        public static double[,] Affine(double[] linear, double tx, double ty, double tz)
        {
            var m = AffineMath.Identity();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i, j] = linear[3 * i + j];
            m[0, 3] = tx; m[1, 3] = ty; m[2, 3] = tz;
            return m;
        }

        /// <summary>A non-trivial fixed→moving transform: rotation about all axes, anisotropic scale, shear, translation.</summary>
        public static AffineTransform Messy(double scale = 1)
        {
            var r = Rotation(0.12, -0.2, 0.31);
            var s = Affine(new[] { 1.07 * scale, 0.05, 0, 0, 0.93 * scale, -0.04, 0.03, 0, 1.02 * scale }, 2.5, -3.25, 1.75);
            return new AffineTransform(AffineMath.Multiply(r, s));
        }

        public static AtlasVolume Volume(byte[] data, int nx, int ny, int nz, double[,] affine)
        {
            var g = new Grid(nx, ny, nz, null, affine);
            return AtlasVolume.FromArray(g, data, NiftiDataType.UInt8);
        }

        public static bool Close(double[,] a, double[,] b, double tol, out string why)
        {
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++)
                if (Math.Abs(a[i, j] - b[i, j]) > tol) { why = "element [" + i + "," + j + "] " + a[i, j] + " vs " + b[i, j]; return false; }
            why = null;
            return true;
        }
    }
}
