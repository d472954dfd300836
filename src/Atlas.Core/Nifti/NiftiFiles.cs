using System;
using System.IO;

namespace Atlas.Core.Nifti
{
    /// <summary>The kinds of image file by name, and the pair partner of .hdr/.img files.</summary>
    public enum NiftiFileKind { Nii, NiiGz, Voi, Pair, PairGz }

    public static class NiftiFiles
    {
        public static NiftiFileKind KindOf(string path)
        {
            string p = path.ToLowerInvariant();
            if (p.EndsWith(".nii.gz")) return NiftiFileKind.NiiGz;
            if (p.EndsWith(".nii")) return NiftiFileKind.Nii;
            if (p.EndsWith(".voi")) return NiftiFileKind.Voi;
            if (p.EndsWith(".hdr.gz") || p.EndsWith(".img.gz")) return NiftiFileKind.PairGz;
            if (p.EndsWith(".hdr") || p.EndsWith(".img")) return NiftiFileKind.Pair;
            throw new NiftiFormatException(NiftiErrorKind.InvalidArgument, path, "unknown image extension (use .nii, .nii.gz, .voi, .hdr/.img or .hdr.gz/.img.gz)");
        }

        public static bool IsImagePath(string path)
        {
            string p = path.ToLowerInvariant();
            return p.EndsWith(".nii") || p.EndsWith(".nii.gz") || p.EndsWith(".voi") || p.EndsWith(".hdr") || p.EndsWith(".hdr.gz");
        }

        /// <summary>For a pair member, the header and image paths that exist (either compressed or not); null image when absent.</summary>
        public static void PairPaths(string path, out string hdr, out string img)
        {
            string p = path;
            bool gz = p.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            string stem = gz ? p.Substring(0, p.Length - 3) : p;
            string baseName = stem.Substring(0, stem.Length - 4);
            hdr = First(baseName + ".hdr", baseName + ".hdr.gz", baseName + ".HDR");
            img = First(baseName + ".img", baseName + ".img.gz", baseName + ".IMG");
            if (hdr == null) hdr = baseName + (gz ? ".hdr.gz" : ".hdr");
        }

        /// <summary>The header and image names to write for a pair target.</summary>
        public static void PairTargets(string path, out string hdr, out string img)
        {
            bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            string stem = gz ? path.Substring(0, path.Length - 3) : path;
            string baseName = stem.Substring(0, stem.Length - 4);
            hdr = baseName + ".hdr" + (gz ? ".gz" : "");
            img = baseName + ".img" + (gz ? ".gz" : "");
        }

        private static string First(params string[] candidates)
        {
            foreach (var c in candidates) if (File.Exists(c)) return c;
            return null;
        }

        /// <summary>Strips the image extension (.nii.gz, .nii, .voi, .hdr …) from a file name.</summary>
        public static string StripExtension(string name)
        {
            string[] exts = { ".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".voi", ".hdr", ".img" };
            foreach (var e in exts)
                if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) return name.Substring(0, name.Length - e.Length);
            return name;
        }
    }
}
