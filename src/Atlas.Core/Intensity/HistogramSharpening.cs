using System;
using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Atlas.Core.Intensity
{
    /// <summary>
    /// N3/N4's histogram sharpening (Sled et al., IEEE TMI 17(1) 1998; Tustison et al., IEEE TMI 29(6)
    /// 2010), as ITK's N4BiasFieldCorrectionImageFilter::SharpenImage does it: the log intensities in the
    /// mask are binned with linear splatting into a histogram v (zero-padded to a power of two at least
    /// twice the bins), deconvolved by a Gaussian f of the given FWHM (in log-intensity units) with a
    /// Wiener filter G = conj(F) / (|F|² + noise) to give u = max(0, IFFT(V · Re G)), and every value is
    /// mapped to E[u | v] = (f ∗ (x u)) / (f ∗ u), the expected sharpened value under that bin.
    /// </summary>
    public static class HistogramSharpening
    {
        /// <summary>
        /// Writes the sharpened value of every included point of <paramref name="values"/> into
        /// <paramref name="sharpened"/> (others 0). Needs at least one included point.
        /// </summary>
        public static void Sharpen(double[] values, byte[] include, double[] sharpened, int bins = 200, double fwhm = 0.15, double wienerNoise = 0.01)
        {
            if (bins < 2) throw new ArgumentException("At least two histogram bins are needed.");
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (long i = 0; i < values.LongLength; i++)
            {
                if (include[i] == 0) continue;
                double v = values[i];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            Array.Clear(sharpened, 0, sharpened.Length);
            if (double.IsInfinity(min)) return;
            if (!(max > min))
            {
                // One value: nothing to sharpen.
                for (long i = 0; i < values.LongLength; i++) if (include[i] != 0) sharpened[i] = values[i];
                return;
            }
            double slope = (max - min) / (bins - 1);
            var h = new double[bins];
            for (long i = 0; i < values.LongLength; i++)
            {
                if (include[i] == 0) continue;
                double c = (values[i] - min) / slope;
                int b = (int)Math.Floor(c);
                double frac = c - b;
                if (b < bins - 1) { h[b] += 1 - frac; h[b + 1] += frac; }
                else h[bins - 1] += 1;
            }
            var map = Mapping(h, min, slope, fwhm, wienerNoise);
            for (long i = 0; i < values.LongLength; i++)
            {
                if (include[i] == 0) continue;
                double c = (values[i] - min) / slope;
                int b = (int)Math.Floor(c);
                sharpened[i] = b < bins - 1 ? map[b] + (map[b + 1] - map[b]) * (c - b) : map[bins - 1];
            }
        }

        /// <summary>E[u | v] per bin of histogram <paramref name="h"/> whose bin n is centred on min + n·slope.</summary>
        public static double[] Mapping(double[] h, double min, double slope, double fwhm, double wienerNoise)
        {
            int bins = h.Length;
            int padded = 1 << ((int)Math.Ceiling(Math.Log(bins) / Math.Log(2)) + 1);
            int offset = (int)(0.5 * (padded - bins));
            var V = new Complex[padded];
            for (int n = 0; n < bins; n++) V[n + offset] = h[n];
            Fourier.Forward(V, FourierOptions.Matlab);

            // The Gaussian of the given FWHM in bins, unit area, wrapped around for circular convolution.
            double scaledFwhm = fwhm / slope;
            double expFactor = 4 * Math.Log(2) / (scaledFwhm * scaledFwhm);
            double scale = 2 * Math.Sqrt(Math.Log(2) / Math.PI) / scaledFwhm;
            var F = new Complex[padded];
            F[0] = scale;
            for (int n = 1; n < padded / 2; n++) F[n] = F[padded - n] = scale * Math.Exp(-(double)n * n * expFactor);
            F[padded / 2] = scale * Math.Exp(-0.25 * (double)padded * padded * expFactor);
            Fourier.Forward(F, FourierOptions.Matlab);

            var U = new Complex[padded];
            for (int n = 0; n < padded; n++)
            {
                var c = Complex.Conjugate(F[n]);
                var g = c / (c * F[n] + wienerNoise);
                U[n] = V[n] * g.Real;
            }
            Fourier.Inverse(U, FourierOptions.Matlab);
            for (int n = 0; n < padded; n++) U[n] = Math.Max(U[n].Real, 0);

            var num = new Complex[padded];
            for (int n = 0; n < padded; n++) num[n] = (min + (n - offset) * slope) * U[n].Real;
            Fourier.Forward(num, FourierOptions.Matlab);
            var den = (Complex[])U.Clone();
            Fourier.Forward(den, FourierOptions.Matlab);
            for (int n = 0; n < padded; n++) { num[n] *= F[n]; den[n] *= F[n]; }
            Fourier.Inverse(num, FourierOptions.Matlab);
            Fourier.Inverse(den, FourierOptions.Matlab);

            var e = new double[bins];
            for (int n = 0; n < bins; n++)
            {
                double d = den[n + offset].Real;
                e[n] = d != 0 ? num[n + offset].Real / d : 0;
            }
            return e;
        }
    }
}
