using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;

namespace Atlas.Core.Bids
{
    /// <summary>
    /// Hard and symbolic links (netstandard2.0 has neither): link(2)/symlink(2) from libc on Linux and
    /// macOS, CreateHardLinkW/CreateSymbolicLinkW on Windows. Plus the SHA-256 and copy helpers the
    /// converter uses.
    /// </summary>
    public static class FileLinks
    {
        [DllImport("libc", EntryPoint = "link", SetLastError = true)]
        private static extern int UnixLink(string oldPath, string newPath);

        [DllImport("libc", EntryPoint = "symlink", SetLastError = true)]
        private static extern int UnixSymlink(string target, string linkPath);

        [DllImport("kernel32.dll", EntryPoint = "CreateHardLinkW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool WinCreateHardLink(string newFile, string existingFile, IntPtr security);

        [DllImport("kernel32.dll", EntryPoint = "CreateSymbolicLinkW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool WinCreateSymbolicLink(string linkPath, string target, int flags);

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Creates <paramref name="linkPath"/> as a hard link to <paramref name="existing"/> (same file system only).</summary>
        public static void CreateHardLink(string linkPath, string existing)
        {
            bool ok = IsWindows ? WinCreateHardLink(linkPath, existing, IntPtr.Zero) : UnixLink(existing, linkPath) == 0;
            if (!ok) throw LinkError("hard link", linkPath, existing);
        }

        /// <summary>Creates <paramref name="linkPath"/> as a symbolic link to the absolute path <paramref name="target"/>.</summary>
        public static void CreateSymbolicLink(string linkPath, string target)
        {
            // 0x2: SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE (Windows 10 developer mode); ignored elsewhere.
            bool ok = IsWindows ? WinCreateSymbolicLink(linkPath, target, 0x2) : UnixSymlink(target, linkPath) == 0;
            if (!ok) throw LinkError("symbolic link", linkPath, target);
        }

        private static IOException LinkError(string what, string linkPath, string target)
        {
            int err = Marshal.GetLastWin32Error();
            string reason = new Win32Exception(err).Message;
            return new IOException("Cannot create a " + what + " " + linkPath + " -> " + target + ": " + reason + " (error " + err + ").");
        }

        /// <summary>Lower-case hex SHA-256 of a file's bytes (through a symbolic link, the target's).</summary>
        public static string Sha256(string path, CancellationToken cancel = default(CancellationToken))
        {
            using (var sha = SHA256.Create())
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                var buf = new byte[1 << 16];
                int n;
                while ((n = fs.Read(buf, 0, buf.Length)) > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    sha.TransformBlock(buf, 0, n, null, 0);
                }
                sha.TransformFinalBlock(buf, 0, 0);
                return Hex(sha.Hash);
            }
        }

        public static string Sha256(byte[] bytes)
        {
            using (var sha = SHA256.Create()) return Hex(sha.ComputeHash(bytes));
        }

        private static string Hex(byte[] h)
        {
            var c = new char[h.Length * 2];
            const string digits = "0123456789abcdef";
            for (int i = 0; i < h.Length; i++) { c[2 * i] = digits[h[i] >> 4]; c[2 * i + 1] = digits[h[i] & 15]; }
            return new string(c);
        }

        /// <summary>Copies a file's bytes into a stream, checking for cancellation between blocks.</summary>
        public static void CopyTo(string source, Stream destination, CancellationToken cancel)
        {
            using (var fs = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                var buf = new byte[1 << 16];
                int n;
                while ((n = fs.Read(buf, 0, buf.Length)) > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    destination.Write(buf, 0, n);
                }
            }
        }

        /// <summary>True when both files exist and have the same length and SHA-256.</summary>
        public static bool SameContent(string a, string b, CancellationToken cancel = default(CancellationToken))
        {
            if (!File.Exists(a) || !File.Exists(b)) return false;
            if (new FileInfo(a).Length != new FileInfo(b).Length) return false;
            return Sha256(a, cancel) == Sha256(b, cancel);
        }
    }
}
