using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>One image a geometry cmdlet works on: a file or a volume, and the subject it came from.</summary>
    public sealed class SpatialItem
    {
        public string Path { get; set; }
        public AtlasVolume Volume { get; set; }
        public AtlasSubject Subject { get; set; }
        /// <summary>True for a subject's lesion mask (resampled by nearest neighbour by default).</summary>
        public bool IsMask { get; set; }
        public string Display => Path ?? Volume?.Path ?? "(volume in memory)";
    }

    /// <summary>A grid to resample onto, with the header it came from (null for a bare Grid) and a name for messages.</summary>
    public sealed class ReferenceSpace
    {
        public Grid Grid { get; set; }
        public NiftiHeader Header { get; set; }
        public string Name { get; set; }
        public string Path { get; set; }
    }

    /// <summary>
    /// What ConvertTo-AtlasCanonical and Invoke-AtlasResample share: inputs (volumes, files, subjects
    /// with their T1 and lesion masks), output names (-OutputPath, or -Destination keeping a subject's
    /// place in its dataset), and the one write path (claim, keep/skip rule, ShouldProcess, atomic write).
    /// </summary>
    public abstract class SpatialCmdletBase : LesionCmdletBase
    {
        /// <summary>The images behind one pipeline object (a subject gives its T1, then its lesion masks).</summary>
        protected List<SpatialItem> ExpandImages(object input, string[] path, string[] literalPath, bool writesFiles)
        {
            var items = new List<SpatialItem>();
            if (ParameterSetName != ParameterSets.InputObject)
            {
                foreach (var f in ResolveInputPaths(path, literalPath)) items.Add(new SpatialItem { Path = f });
                return items;
            }
            var o = Unwrap(input);
            switch (o)
            {
                case null: break;
                case AtlasSubject s:
                    if (!writesFiles) ThrowTerminatingError(DestinationRequired("images"));
                    NoteSubjectFiles(s, nameof(MaskKind.Lesion));
                    if (!string.IsNullOrEmpty(s.T1Path)) items.Add(new SpatialItem { Path = s.T1Path, Subject = s });
                    else WriteWarning("Subject " + s + " has no T1 image.");
                    foreach (var m in s.LesionMaskPaths ?? new string[0]) items.Add(new SpatialItem { Path = m, Subject = s, IsMask = true });
                    break;
                case AtlasVolume v: items.Add(new SpatialItem { Volume = v, Path = v.Path }); break;
                case FileInfo f: ProvenanceOf(input, f.FullName); items.Add(new SpatialItem { Path = f.FullName }); break;
                case string p:
                    foreach (var full in ResolveInputPaths(new[] { p }, false)) items.Add(new SpatialItem { Path = full });
                    break;
                default:
                    throw new ArgumentException("Cannot use a " + o.GetType().Name + " as an image; give an AtlasVolume, a file, a path or an AtlasSubject.");
            }
            return items;
        }

        protected static AtlasVolume LoadItem(SpatialItem item) => item.Volume ?? (item.Volume = NiftiReader.Read(item.Path));

        /// <summary>
        /// The output file of an item, or null when the result is output as a volume: -OutputPath, else
        /// -Destination (a subject's file keeps its path below the dataset root, others their file name).
        /// Subjects need one of the two: a dataset read by Get-AtlasSubject is never written.
        /// </summary>
        protected string OutputFor(SpatialItem item, string outputPath, string destination)
        {
            string target = null;
            if (outputPath != null) target = ResolveOutputPath(outputPath);
            else if (destination != null)
            {
                if (item.Path == null)
                    throw new ArgumentException("The volume has no file name to derive the output name from; give -OutputPath.");
                string dir = PrepareDestination(destination, item.Subject?.Root);
                target = System.IO.Path.Combine(dir, RelativeName(item));
            }
            else if (item.Subject != null)
                throw new ArgumentException("Subject " + item.Subject + ": give -Destination; the files of a dataset read by Get-AtlasSubject are never written.");
            if (target == null) return null;
            string root = item.Subject?.Root;
            if (!string.IsNullOrEmpty(root) && IsInside(target, root))
                throw new IOException("The output " + target + " lies inside the dataset " + root + ", which is never written; choose a -Destination outside it.");
            if (SamePath(target, item.Path)) throw new IOException("The output " + target + " would replace its input.");
            return target;
        }

        private static string RelativeName(SpatialItem item)
        {
            string root = item.Subject?.Root;
            if (!string.IsNullOrEmpty(root) && IsInside(item.Path, root))
                return item.Path.Substring(root.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar).Length + 1);
            return System.IO.Path.GetFileName(item.Path);
        }

        private static bool IsInside(string path, string folder)
        {
            string f = folder.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            return path.StartsWith(f, PathComparison);
        }

        /// <summary>
        /// Writes the result of <paramref name="make"/> to <paramref name="target"/> under the shared output rule
        /// and outputs the file; a kept up-to-date file is output without making anything.
        /// </summary>
        protected void WriteResult(SpatialItem item, string target, string action, IEnumerable<string> inputs, bool force, Func<AtlasVolume> make, NiftiWriteOptions options = null)
        {
            if (!ClaimOutput(target, item.Display)) return;
            var decision = DecideOutput(target, force, inputs);
            if (decision == OutputAction.Skip) { WriteFileObject(target); return; }
            if (decision != OutputAction.Write) return;
            if (!ShouldProcess(target, action)) return;
            var v = make();
            NiftiWriter.Write(v, target, options);
            WriteFileObject(target);
        }

        /// <summary>
        /// The grid of -Reference: an AtlasVolume, a Grid, a FileInfo or a path of an image (only its header is read).
        /// Anything else, or a file that is not an image, is a terminating error naming it.
        /// </summary>
        protected ReferenceSpace LoadReference(object reference)
        {
            var o = Unwrap(reference);
            try
            {
                switch (o)
                {
                    case Grid g: return new ReferenceSpace { Grid = g, Name = "grid " + g };
                    case AtlasVolume v: return new ReferenceSpace { Grid = v.Grid, Header = v.Header, Name = v.Path ?? "the reference volume", Path = v.Path };
                    case FileInfo f: return FromFile(f.FullName);
                    case string s: return FromFile(ResolveReferencePath(s));
                    default:
                        throw new ArgumentException("-Reference must be an image (path, file or AtlasVolume) or a Grid, not a " + (o == null ? "null" : o.GetType().Name) + ".");
                }
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                ThrowTerminatingError(MakeError(ex, "BadReference", reference is string rs ? rs : Describe(reference)));
                return null;
            }
        }

        private string ResolveReferencePath(string s)
        {
            string full = ProviderPath(s);
            if (Directory.Exists(full)) throw new ArgumentException("-Reference " + full + " is a folder, not an image.");
            return full;
        }

        private static ReferenceSpace FromFile(string path)
        {
            var h = NiftiReader.ReadHeader(path);
            return new ReferenceSpace { Grid = Grid.FromHeader(h), Header = h, Name = path, Path = path };
        }

        /// <summary>The grid of an image given as a path, FileInfo, AtlasVolume or Grid (for FSL/elastix transform files); null stays null.</summary>
        protected Grid GridOf(object image)
        {
            if (image == null) return null;
            var o = Unwrap(image);
            if (o is Grid g) return g;
            if (o is AtlasVolume v) return v.Grid;
            string p = o is FileInfo f ? f.FullName : o is string s ? ProviderPath(s) : null;
            if (p == null) throw new ArgumentException("Cannot use a " + o.GetType().Name + " as an image; give a path, a file, an AtlasVolume or a Grid.");
            return Grid.FromHeader(NiftiReader.ReadHeader(p));
        }
    }
}
