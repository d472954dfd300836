using System;

namespace Atlas.Core.Volumes
{
    /// <summary>
    /// The one check that two images share a grid (same dimensions, every affine element within a
    /// tolerance): a mismatch is a <see cref="GeometryException"/> of kind GridMismatch that names
    /// the image off the grid (its FilePath, the error's target) and the image whose grid it must share.
    /// </summary>
    public static class GridCheck
    {
        public const double DefaultToleranceMm = 1e-3;

        /// <summary>Throws unless <paramref name="other"/> is on the grid of <paramref name="reference"/>.</summary>
        /// <param name="referenceRole">What the reference is ("the T1", "the reference"); default "the grid of".</param>
        /// <param name="otherRole">What the other image is ("the candidate", "the lesion mask"); default "it".</param>
        /// <param name="remedy">The sentence that says what to do; default: resample one onto the other.</param>
        public static void RequireSame(Grid reference, string referencePath, Grid other, string otherPath,
            string referenceRole = null, string otherRole = null, string remedy = null, double toleranceMm = DefaultToleranceMm)
        {
            if (reference == null) throw new ArgumentNullException(nameof(reference));
            if (other == null) throw new ArgumentNullException(nameof(other));
            string why = reference.DescribeMismatch(other, toleranceMm);
            if (why == null) return;
            throw new GeometryException(GeometryErrorKind.GridMismatch, otherPath,
                (otherRole ?? "it") + " is not on the grid of " + (referenceRole == null ? "" : referenceRole + " ") + (referencePath ?? "(volume in memory)")
                + ": " + why + " (" + reference + " vs " + other + "). " + (remedy ?? "Resample one onto the other first."));
        }

        /// <summary>The same check for two volumes, named by their paths.</summary>
        public static void RequireSame(AtlasVolume reference, AtlasVolume other,
            string referenceRole = null, string otherRole = null, string remedy = null, double toleranceMm = DefaultToleranceMm)
        {
            if (reference == null) throw new ArgumentNullException(nameof(reference));
            if (other == null) throw new ArgumentNullException(nameof(other));
            RequireSame(reference.Grid, reference.Path, other.Grid, other.Path, referenceRole, otherRole, remedy, toleranceMm);
        }
    }
}
