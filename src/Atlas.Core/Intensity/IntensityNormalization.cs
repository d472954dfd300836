using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Atlas.Core.Imaging;
using Atlas.Core.Volumes;

namespace Atlas.Core.Intensity
{
    public enum NormalizationMethod { WhiteMatterPeak, ZScore, Percentile }

    public sealed class NormalizationOptions
    {
        public NormalizationMethod Method { get; set; } = NormalizationMethod.WhiteMatterPeak;
        /// <summary>Percentile method: the percentile mapped to 0.</summary>
        public double LowPercentile { get; set; } = 1;
        /// <summary>Percentile method: the percentile mapped to 1.</summary>
        public double HighPercentile { get; set; } = 99;
        /// <summary>White-matter peak: histogram bins over the bright tissue's range.</summary>
        public int HistogramBins { get; set; } = 256;
        /// <summary>White-matter peak: σ of the Gaussian smoothing the histogram, in bins.</summary>
        public double SmoothingBins { get; set; } = 2;
    }

    /// <summary>What a normalization did: OUT = (IN − Offset) / Scale.</summary>
    public sealed class NormalizationResult
    {
        public string Path { get; set; }
        public string OutputPath { get; set; }
        public string MaskPath { get; set; }
        public string LesionMaskPath { get; set; }
        public string Method { get; set; }
        /// <summary>"Mask" or "Otsu".</summary>
        public string MaskSource { get; set; }
        /// <summary>Voxels the statistics came from (mask minus lesion, finite values).</summary>
        public long StatisticsVoxels { get; set; }
        public double Offset { get; set; }
        public double Scale { get; set; }
        /// <summary>Mean and standard deviation in the mask (every method reports them).</summary>
        public double Mean { get; set; }
        public double StandardDeviation { get; set; }
        /// <summary>White-matter peak: the mode of the bright tissue's histogram; NaN for other methods.</summary>
        public double WhiteMatterPeak { get; set; } = double.NaN;
        /// <summary>White-matter peak: Otsu's threshold of the mask's values, below which tissue is not bright.</summary>
        public double BrightThreshold { get; set; } = double.NaN;
        public double LowValue { get; set; } = double.NaN;
        public double HighValue { get; set; } = double.NaN;
        public string[] Warnings { get; set; } = new string[0];

        private AtlasVolume _image;
        /// <summary>The normalized image (float32).</summary>
        public AtlasVolume GetImage() => _image;
        internal void SetImage(AtlasVolume v) { _image = v; }
    }

    /// <summary>
    /// Intensity normalization of a T1, every method a linear map OUT = (IN − offset) / scale with its
    /// statistics taken in the mask minus the lesion (finite values only):
    /// WhiteMatterPeak: offset 0, scale = the white-matter peak, the mode of a Gaussian-smoothed histogram of
    /// the bright tissue (values above Otsu's threshold of the mask's values), refined by a parabola through
    /// the top bin and its neighbours; ZScore: offset = mean, scale = standard deviation (population);
    /// Percentile: offset = P_low, scale = P_high − P_low (numpy's linear percentiles).
    /// </summary>
    public static class IntensityNormalization
    {
        public static NormalizationResult Normalize(AtlasVolume image, AtlasVolume mask = null, AtlasVolume lesion = null, NormalizationOptions options = null)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            options = options ?? new NormalizationOptions();
            if (!(options.LowPercentile >= 0 && options.HighPercentile <= 100 && options.LowPercentile < options.HighPercentile))
                throw new ArgumentException("Percentiles must satisfy 0 ≤ low < high ≤ 100.");
            if (mask != null) GridCheck.RequireSame(image, mask);
            if (lesion != null) GridCheck.RequireSame(image, lesion);
            var v = image.ToFloat32();
            var warnings = new List<string>();
            byte[] m;
            string source;
            if (mask != null)
            {
                m = mask.ToMask(); source = "Mask";
            }
            else
            {
                try { m = OtsuThreshold.HeadMask(v, image.Grid, out _); }
                catch (ArgumentException ex) { throw new GeometryException(GeometryErrorKind.ValueOutOfRange, image.Path, ex.Message); }
                source = "Otsu";
            }
            if (lesion != null)
            {
                var l = lesion.ToMask();
                for (long i = 0; i < m.LongLength; i++) if (l[i] != 0) m[i] = 0;
            }
            long nan = 0;
            for (long i = 0; i < v.LongLength; i++) if (float.IsNaN(v[i]) || float.IsInfinity(v[i])) { nan++; m[i] = 0; }
            if (nan > 0) warnings.Add(nan + " voxels are NaN or infinite; they are left out of the statistics and stay NaN in the output.");
            var values = Collect(v, m);
            if (values.Length < 2)
                throw new GeometryException(GeometryErrorKind.ValueOutOfRange, mask?.Path ?? image.Path,
                    "the mask holds " + values.Length + " usable voxels (outside the lesion, finite); at least 2 are needed.");

            double sum = 0, sum2 = 0;
            foreach (var x in values) { sum += x; sum2 += x * x; }
            double mean = sum / values.Length;
            double sd = Math.Sqrt(Math.Max(0, sum2 / values.Length - mean * mean));
            var r = new NormalizationResult
            {
                Path = image.Path, MaskPath = mask?.Path, LesionMaskPath = lesion?.Path, Method = options.Method.ToString(), MaskSource = source,
                StatisticsVoxels = values.Length, Mean = mean, StandardDeviation = sd,
            };
            switch (options.Method)
            {
                case NormalizationMethod.ZScore:
                    r.Offset = mean; r.Scale = sd;
                    break;
                case NormalizationMethod.Percentile:
                    Array.Sort(values);
                    r.LowValue = Percentile.OfSorted(values, values.Length, options.LowPercentile);
                    r.HighValue = Percentile.OfSorted(values, values.Length, options.HighPercentile);
                    r.Offset = r.LowValue; r.Scale = r.HighValue - r.LowValue;
                    break;
                default:
                    r.WhiteMatterPeak = WhiteMatterPeakOf(values, options, out double t);
                    r.BrightThreshold = t;
                    r.Offset = 0; r.Scale = r.WhiteMatterPeak;
                    break;
            }
            if (!(r.Scale > 0) || double.IsInfinity(r.Scale))
                throw new GeometryException(GeometryErrorKind.ValueOutOfRange, image.Path,
                    "the " + options.Method + " scale is " + r.Scale + " (the mask's intensities are constant or not positive); the image cannot be normalized.");
            double off = r.Offset, inv = 1.0 / r.Scale;
            var o = new float[v.LongLength];
            Parallel.For(0, image.Grid.NZ, k =>
            {
                long s = (long)k * image.Grid.NX * image.Grid.NY, e = s + (long)image.Grid.NX * image.Grid.NY;
                for (long i = s; i < e; i++) o[i] = (float)((v[i] - off) * inv);
            });
            r.Warnings = warnings.ToArray();
            r.SetImage(AtlasVolume.FromFloat32(image.Grid, o, image.Header));
            return r;
        }

        private static double[] Collect(float[] v, byte[] m)
        {
            long c = 0;
            for (long i = 0; i < m.LongLength; i++) if (m[i] != 0) c++;
            var a = new double[c];
            long j = 0;
            for (long i = 0; i < m.LongLength; i++) if (m[i] != 0) a[j++] = v[i];
            return a;
        }

        /// <summary>The white-matter peak of values (see the class): also returns the bright-tissue threshold.</summary>
        public static double WhiteMatterPeakOf(double[] values, NormalizationOptions options, out double threshold)
        {
            var f = new float[values.Length];
            for (int i = 0; i < values.Length; i++) f[i] = (float)values[i];
            threshold = OtsuThreshold.Of(f);
            double lo = threshold, hi = double.NegativeInfinity;
            foreach (var x in values) if (x > hi) hi = x;
            int bins = options.HistogramBins;
            double width = (hi - lo) / bins;
            if (!(width > 0)) return hi;
            var h = new double[bins];
            foreach (var x in values)
            {
                if (!(x > lo)) continue;
                int b = (int)((x - lo) / width);
                h[b >= bins ? bins - 1 : b]++;
            }
            var s = Smooth(h, options.SmoothingBins);
            int best = 0;
            for (int b = 1; b < bins; b++) if (s[b] > s[best]) best = b;
            double shift = 0;
            if (best > 0 && best < bins - 1)
            {
                double a = s[best - 1], c = s[best], d = s[best + 1];
                double den = a - 2 * c + d;
                if (den < 0) shift = 0.5 * (a - d) / den;
            }
            return lo + (best + 0.5 + shift) * width;
        }

        /// <summary>A histogram convolved with a Gaussian of σ bins (truncated at 4σ, zero beyond the ends).</summary>
        public static double[] Smooth(double[] h, double sigma)
        {
            if (!(sigma > 0)) return (double[])h.Clone();
            int r = (int)Math.Ceiling(4 * sigma);
            var k = new double[2 * r + 1];
            for (int i = -r; i <= r; i++) k[i + r] = Math.Exp(-0.5 * i * i / (sigma * sigma));
            var o = new double[h.Length];
            for (int b = 0; b < h.Length; b++)
            {
                double acc = 0;
                for (int i = -r; i <= r; i++)
                {
                    int q = b + i;
                    if (q >= 0 && q < h.Length) acc += h[q] * k[i + r];
                }
                o[b] = acc;
            }
            return o;
        }
    }
}
