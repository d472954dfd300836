using System;
using System.IO;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// Writes go to a temporary file beside the target and are renamed into place, so an
    /// interrupted run never leaves a truncated output behind.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>The temporary name used beside <paramref name="path"/> (hidden, unique, same folder so the rename is atomic).</summary>
        public static string TempPathFor(string path)
        {
            string dir = Path.GetDirectoryName(path);
            string name = "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            return string.IsNullOrEmpty(dir) ? name : Path.Combine(dir, name);
        }

        public static void Write(string path, Action<Stream> write)
        {
            string tmp = WriteTemp(path, write);
            Commit(tmp, path);
        }

        public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes, 0, bytes.Length));

        public static void WriteAllText(string path, string text) =>
            WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

        /// <summary>Writes a temporary file and returns its name; call <see cref="Commit"/> to move it into place.</summary>
        public static string WriteTemp(string path, Action<Stream> write)
        {
            string dir = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            string tmp = TempPathFor(path);
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(fs);
                    fs.Flush(true);
                }
                return tmp;
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
        }

        public static void Commit(string tmp, string path)
        {
            try
            {
                if (File.Exists(path)) File.Replace(tmp, path, null);
                else File.Move(tmp, path);
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
        }

        public static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
