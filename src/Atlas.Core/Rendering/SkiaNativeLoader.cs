using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Atlas.Core.Rendering
{
    /// <summary>
    /// Finds SkiaSharp's native library when the module is loaded from a folder (Import-Module),
    /// where .NET's own probing never looks into runtimes/&lt;rid&gt;/native/: the module ships
    /// runtimes/linux-x64/native/libSkiaSharp.so (and the other platforms' files) beside
    /// SkiaSharp.dll, and this registers a DllImport resolver for SkiaSharp that loads the file for
    /// the running platform. A copy directly beside SkiaSharp.dll (as in test and app outputs)
    /// is found by .NET itself and needs nothing.
    /// On .NET Core (PowerShell 7) through NativeLibrary (found by reflection: Atlas.Core targets
    /// netstandard2.0); on .NET Framework (Windows PowerShell 5.1) by loading the DLL by full path
    /// first, after which Windows resolves "libSkiaSharp" to the module already in the process.
    /// </summary>
    internal static class SkiaNativeLoader
    {
        // Registration is per process and may happen only once per assembly: a process-wide one-shot.
        private static readonly Lazy<string> Registration = new Lazy<string>(Register, true);

        /// <summary>Call before the first SkiaSharp call; cheap after the first time. Returns how the library is found (for diagnostics).</summary>
        public static string Ensure() => Registration.Value;

        private static string Register()
        {
            try
            {
                var skia = typeof(SkiaSharp.SKImageInfo).Assembly;
                string path = FindNative(Path.GetDirectoryName(skia.Location));
                if (path == null) return "default probing";
                var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", false);
                if (nativeLibrary != null)
                {
                    var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", false);
                    var set = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType });
                    var load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
                    if (resolverType == null || set == null || load == null) return "default probing";
                    var resolver = new Resolver(path, load);
                    var del = Delegate.CreateDelegate(resolverType, resolver, typeof(Resolver).GetMethod(nameof(Resolver.Resolve)));
                    try { set.Invoke(null, new object[] { skia, del }); }
                    catch (TargetInvocationException) { return "default probing (SkiaSharp has its own resolver)"; }
                    return path;
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    LoadLibraryW(path);
                    return path;
                }
                return "default probing";
            }
            catch (Exception e) when (e is IOException || e is NotSupportedException || e is MemberAccessException || e is ArgumentException)
            {
                return "default probing (" + e.Message + ")";
            }
        }

        private sealed class Resolver
        {
            private readonly string _path;
            private readonly MethodInfo _load;
            public Resolver(string path, MethodInfo load) { _path = path; _load = load; }

            public IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
            {
                if (libraryName == null || libraryName.IndexOf("SkiaSharp", StringComparison.OrdinalIgnoreCase) < 0) return IntPtr.Zero;
                try { return (IntPtr)_load.Invoke(null, new object[] { _path }); }
                catch (TargetInvocationException) { return IntPtr.Zero; }
            }
        }

        /// <summary>The native file for this process's platform: beside SkiaSharp.dll (null: .NET finds it), else under runtimes/&lt;rid&gt;/native/.</summary>
        internal static string FindNative(string dir)
        {
            if (string.IsNullOrEmpty(dir)) return null;
            string file;
            string[] rids;
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(); // x64, arm64, x86, arm
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { file = "libSkiaSharp.dll"; rids = new[] { "win-" + arch }; }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) { file = "libSkiaSharp.dylib"; rids = new[] { "osx", "osx-" + arch }; }
            else
            {
                file = "libSkiaSharp.so";
                bool musl = File.Exists("/lib/ld-musl-x86_64.so.1") || File.Exists("/lib/ld-musl-aarch64.so.1");
                rids = musl ? new[] { "linux-musl-" + arch, "linux-" + arch } : new[] { "linux-" + arch };
            }
            if (File.Exists(Path.Combine(dir, file))) return null;
            foreach (var rid in rids)
            {
                string p = Path.Combine(dir, "runtimes", rid, "native", file);
                if (File.Exists(p)) return p;
            }
            return null;
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);
    }
}
