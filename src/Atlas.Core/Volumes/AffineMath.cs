using System;
using Atlas.Core.Nifti;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// 4x4 voxel-to-world affines and the NIfTI rules that produce them (nifti1_io.c, nibabel).
    /// Matrices are double[4,4], row-major, last row 0 0 0 1.
    /// </summary>
    public static class AffineMath
    {
        /// <summary>
        /// The affine users see: sform when sform_code &gt; 0, else qform when qform_code &gt; 0,
        /// else a scaling by pixdim (nifti_clib's "method 1"; Analyze files too).
        /// </summary>
        public static double[,] FromHeader(NiftiHeader h)
        {
            if (h.Format != NiftiFormat.Analyze75 && h.SFormCode > 0) return SForm(h);
            if (h.Format != NiftiFormat.Analyze75 && h.QFormCode > 0) return QForm(h);
            return Scaling(h);
        }

        public static double[,] SForm(NiftiHeader h)
        {
            var m = Identity();
            for (int c = 0; c < 4; c++) { m[0, c] = h.SRowX[c]; m[1, c] = h.SRowY[c]; m[2, c] = h.SRowZ[c]; }
            return m;
        }

        public static double[,] Scaling(NiftiHeader h)
        {
            var m = Identity();
            for (int i = 0; i < 3; i++)
            {
                double d = h.PixDim[i + 1];
                m[i, i] = d > 0 ? d : 1.0;
            }
            return m;
        }

        /// <summary>The qform (nifti_quatern_to_mat44): qfac from pixdim[0] (0 is 1), a from b,c,d.</summary>
        public static double[,] QForm(NiftiHeader h)
        {
            double qfac = h.PixDim[0] < 0 ? -1.0 : 1.0;
            return QuaternionToMatrix(h.QuaternB, h.QuaternC, h.QuaternD, h.QOffsetX, h.QOffsetY, h.QOffsetZ,
                h.PixDim[1], h.PixDim[2], h.PixDim[3], qfac);
        }

        public static double[,] QuaternionToMatrix(double b, double c, double d, double qx, double qy, double qz,
            double dx, double dy, double dz, double qfac)
        {
            double a = 1.0 - (b * b + c * c + d * d);
            if (a < 1e-7)
            {
                // Not a unit quaternion: nifti_clib renormalises b,c,d and takes a 180-degree rotation.
                a = 1.0 / Math.Sqrt(b * b + c * c + d * d);
                b *= a; c *= a; d *= a;
                a = 0.0;
            }
            else a = Math.Sqrt(a);
            double xd = dx > 0 ? dx : 1.0, yd = dy > 0 ? dy : 1.0, zd = dz > 0 ? dz : 1.0;
            if (qfac < 0) zd = -zd;
            var m = Identity();
            m[0, 0] = (a * a + b * b - c * c - d * d) * xd;
            m[0, 1] = 2.0 * (b * c - a * d) * yd;
            m[0, 2] = 2.0 * (b * d + a * c) * zd;
            m[1, 0] = 2.0 * (b * c + a * d) * xd;
            m[1, 1] = (a * a + c * c - b * b - d * d) * yd;
            m[1, 2] = 2.0 * (c * d - a * b) * zd;
            m[2, 0] = 2.0 * (b * d - a * c) * xd;
            m[2, 1] = 2.0 * (c * d + a * b) * yd;
            m[2, 2] = (a * a + d * d - c * c - b * b) * zd;
            m[0, 3] = qx; m[1, 3] = qy; m[2, 3] = qz;
            return m;
        }

        /// <summary>
        /// The quaternion form of an affine (nifti_mat44_to_quatern): rotation made orthogonal,
        /// qfac -1 when the determinant is negative. Returns b,c,d, offsets, voxel sizes and qfac.
        /// </summary>
        public static void MatrixToQuaternion(double[,] m, out double b, out double c, out double d,
            out double qx, out double qy, out double qz, out double dx, out double dy, out double dz, out double qfac)
        {
            qx = m[0, 3]; qy = m[1, 3]; qz = m[2, 3];
            double r11 = m[0, 0], r12 = m[0, 1], r13 = m[0, 2];
            double r21 = m[1, 0], r22 = m[1, 1], r23 = m[1, 2];
            double r31 = m[2, 0], r32 = m[2, 1], r33 = m[2, 2];
            double xd = Math.Sqrt(r11 * r11 + r21 * r21 + r31 * r31);
            double yd = Math.Sqrt(r12 * r12 + r22 * r22 + r32 * r32);
            double zd = Math.Sqrt(r13 * r13 + r23 * r23 + r33 * r33);
            if (xd == 0) { r11 = 1; r21 = r31 = 0; xd = 1; }
            if (yd == 0) { r22 = 1; r12 = r32 = 0; yd = 1; }
            if (zd == 0) { r33 = 1; r13 = r23 = 0; zd = 1; }
            dx = xd; dy = yd; dz = zd;
            r11 /= xd; r21 /= xd; r31 /= xd;
            r12 /= yd; r22 /= yd; r32 /= yd;
            r13 /= zd; r23 /= zd; r33 /= zd;
            // Orthogonalise by polar decomposition (nifti_mat33_polar): Q = R (R^T R)^{-1/2}.
            var q = Polar(new[,] { { r11, r12, r13 }, { r21, r22, r23 }, { r31, r32, r33 } });
            r11 = q[0, 0]; r12 = q[0, 1]; r13 = q[0, 2];
            r21 = q[1, 0]; r22 = q[1, 1]; r23 = q[1, 2];
            r31 = q[2, 0]; r32 = q[2, 1]; r33 = q[2, 2];
            double zdet = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
            if (zdet > 0) qfac = 1.0;
            else { qfac = -1.0; r13 = -r13; r23 = -r23; r33 = -r33; }
            double a = r11 + r22 + r33 + 1.0;
            if (a > 0.5)
            {
                a = 0.5 * Math.Sqrt(a);
                b = 0.25 * (r32 - r23) / a;
                c = 0.25 * (r13 - r31) / a;
                d = 0.25 * (r21 - r12) / a;
            }
            else
            {
                double xx = 1.0 + r11 - (r22 + r33), yy = 1.0 + r22 - (r11 + r33), zz = 1.0 + r33 - (r11 + r22);
                if (xx > 1.0)
                {
                    b = 0.5 * Math.Sqrt(xx); c = 0.25 * (r12 + r21) / b; d = 0.25 * (r13 + r31) / b; a = 0.25 * (r32 - r23) / b;
                }
                else if (yy > 1.0)
                {
                    c = 0.5 * Math.Sqrt(yy); b = 0.25 * (r12 + r21) / c; d = 0.25 * (r23 + r32) / c; a = 0.25 * (r13 - r31) / c;
                }
                else
                {
                    d = 0.5 * Math.Sqrt(zz); b = 0.25 * (r13 + r31) / d; c = 0.25 * (r23 + r32) / d; a = 0.25 * (r21 - r12) / d;
                }
                if (a < 0.0) { b = -b; c = -c; d = -d; }
            }
        }

        private static double[,] Polar(double[,] r)
        {
            // Newton iteration X <- (X + X^-T)/2 converges to the orthogonal polar factor.
            var x = (double[,])r.Clone();
            for (int it = 0; it < 100; it++)
            {
                var inv = Invert3(x);
                double diff = 0;
                var nx = new double[3, 3];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                    {
                        nx[i, j] = 0.5 * (x[i, j] + inv[j, i]);
                        diff += Math.Abs(nx[i, j] - x[i, j]);
                    }
                x = nx;
                if (diff < 1e-15) break;
            }
            return x;
        }

        private static double[,] Invert3(double[,] m)
        {
            double a = m[0, 0], b = m[0, 1], c = m[0, 2], d = m[1, 0], e = m[1, 1], f = m[1, 2], g = m[2, 0], h = m[2, 1], i = m[2, 2];
            double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
            if (det == 0) throw new InvalidOperationException("Singular 3x3 matrix.");
            return new[,]
            {
                { (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det },
                { (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det },
                { (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det },
            };
        }

        public static double[,] Identity()
        {
            var m = new double[4, 4];
            for (int i = 0; i < 4; i++) m[i, i] = 1.0;
            return m;
        }

        /// <summary>Inverse of an affine (rotation/scale part inverted, translation mapped back).</summary>
        public static double[,] Invert(double[,] m)
        {
            var r = Invert3(new[,] { { m[0, 0], m[0, 1], m[0, 2] }, { m[1, 0], m[1, 1], m[1, 2] }, { m[2, 0], m[2, 1], m[2, 2] } });
            var inv = Identity();
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++) inv[i, j] = r[i, j];
                inv[i, 3] = -(r[i, 0] * m[0, 3] + r[i, 1] * m[1, 3] + r[i, 2] * m[2, 3]);
            }
            return inv;
        }

        public static double[,] Multiply(double[,] a, double[,] b)
        {
            var m = new double[4, 4];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                {
                    double s = 0;
                    for (int k = 0; k < 4; k++) s += a[i, k] * b[k, j];
                    m[i, j] = s;
                }
            return m;
        }

        /// <summary>
        /// Axis codes of the voxel axes (e.g. "RAS", "LAS", "LPI"), as nibabel's aff2axcodes:
        /// columns normalised, made orthogonal, then each voxel axis takes the world axis it is
        /// most aligned with, largest first.
        /// </summary>
        public static string OrientationCode(double[,] m)
        {
            var r = new double[3, 3];
            for (int j = 0; j < 3; j++)
            {
                double n = Math.Sqrt(m[0, j] * m[0, j] + m[1, j] * m[1, j] + m[2, j] * m[2, j]);
                for (int i = 0; i < 3; i++) r[i, j] = n > 0 ? m[i, j] / n : (i == j ? 1 : 0);
            }
            double[,] q;
            try { q = Polar(r); } catch (InvalidOperationException) { q = r; }
            var used = new bool[3]; var done = new bool[3];
            var code = new char[3];
            for (int step = 0; step < 3; step++)
            {
                int bi = -1, bj = -1; double best = -1;
                for (int i = 0; i < 3; i++)
                {
                    if (used[i]) continue;
                    for (int j = 0; j < 3; j++)
                    {
                        if (done[j]) continue;
                        if (Math.Abs(q[i, j]) > best) { best = Math.Abs(q[i, j]); bi = i; bj = j; }
                    }
                }
                if (bi < 0) return "???"; // a non-finite affine has no orientation (the reader rejects such files)
                used[bi] = true; done[bj] = true;
                bool pos = q[bi, bj] >= 0;
                code[bj] = bi == 0 ? (pos ? 'R' : 'L') : bi == 1 ? (pos ? 'A' : 'P') : (pos ? 'S' : 'I');
            }
            return new string(code);
        }
    }
}
