using System;
using System.IO;

namespace Atlas.Core.Tests
{
    /// <summary>Shared test locations: a fresh temporary folder per test class, and the optional peer tools.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-tests-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static class Peers
    {
        public const string MricronTemplates = "/usr/share/mricron/templates";

        public static bool HasMricronData => Directory.Exists(MricronTemplates);

        /// <summary>Debian's python (the one with nibabel/scipy) when present, else null.</summary>
        public static string Python => System.IO.File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null;
    }
}
