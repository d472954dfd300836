using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Imaging;
using Atlas.Core.Volumes;

namespace Atlas.Core.Intensity
{
    /// <summary>N4's parameters; the defaults are ITK's N4BiasFieldCorrectionImageFilter's and ANTs' N4BiasFieldCorrection's.</summary>
    public sealed class N4Options
    {
        /// <summary>Subsampling of the image for the estimation (ANTs' -s default 4).</summary>
        public int ShrinkFactor { get; set; } = 4;
        /// <summary>Iterations per fitting level; the count of entries is the count of levels (ANTs' -c default [50x50x50x50]).</summary>
        public int[] MaximumIterations { get; set; } = { 50, 50, 50, 50 };
        /// <summary>A level stops when the coefficient of variation of the field's change falls below this (ITK's default 0.001).</summary>
        public double ConvergenceThreshold { get; set; } = 0.001;
        /// <summary>Control points per axis at the first level (ITK's default 4: one span of a cubic spline); the spans double per level.</summary>
        public int InitialControlPoints { get; set; } = 4;
        /// <summary>Histogram bins of the log intensities (ITK's default 200).</summary>
        public int HistogramBins { get; set; } = 200;
        /// <summary>FWHM of the Gaussian the bias field is assumed to blur the log histogram by (ITK's default 0.15).</summary>
        public double BiasFieldFwhm { get; set; } = 0.15;
        /// <summary>Wiener filter noise of the deconvolution (ITK's default 0.01).</summary>
        public double WienerNoise { get; set; } = 0.01;
        /// <summary>The lesion is grown by this much before it is left out of the estimation.</summary>
        public double LesionDilationMm { get; set; } = 3;

        internal void Validate()
        {
            if (ShrinkFactor < 1) throw new ArgumentException("ShrinkFactor must be at least 1.");
            if (MaximumIterations == null || MaximumIterations.Length < 1) throw new ArgumentException("MaximumIterations needs at least one level.");
            foreach (var i in MaximumIterations) if (i < 1) throw new ArgumentException("Every level needs at least one iteration.");
            if (!(ConvergenceThreshold >= 0)) throw new ArgumentException("ConvergenceThreshold must be 0 or more.");
            if (InitialControlPoints < 4) throw new ArgumentException("A cubic B-spline needs at least 4 control points per axis.");
            if (HistogramBins < 2) throw new ArgumentException("HistogramBins must be at least 2.");
            if (!(BiasFieldFwhm > 0)) throw new ArgumentException("BiasFieldFwhm must be positive.");
            if (!(WienerNoise > 0)) throw new ArgumentException("WienerNoise must be positive.");
            if (!(LesionDilationMm >= 0)) throw new ArgumentException("LesionDilationMm must be 0 or more.");
        }
    }

    /// <summary>What a bias correction did; the corrected image and the field are held for the caller to write.</summary>
    public sealed class BiasCorrectionResult
    {
        public string Path { get; set; }
        public string OutputPath { get; set; }
        public string BiasFieldPath { get; set; }
        public string MaskPath { get; set; }
        public string LesionMaskPath { get; set; }
        /// <summary>"Mask" (given) or "Otsu" (a head mask from Otsu's threshold).</summary>
        public string MaskSource { get; set; }
        /// <summary>Full-resolution voxels the field was estimated from (mask, minus the dilated lesion and voxels ≤ 0 or NaN).</summary>
        public long EstimationVoxels { get; set; }
        public long LesionVoxelsExcluded { get; set; }
        public long NonPositiveVoxelsExcluded { get; set; }
        public long NaNVoxels { get; set; }
        public int Levels { get; set; }
        /// <summary>Iterations run per level, e.g. "50,12,8,5".</summary>
        public string IterationsPerLevel { get; set; }
        /// <summary>The convergence measure of each level's last iteration.</summary>
        public string ConvergencePerLevel { get; set; }
        /// <summary>Smallest and largest field value in the estimation mask (geometric mean 1 there).</summary>
        public double FieldMin { get; set; }
        public double FieldMax { get; set; }
        public double ElapsedSeconds { get; set; }
        public string[] Warnings { get; set; } = new string[0];

        private AtlasVolume _corrected, _field;
        /// <summary>The corrected image (float32): OUT = IN / FIELD. A method so CSV exports stay flat.</summary>
        public AtlasVolume GetCorrected() => _corrected;
        /// <summary>The multiplicative field (float32).</summary>
        public AtlasVolume GetBiasField() => _field;
        internal void SetImages(AtlasVolume corrected, AtlasVolume field) { _corrected = corrected; _field = field; }
    }

    /// <summary>
    /// N4 bias-field correction (Tustison et al., "N4ITK: improved N3 bias correction", IEEE TMI 29(6)
    /// 2010), following ITK's N4BiasFieldCorrectionImageFilter: in the log domain the image is the true
    /// image plus a smooth field; the image is subsampled by the shrink factor; each iteration sharpens the
    /// histogram of the current corrected log image (<see cref="HistogramSharpening"/>), fits a cubic
    /// B-spline to the residual (uncorrected − sharpened) and adds its control points to the field's;
    /// a level ends after its iterations or when the coefficient of variation of exp(new − old field)
    /// in the mask falls below the threshold, and the control lattice is then refined to twice the spans.
    /// The final lattice is evaluated on the full grid. Departures from ITK, and why: voxels ≤ 0 or NaN
    /// are left out (ITK keeps them with their raw values in the log image); the dilated lesion is left
    /// out (a lesion is no tissue class of the histogram); the log field is shifted to mean 0 over the
    /// estimation voxels so that the corrected image keeps the input's intensity scale (ITK leaves the
    /// constant free).
    /// </summary>
    public static class N4BiasCorrection
    {
        public static BiasCorrectionResult Correct(AtlasVolume image, AtlasVolume mask = null, AtlasVolume lesion = null,
            N4Options options = null, CancellationToken cancellation = default)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            options = options ?? new N4Options();
            options.Validate();
            var sw = Stopwatch.StartNew();
            var grid = image.Grid;
            if (mask != null) GridCheck.RequireSame(image, mask);
            if (lesion != null) GridCheck.RequireSame(image, lesion);
            var warnings = new List<string>();
            var input = image.ToFloat32();
            long n = input.LongLength;

            byte[] est;
            string source;
            if (mask != null)
            {
                est = mask.ToMask();
                source = "Mask";
                if (Count(est) == 0) throw new GeometryException(GeometryErrorKind.ValueOutOfRange, mask.Path, "the mask is empty; the bias field cannot be estimated.");
            }
            else
            {
                try { est = OtsuThreshold.HeadMask(input, grid, out _); }
                catch (ArgumentException ex) { throw new GeometryException(GeometryErrorKind.ValueOutOfRange, image.Path, ex.Message); }
                source = "Otsu";
            }

            long lesionOut = 0;
            if (lesion != null)
            {
                var grown = IntensityMasks.Dilate(lesion.ToMask(), grid, options.LesionDilationMm);
                for (long i = 0; i < n; i++) if (grown[i] != 0 && est[i] != 0) { est[i] = 0; lesionOut++; }
            }
            long nan = 0, nonPositive = 0;
            for (long i = 0; i < n; i++)
            {
                float v = input[i];
                if (float.IsNaN(v) || float.IsInfinity(v)) { nan++; est[i] = 0; }
                else if (v <= 0 && est[i] != 0) { nonPositive++; est[i] = 0; }
            }
            if (nan > 0) warnings.Add(nan + " voxels are NaN or infinite; they are left out of the estimation and stay NaN in the output.");
            if (nonPositive > 0) warnings.Add(nonPositive + " voxels in the mask are zero or negative (N4 works on log intensities); they are left out of the estimation and divided by the field like the others.");
            long used = Count(est);
            if (used < 64) throw new GeometryException(GeometryErrorKind.ValueOutOfRange, image.Path,
                "only " + used + " usable voxels (positive, in the mask, outside the lesion) are left; the bias field cannot be estimated.");

            var lattice = Estimate(input, est, grid, options, cancellation, out var iters, out var conv);

            // The field on the full grid, shifted to geometric mean 1 over the estimation voxels.
            var full = new double[3][];
            for (int d = 0; d < 3; d++)
            {
                int len = grid.Dimensions[d];
                full[d] = new double[len];
                for (int i = 0; i < len; i++) full[d][i] = i;
            }
            cancellation.ThrowIfCancellationRequested();
            var logField = lattice.EvaluateFloat(full);
            double sum = 0;
            for (long i = 0; i < n; i++) if (est[i] != 0) sum += logField[i];
            double shift = sum / used;
            var field = new float[n];
            var corrected = new float[n];
            double fmin = double.PositiveInfinity, fmax = double.NegativeInfinity;
            Parallel.For(0, grid.NZ, k =>
            {
                long s = (long)k * grid.NX * grid.NY, e = s + (long)grid.NX * grid.NY;
                for (long i = s; i < e; i++)
                {
                    float f = (float)Math.Exp(logField[i] - shift);
                    field[i] = f;
                    corrected[i] = input[i] / f;
                }
            });
            for (long i = 0; i < n; i++)
            {
                if (est[i] == 0) continue;
                if (field[i] < fmin) fmin = field[i];
                if (field[i] > fmax) fmax = field[i];
            }

            var result = new BiasCorrectionResult
            {
                Path = image.Path, MaskPath = mask?.Path, LesionMaskPath = lesion?.Path, MaskSource = source,
                EstimationVoxels = used, LesionVoxelsExcluded = lesionOut, NonPositiveVoxelsExcluded = nonPositive, NaNVoxels = nan,
                Levels = options.MaximumIterations.Length,
                IterationsPerLevel = string.Join(",", iters),
                ConvergencePerLevel = string.Join(",", Array.ConvertAll(conv, c => c.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))),
                FieldMin = fmin, FieldMax = fmax,
                Warnings = warnings.ToArray(),
            };
            result.SetImages(AtlasVolume.FromFloat32(grid, corrected, image.Header), AtlasVolume.FromFloat32(grid, field, image.Header));
            result.ElapsedSeconds = sw.Elapsed.TotalSeconds;
            return result;
        }

        private static long Count(byte[] m)
        {
            long c = 0;
            for (long i = 0; i < m.LongLength; i++) c += m[i] != 0 ? 1 : 0;
            return c;
        }

        /// <summary>
        /// The iterations on the subsampled image: returns the log field's control lattice over the full grid's
        /// index domain. Subsampled voxel i along an axis is full-resolution voxel f·i + (f − 1)/2 (the
        /// voxel nearest the centre of its block, as ITK's ShrinkImageFilter picks).
        /// </summary>
        public static BSplineLattice Estimate(float[] input, byte[] include, Grid grid, N4Options options, CancellationToken cancellation,
            out int[] iterations, out double[] convergence)
        {
            int f = options.ShrinkFactor;
            var dims = grid.Dimensions;
            var pos = new double[3][];
            var idx = new int[3][];
            var ns = new int[3];
            for (int d = 0; d < 3; d++)
            {
                ns[d] = (dims[d] + f - 1) / f;
                pos[d] = new double[ns[d]];
                idx[d] = new int[ns[d]];
                for (int i = 0; i < ns[d]; i++)
                {
                    int p = Math.Min(dims[d] - 1, f * i + (f - 1) / 2);
                    idx[d][i] = p; pos[d][i] = p;
                }
            }
            long m = (long)ns[0] * ns[1] * ns[2];
            var logIn = new double[m];
            var inc = new byte[m];
            for (int k = 0; k < ns[2]; k++)
                for (int j = 0; j < ns[1]; j++)
                    for (int i = 0; i < ns[0]; i++)
                    {
                        long o = i + (long)ns[0] * (j + (long)ns[1] * k);
                        long src = grid.Index(idx[0][i], idx[1][j], idx[2][k]);
                        if (include[src] == 0) continue;
                        inc[o] = 1;
                        logIn[o] = Math.Log(input[src]);
                    }

            var domainMax = new double[3];
            var spans = new int[3];
            for (int d = 0; d < 3; d++) { domainMax[d] = dims[d] - 1; spans[d] = options.InitialControlPoints - 3; }
            int levels = options.MaximumIterations.Length;
            iterations = new int[levels];
            convergence = new double[levels];
            var lattice = new BSplineLattice(spans, domainMax);
            var logField = new double[m];
            var uncorrected = new double[m];
            var sharpened = new double[m];
            var residual = new double[m];
            for (int level = 0; level < levels; level++)
            {
                double cv = double.MaxValue;
                int it = 0;
                while (it < options.MaximumIterations[level] && cv > options.ConvergenceThreshold)
                {
                    cancellation.ThrowIfCancellationRequested();
                    it++;
                    for (long o = 0; o < m; o++) uncorrected[o] = inc[o] != 0 ? logIn[o] - logField[o] : 0;
                    HistogramSharpening.Sharpen(uncorrected, inc, sharpened, options.HistogramBins, options.BiasFieldFwhm, options.WienerNoise);
                    for (long o = 0; o < m; o++) residual[o] = inc[o] != 0 ? uncorrected[o] - sharpened[o] : 0;
                    lattice.Add(BSplineLattice.Fit(lattice.Spans, domainMax, pos, residual, inc));
                    var newField = lattice.Evaluate(pos);
                    cv = ChangeVariation(logField, newField, inc);
                    logField = newField;
                }
                iterations[level] = it;
                convergence[level] = cv;
                if (level < levels - 1) lattice = lattice.Refine();
            }
            return lattice;
        }

        /// <summary>ITK's convergence measure: σ/μ of exp(new − old) over the included points.</summary>
        private static double ChangeVariation(double[] oldField, double[] newField, byte[] inc)
        {
            double s = 0, s2 = 0; long c = 0;
            for (long o = 0; o < inc.LongLength; o++)
            {
                if (inc[o] == 0) continue;
                double p = Math.Exp(newField[o] - oldField[o]);
                s += p; s2 += p * p; c++;
            }
            if (c < 2) return 0;
            double mu = s / c;
            double var = Math.Max(0, (s2 - c * mu * mu) / (c - 1));
            return Math.Sqrt(var) / mu;
        }
    }
}
