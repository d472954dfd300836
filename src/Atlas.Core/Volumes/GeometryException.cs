using System;

namespace Atlas.Core.Volumes
{
    /// <summary>What is wrong with the geometry of an input; cmdlets map each kind to one error id and category.</summary>
    public enum GeometryErrorKind
    {
        /// <summary>Two images that must share a grid do not (error id GridMismatch).</summary>
        GridMismatch,
        /// <summary>A matrix that must be inverted is singular or not finite (error id SingularMatrix).</summary>
        SingularMatrix,
        /// <summary>A coordinate, index or size outside what the grid allows (error id GeometryOutOfRange).</summary>
        OutOfRange,
        /// <summary>A transform file that cannot be read as the format it claims (error id BadTransform).</summary>
        BadTransform,
        /// <summary>A transform that needs images it was not given (an FSL .mat without its two images; error id TransformNeedsImages).</summary>
        TransformNeedsImages,
        /// <summary>
        /// Image values or a mask a computation cannot use: an empty mask, a constant image, too few usable voxels.
        /// No id of its own: it is reported under the failing cmdlet's id (<see cref="GeometryException.ErrorIdFor"/> gives null).
        /// </summary>
        ValueOutOfRange,
    }

    /// <summary>
    /// A geometry error (grids, affines, transforms) or values a computation cannot use: the one
    /// exception type for them, so grid mismatches and empty masks are not reported as broken NIfTI
    /// files. Names the file(s) involved.
    /// </summary>
    public class GeometryException : Exception
    {
        public GeometryException(GeometryErrorKind kind, string path, string message, Exception inner = null)
            : base(path == null ? message : path + ": " + message, inner)
        {
            Kind = kind;
            FilePath = path;
            Reason = message;
        }

        public GeometryErrorKind Kind { get; }
        public string FilePath { get; }
        /// <summary>The message without the file name.</summary>
        public string Reason { get; }

        /// <summary>The stable PowerShell error id of a kind (the one place ids are chosen); null when the cmdlet's own id is used.</summary>
        public static string ErrorIdFor(GeometryErrorKind kind)
        {
            switch (kind)
            {
                case GeometryErrorKind.GridMismatch: return "GridMismatch";
                case GeometryErrorKind.SingularMatrix: return "SingularMatrix";
                case GeometryErrorKind.OutOfRange: return "GeometryOutOfRange";
                case GeometryErrorKind.BadTransform: return "BadTransform";
                case GeometryErrorKind.TransformNeedsImages: return "TransformNeedsImages";
                case GeometryErrorKind.ValueOutOfRange: return null;
                default: return "GeometryError";
            }
        }
    }
}
