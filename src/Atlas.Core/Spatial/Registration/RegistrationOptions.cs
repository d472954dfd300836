using System;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>The similarity measure an affine registration minimises.</summary>
    public enum RegistrationCost
    {
        /// <summary>1 - eta^2 of the moving intensities given the binned fixed intensities (Roche 1998; FLIRT's default, "corratio").</summary>
        CorrelationRatio,
        /// <summary>Minus the mutual information of a 32 x 32 joint histogram with partial-volume binning of the moving value (Mattes 2003 in spirit).</summary>
        MutualInformation,
        /// <summary>1 - the Pearson correlation of fixed and moving intensities (for same-contrast pairs).</summary>
        NormalizedCorrelation,
    }

    /// <summary>How far the registration got, judged from the final cost, the brain overlap and the matrix.</summary>
    public enum RegistrationVerdict
    {
        /// <summary>Every check passed.</summary>
        Good,
        /// <summary>Usable but one check is near its limit: look at the overlay.</summary>
        Suspect,
        /// <summary>A check failed (or the optimiser did not converge): the transform should not be trusted.</summary>
        Failed,
    }

    /// <summary>Settings of <see cref="AffineRegistration"/>; the defaults are the ones the cmdlet documents.</summary>
    public sealed class RegistrationOptions
    {
        /// <summary>Degrees of freedom of the final transform: 6 (rigid), 7 (rigid + one scale), 9 (+ three scales), 12 (+ three shears).</summary>
        public int Dof { get; set; } = 12;

        public RegistrationCost Cost { get; set; } = RegistrationCost.CorrelationRatio;

        /// <summary>Resolutions of the pyramid, coarse to fine (mm). Levels finer than the template's voxels are dropped, the finest kept.</summary>
        public double[] LevelsMm { get; set; } = { 8, 4, 2, 1 };

        /// <summary>The cost-function mask (lesion) is dilated by this many mm before it is left out of the cost (Brett et al. 2001).</summary>
        public double CostMaskDilationMm { get; set; } = 3;

        /// <summary>Coarse rotation search: the largest angle tried about each axis (degrees) and the step.</summary>
        public double SearchRangeDegrees { get; set; } = 60;
        public double SearchStepDegrees { get; set; } = 20;

        /// <summary>How many of the best search candidates are refined at the coarsest level.</summary>
        public int SearchCandidates { get; set; } = 6;

        /// <summary>Iteration caps of the Powell optimiser (per level) and of one line search: the registration always ends.</summary>
        public int MaxIterationsPerLevel { get; set; } = 12;
        public int MaxEvaluationsPerLine { get; set; } = 40;

        /// <summary>
        /// The correlation ratio lets the moving image's intensities carry a smooth multiplicative field (an MR bias field):
        /// log intensities are compared, less a polynomial of the position of this order (0 = none, 1 = linear, 2 = quadratic)
        /// fitted at each evaluation, at the finest level and only when a template brain mask is given. The reported eta^2 is the plain one.
        /// </summary>
        public int IntensityFieldOrder { get; set; } = 2;

        /// <summary>
        /// From the second level on, the template is blurred further along the directions in which the moving image is
        /// coarser (thick slices), so both are compared at the same resolution.
        /// </summary>
        public bool MatchResolution { get; set; } = true;

        /// <summary>At most this many template points per cost evaluation at the finest level (a regular subsample beyond).</summary>
        public int MaxSamplePoints { get; set; } = 600000;

        internal void Validate()
        {
            if (Dof != 6 && Dof != 7 && Dof != 9 && Dof != 12) throw new ArgumentException("Dof must be 6, 7, 9 or 12, not " + Dof + ".");
            if (LevelsMm == null || LevelsMm.Length == 0) throw new ArgumentException("LevelsMm needs at least one level.");
            foreach (var l in LevelsMm) if (!(l > 0) || double.IsInfinity(l)) throw new ArgumentException("LevelsMm values must be positive.");
            if (CostMaskDilationMm < 0 || double.IsNaN(CostMaskDilationMm)) throw new ArgumentException("CostMaskDilationMm must be 0 or more.");
            if (SearchStepDegrees <= 0 || SearchRangeDegrees < 0) throw new ArgumentException("The search range must be 0 or more and its step positive.");
            if (SearchCandidates < 1) throw new ArgumentException("SearchCandidates must be at least 1.");
            if (MaxIterationsPerLevel < 1 || MaxEvaluationsPerLine < 4) throw new ArgumentException("Iteration caps too small.");
            if (IntensityFieldOrder < 0 || IntensityFieldOrder > 2) throw new ArgumentException("IntensityFieldOrder must be 0, 1 or 2.");
            if (MaxSamplePoints < 1000) throw new ArgumentException("MaxSamplePoints must be at least 1000.");
        }
    }
}
