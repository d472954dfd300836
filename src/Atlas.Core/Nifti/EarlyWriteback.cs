using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// Starts the kernel's write-back of a file's bytes while the writer is still producing the rest.
    /// AtomicFile syncs every temporary file before renaming it (a power loss leaves the old file or the
    /// new one), and that final fsync of a large file otherwise waits for all of its bytes at once, after
    /// the cores have finished compressing. On Linux, <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c> queues
    /// the range for writing without waiting, so the disk works while the cores compress and the final
    /// fsync finds little left to do. Elsewhere (and wherever the call is missing) it does nothing: the
    /// final fsync alone still gives the same guarantee.
    /// </summary>
    internal sealed class EarlyWriteback
    {
        /// <summary>Bytes between two write-back requests.</summary>
        public const long Step = 8L << 20;

        private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE, <linux/fs.h>
        private static volatile bool s_unavailable = !RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8;

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        private static extern int SyncFileRange(int fd, long offset, long nbytes, uint flags);

        private readonly FileStream _file;
        private long _requested;   // bytes already queued for write-back
        private long _written;     // bytes handed to the stream

        private EarlyWriteback(FileStream file) { _file = file; }

        /// <summary>A helper for <paramref name="output"/> when it is a file on a system that supports it, else null.</summary>
        public static EarlyWriteback For(Stream output) =>
            !s_unavailable && output is FileStream fs && fs.CanWrite ? new EarlyWriteback(fs) : null;

        /// <summary>Counts <paramref name="bytes"/> just written; every <see cref="Step"/> bytes, queues them for write-back.</summary>
        public void Wrote(long bytes)
        {
            _written += bytes;
            if (_written - _requested < Step || s_unavailable) return;
            try
            {
                _file.Flush(); // the stream's buffer to the kernel, so the range is in the page cache
                long fd = _file.SafeFileHandle.DangerousGetHandle().ToInt64();
                SyncFileRange((int)fd, _requested, _written - _requested, SyncFileRangeWrite);
                _requested = _written;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                s_unavailable = true; // no such call here: the final fsync does it all, as before
            }
        }
    }
}
