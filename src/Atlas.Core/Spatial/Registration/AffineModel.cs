using System;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>
    /// The parameterisation the optimiser moves: T(y) = R0 R(r) K(k) S(s) (y - c) + b0 + t, fixed world
    /// point y to moving world point (mm). c is the template's centre of mass, R0 and b0 the current base
    /// (re-based at each level so the optimised angles stay small and Euler angles never meet gimbal lock).
    /// All 12 parameters are in millimetres of motion at <see cref="RadiusMm"/> from the centre (FLIRT scales
    /// its parameters the same way), so one step size and one tolerance fit them all.
    /// Order: t x,y,z; rotation x,y,z; log-scale x,y,z; shear xy, xz, yz.
    /// </summary>
    internal sealed class AffineModel
    {
        public const double RadiusMm = 50;

        public AffineModel(double[] centreMm, double[,] baseRotation, double[] baseTranslation)
        {
            Centre = (double[])centreMm.Clone();
            R0 = (double[,])baseRotation.Clone();
            B0 = (double[])baseTranslation.Clone();
        }

        public double[] Centre { get; }
        public double[,] R0 { get; private set; }
        public double[] B0 { get; private set; }
        /// <summary>The full 12 parameters.</summary>
        public double[] P { get; } = new double[12];

        /// <summary>Number of optimised parameters for a DOF (7 = one common scale).</summary>
        public static int ActiveCount(int dof) => dof;

        public double[] GetActive(int dof)
        {
            var q = new double[dof];
            for (int i = 0; i < Math.Min(dof, 6); i++) q[i] = P[i];
            if (dof == 7) q[6] = (P[6] + P[7] + P[8]) / 3;
            if (dof >= 9) for (int i = 6; i < dof; i++) q[i] = P[i];
            return q;
        }

        /// <summary>The full parameters for active values q (the others as they are).</summary>
        public double[] Expand(double[] q, int dof)
        {
            var p = (double[])P.Clone();
            for (int i = 0; i < Math.Min(dof, 6); i++) p[i] = q[i];
            if (dof == 7) p[6] = p[7] = p[8] = q[6];
            if (dof >= 9) for (int i = 6; i < dof; i++) p[i] = q[i];
            return p;
        }

        public void SetActive(double[] q, int dof)
        {
            var p = Expand(q, dof);
            Array.Copy(p, P, 12);
        }

        /// <summary>Folds the current rotation and translation into the base (the matrix is unchanged).</summary>
        public void Rebase()
        {
            R0 = Mul3(R0, Rotation(P[3] / RadiusMm, P[4] / RadiusMm, P[5] / RadiusMm));
            B0 = new[] { B0[0] + P[0], B0[1] + P[1], B0[2] + P[2] };
            for (int i = 0; i < 6; i++) P[i] = 0;
        }

        public double[,] Matrix() => Matrix(P);

        /// <summary>The 4x4 fixed-to-moving world matrix of full parameters p.</summary>
        public double[,] Matrix(double[] p)
        {
            var r = Mul3(R0, Rotation(p[3] / RadiusMm, p[4] / RadiusMm, p[5] / RadiusMm));
            var k = new double[,] { { 1, p[9] / RadiusMm, p[10] / RadiusMm }, { 0, 1, p[11] / RadiusMm }, { 0, 0, 1 } };
            var a = Mul3(r, k);
            double sx = Math.Exp(p[6] / RadiusMm), sy = Math.Exp(p[7] / RadiusMm), sz = Math.Exp(p[8] / RadiusMm);
            for (int i = 0; i < 3; i++) { a[i, 0] *= sx; a[i, 1] *= sy; a[i, 2] *= sz; }
            var m = new double[4, 4];
            for (int i = 0; i < 3; i++)
            {
                double ac = 0;
                for (int j = 0; j < 3; j++) { m[i, j] = a[i, j]; ac += a[i, j] * Centre[j]; }
                m[i, 3] = B0[i] + p[i] - ac;
            }
            m[3, 3] = 1;
            return m;
        }

        /// <summary>Rotation Rz Ry Rx by angles in radians about the world axes.</summary>
        public static double[,] Rotation(double ax, double ay, double az)
        {
            double cx = Math.Cos(ax), sx = Math.Sin(ax), cy = Math.Cos(ay), sy = Math.Sin(ay), cz = Math.Cos(az), sz = Math.Sin(az);
            var rx = new double[,] { { 1, 0, 0 }, { 0, cx, -sx }, { 0, sx, cx } };
            var ry = new double[,] { { cy, 0, sy }, { 0, 1, 0 }, { -sy, 0, cy } };
            var rz = new double[,] { { cz, -sz, 0 }, { sz, cz, 0 }, { 0, 0, 1 } };
            return Mul3(rz, Mul3(ry, rx));
        }

        public static double[,] Mul3(double[,] a, double[,] b)
        {
            var r = new double[3, 3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    r[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j];
            return r;
        }
    }
}
