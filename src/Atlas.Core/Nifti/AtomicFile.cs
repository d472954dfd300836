using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// Writes go to a temporary file beside the target and are renamed into place, so an
    /// interrupted run never leaves a truncated output behind. A failure is reported against the
    /// target: the temporary name is an implementation detail the user never asked for.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Key in <see cref="Exception.Data"/> of a failed write: the path the caller asked for.</summary>
        public const string TargetPathKey = "Atlas.TargetPath";

        // Most file systems allow 255 bytes per name; the temporary name adds 14 characters to the target's.
        private const int MaxNameBytes = 255;
        private const int TempSuffixLength = 14; // "." + name + "." + 8 hex digits + ".tmp"

        /// <summary>
        /// The temporary name used beside <paramref name="path"/> (hidden, unique, same folder so the
        /// rename is atomic). A long target name is shortened in the temporary name, so any name the
        /// file system accepts for the target can be written.
        /// </summary>
        public static string TempPathFor(string path)
        {
            string dir = Path.GetDirectoryName(path);
            string baseName = Path.GetFileName(path);
            while (baseName.Length > 1 && Encoding.UTF8.GetByteCount(baseName) + TempSuffixLength > MaxNameBytes)
                baseName = baseName.Substring(0, baseName.Length - (char.IsLowSurrogate(baseName[baseName.Length - 1]) ? 2 : 1));
            string name = "." + baseName + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            return string.IsNullOrEmpty(dir) ? name : Path.Combine(dir, name);
        }

        public static void Write(string path, Action<Stream> write)
        {
            string tmp = WriteTemp(path, write);
            Commit(tmp, path);
        }

        public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes, 0, bytes.Length));

        public static void WriteAllText(string path, string text) =>
            WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

        /// <summary>Writes a temporary file and returns its name; call <see cref="Commit"/> to move it into place.</summary>
        public static string WriteTemp(string path, Action<Stream> write)
        {
            string dir = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            string tmp = TempPathFor(path);
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
                {
                    write(fs);
                    fs.Flush(true);
                }
                return tmp;
            }
            catch (Exception ex)
            {
                TryDelete(tmp);
                throw ThrownForTarget(ex, tmp, path);
            }
        }

        public static void Commit(string tmp, string path)
        {
            try
            {
                if (File.Exists(path)) File.Replace(tmp, path, null);
                else File.Move(tmp, path);
            }
            catch (Exception ex)
            {
                TryDelete(tmp);
                throw ThrownForTarget(ex, tmp, path);
            }
        }

        /// <summary>
        /// The exception to report for a failed write of <paramref name="path"/> through the temporary
        /// file <paramref name="tmp"/>: a file-system exception whose message names the temporary file (or
        /// no file) becomes the same kind of exception naming <paramref name="path"/> instead, with the
        /// original as its inner exception. Every file-system exception gets the path in
        /// <see cref="Exception.Data"/>[<see cref="TargetPathKey"/>]; other exceptions are returned unchanged.
        /// </summary>
        public static Exception NamingTarget(Exception ex, string tmp, string path)
        {
            if (ex == null || string.IsNullOrEmpty(tmp) || string.IsNullOrEmpty(path)) return ex;
            if (!(ex is IOException || ex is UnauthorizedAccessException)) return ex;
            string message = ex.Message ?? "";
            string tmpName = Path.GetFileName(tmp);
            if (message.IndexOf(tmp, StringComparison.Ordinal) >= 0) message = message.Replace(tmp, path);
            else if (tmpName.Length > 0 && message.IndexOf(tmpName, StringComparison.Ordinal) >= 0) message = message.Replace(tmpName, Path.GetFileName(path));
            else if (message.IndexOf(path, StringComparison.Ordinal) < 0) message = path + ": " + message;
            else
            {
                ex.Data[TargetPathKey] = path;
                return ex;
            }

            Exception named;
            switch (ex)
            {
                case UnauthorizedAccessException _: named = new UnauthorizedAccessException(message, ex); break;
                case PathTooLongException _: named = new PathTooLongException(message, ex); break;
                case DirectoryNotFoundException _: named = new DirectoryNotFoundException(message, ex); break;
                case FileNotFoundException _: named = new FileNotFoundException(message, path, ex); break;
                default: named = new IOException(message, ex); break;
            }
            named.Data[TargetPathKey] = path;
            return named;
        }

        /// <summary>
        /// For <c>throw AtomicFile.ThrownForTarget(ex, tmp, path);</c> in a catch block: the exception
        /// <see cref="NamingTarget"/> makes. When that is <paramref name="ex"/> itself, it is rethrown here
        /// with its original stack (as <c>throw;</c> would) and this never returns.
        /// </summary>
        public static Exception ThrownForTarget(Exception ex, string tmp, string path)
        {
            var named = NamingTarget(ex, tmp, path);
            if (ReferenceEquals(named, ex)) ExceptionDispatchInfo.Capture(ex).Throw();
            return named;
        }

        /// <summary>The target path a failed write names (see <see cref="NamingTarget"/>), else null.</summary>
        public static string TargetOf(Exception ex) => ex?.Data[TargetPathKey] as string;

        public static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
