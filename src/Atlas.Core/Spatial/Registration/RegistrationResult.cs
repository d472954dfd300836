using System.Collections.Generic;
using Atlas.Core.Spatial;

namespace Atlas.Core.Spatial.Registration
{
    /// <summary>What an affine registration found and how far to trust it.</summary>
    public sealed class RegistrationResult
    {
        /// <summary>4x4 world (RAS mm) matrix taking a template point to the moving image's point (fixed to moving).</summary>
        public double[,] FixedToMovingRas { get; internal set; }
        public RegistrationCost Cost { get; internal set; }
        public int Dof { get; internal set; }
        /// <summary>The cost at the end, at the finest level (lower is better; its scale depends on <see cref="Cost"/>).</summary>
        public double FinalCost { get; internal set; }
        /// <summary>eta^2 of the moving intensities given the template's at the end (1 - the CorrelationRatio cost), whatever cost was optimised.</summary>
        public double CorrelationRatio { get; internal set; }
        /// <summary>Fraction of the template brain that lands inside the moving image's head.</summary>
        public double BrainOverlap { get; internal set; }
        public double Determinant { get; internal set; }
        /// <summary>Singular values of the matrix's linear part (scale factors, largest first).</summary>
        public double[] Scales { get; internal set; }
        public bool Converged { get; internal set; }
        /// <summary>Powell iterations over all levels, and cost evaluations (search included).</summary>
        public int Iterations { get; internal set; }
        public int Evaluations { get; internal set; }
        /// <summary>The resolutions used, coarse to fine (mm).</summary>
        public double[] LevelsMm { get; internal set; }
        /// <summary>Rotation of the best coarse-search candidate (degrees about x, y, z).</summary>
        public double[] InitialRotationDegrees { get; internal set; }
        public RegistrationVerdict Verdict { get; internal set; }
        /// <summary>Why the verdict is not Good (empty when it is).</summary>
        public string VerdictReason { get; internal set; }
        /// <summary>The matrix as a transform (for Resampler and TransformFiles).</summary>
        public AffineTransform Transform => FixedToMovingRas == null ? null : new AffineTransform(FixedToMovingRas);
        /// <summary>True when the transform was not optimised but assessed as given (a kept, up-to-date transform file).</summary>
        public bool Assessed { get; internal set; }
        /// <summary>Files involved (set by the caller that read or wrote them).</summary>
        public string MovingPath { get; set; }
        public string FixedPath { get; set; }
        public string TransformPath { get; set; }
        public string OutputPath { get; set; }

        /// <summary>Things the caller should tell the user (frame 0 of a 4D image, NaNs set to 0, masks that look wrong).</summary>
        public List<string> Warnings { get; } = new List<string>();
    }
}
