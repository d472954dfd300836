using System;

namespace Atlas.Core.Nifti
{
    /// <summary>What went wrong with an image file; cmdlets map it to a PowerShell ErrorCategory.</summary>
    public enum NiftiErrorKind
    {
        NotFound,
        Truncated,
        CorruptGzip,
        BadMagic,
        BadHeader,
        UnsupportedDataType,
        BadOffset,
        SizeMismatch,
        ValueOutOfRange,
        InvalidArgument,
    }

    /// <summary>An image that cannot be read or written; names the file.</summary>
    public class NiftiFormatException : Exception
    {
        public NiftiFormatException(NiftiErrorKind kind, string path, string message, Exception inner = null)
            : base(path == null ? message : path + ": " + message, inner)
        {
            Kind = kind;
            FilePath = path;
            Reason = message;
        }

        public NiftiErrorKind Kind { get; }
        public string FilePath { get; }
        /// <summary>The message without the file name.</summary>
        public string Reason { get; }
    }
}
