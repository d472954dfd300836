using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>One mask to work on: a file (loaded on demand) or a volume, with the subject it belongs to.</summary>
    public sealed class LesionMaskItem
    {
        public string Path { get; set; }
        public AtlasVolume Volume { get; set; }
        public AtlasSubject Subject { get; set; }
        /// <summary>Where the mask comes from (its subject, kind and rank), when known.</summary>
        public FileProvenance Provenance { get; set; }
        /// <summary>1 = primary mask of the subject (or a lone mask); 0 = the union of a scan's masks.</summary>
        public int Rank => Provenance?.Rank ?? 1;
        public string SubjectId => Provenance?.SubjectId ?? Subject?.SubjectId;
        public string Display => Path ?? Volume?.Path ?? "(volume in memory)";
    }

    /// <summary>What the lesion cmdlets share: turning pipeline objects into masks.</summary>
    public abstract class LesionCmdletBase : AtlasCmdlet
    {
        /// <summary>
        /// Masks behind one pipeline object: an AtlasVolume, a FileInfo, a path (wildcards expanded
        /// unless <paramref name="literal"/>), or an AtlasSubject (its masks of <paramref name="kind"/>,
        /// primary first; only the primary with <paramref name="primaryOnly"/>).
        /// </summary>
        protected List<LesionMaskItem> ExpandMasks(object input, string kind, bool literal = false, bool primaryOnly = false)
        {
            var items = new List<LesionMaskItem>();
            var o = Unwrap(input);
            switch (o)
            {
                case null:
                    break;
                case AtlasSubject s:
                    kind = kind ?? nameof(MaskKind.Lesion);
                    var paths = s.GetMaskPaths(kind);
                    if (paths == null) throw new ArgumentException("Unknown mask kind '" + kind + "'; use " + string.Join(", ", AtlasSubject.MaskKinds) + ".");
                    if (paths.Length == 0)
                        WriteWarning("Subject " + s + " has no " + kind + " masks.");
                    for (int r = 0; r < paths.Length && (!primaryOnly || r == 0); r++)
                    {
                        var prov = FileProvenance.Of(s, kind, r + 1);
                        NoteProvenance(paths[r], prov);
                        items.Add(new LesionMaskItem { Path = paths[r], Subject = s, Provenance = prov });
                    }
                    break;
                case AtlasVolume v:
                    items.Add(new LesionMaskItem { Volume = v, Path = v.Path, Provenance = ProvenanceOf(input, v.Path) });
                    break;
                case FileInfo f:
                    items.Add(new LesionMaskItem { Path = f.FullName, Provenance = ProvenanceOf(input, f.FullName) });
                    break;
                case string p:
                    foreach (var full in ResolveInputPaths(new[] { p }, literal)) items.Add(new LesionMaskItem { Path = full, Provenance = ProvenanceOfPath(full) });
                    break;
                default:
                    throw new ArgumentException("Cannot use a " + o.GetType().Name + " as a lesion mask; give an AtlasVolume, a file, a path or an AtlasSubject.");
            }
            return items;
        }

        /// <summary>
        /// One ProcessRecord of a cmdlet with the InputObject / Path / LiteralPath parameter sets:
        /// every mask behind the input handed to <paramref name="handle"/>. A pipeline object that
        /// cannot be used is one non-terminating error; unresolved paths are errors of their own.
        /// </summary>
        protected void ForEachMask(object inputObject, string[] path, string[] literalPath, string kind, string errorId, Action<LesionMaskItem> handle)
        {
            if (ParameterSetName == ParameterSets.InputObject)
            {
                try
                {
                    foreach (var item in ExpandMasks(inputObject, kind)) handle(item);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    WriteFailure(ex, errorId, Describe(inputObject));
                }
                return;
            }
            foreach (var file in ResolveInputPaths(path, literalPath))
                handle(new LesionMaskItem { Path = file, Provenance = ProvenanceOfPath(file) });
        }

        /// <summary>The item's volume (read from its file when not already in memory).</summary>
        protected AtlasVolume Load(LesionMaskItem item) => Load(item, null, out _);

        /// <summary>
        /// As <see cref="Load(LesionMaskItem)"/>; a volume read from its file here takes its array from
        /// <paramref name="pool"/>, and <paramref name="fromPool"/> says so (the caller gives it back).
        /// </summary>
        protected AtlasVolume Load(LesionMaskItem item, VoxelBufferPool pool, out bool fromPool)
        {
            var v = Read(item, pool, out fromPool);
            WarnFrames(item, FramesOf(v));
            return v;
        }

        /// <summary>
        /// As <see cref="Load(LesionMaskItem, VoxelBufferPool, out bool)"/> without the warning: safe off the pipeline
        /// thread (work run by <see cref="AtlasCmdlet.RunAhead"/>); call <see cref="WarnFrames"/> when emitting.
        /// </summary>
        protected static AtlasVolume Read(LesionMaskItem item, VoxelBufferPool pool, out bool fromPool)
        {
            fromPool = item.Volume == null && pool != null;
            if (item.Volume == null) item.Volume = NiftiReader.Read(item.Path, new NiftiReadOptions { Pool = pool });
            return item.Volume;
        }

        /// <summary>Masks are 3D; of a 4D image only the first frame is the mask, and the user is told.</summary>
        protected void WarnFrames(LesionMaskItem item, long frames)
        {
            if (frames > 1)
                WriteWarning(item.Display + ": a 4D image with " + frames + " frames; only its first frame (0) is used as the mask.");
        }

        /// <summary>The frames a volume holds (0 for a header-only volume).</summary>
        protected static long FramesOf(AtlasVolume v) => v != null && v.HasData ? v.FramesLoaded : 0;

        /// <summary>The terminating error for subjects given without -Destination: their dataset is never written.</summary>
        protected ErrorRecord DestinationRequired(string what) =>
            new ErrorRecord(new ArgumentException("Writing the " + what + " of subjects needs -Destination, a folder outside their dataset: "
                    + "a dataset read by Get-AtlasSubject is never written, so nothing goes beside its files."),
                "DestinationRequired", ErrorCategory.InvalidArgument, "Destination");

        /// <summary>A volume parameter given as an AtlasVolume, FileInfo or path; null stays null.</summary>
        protected AtlasVolume LoadOptional(object input) => input == null ? null : LoadVolume(input);

        /// <summary>True when an output path (both provider paths) would replace one of its inputs (never allowed).</summary>
        protected static bool SamePath(string a, string b) =>
            a != null && b != null && string.Equals(a, b, PathComparison);

        /// <summary>
        /// Creates a destination folder (honouring -WhatIf); returns its provider path. A folder inside a source
        /// dataset (read by Get-AtlasSubject, or <paramref name="inputRoot"/>) stops the cmdlet before anything is created.
        /// </summary>
        protected string PrepareDestination(string destination, string inputRoot = null)
        {
            string dir = ResolveOutputPath(destination);
            GuardSourceDataset(dir, inputRoot);
            if (!Directory.Exists(dir) && ShouldProcess(dir, "Create folder")) Directory.CreateDirectory(dir);
            return dir;
        }

        /// <summary>
        /// Writes an overlap map: the proportion map to <paramref name="outputPath"/> and the count map
        /// to <paramref name="countPath"/> (default: the output name with _count), or with
        /// <paramref name="partial"/> only the count map to <paramref name="outputPath"/>. The result names the maps
        /// written or kept as up to date; null when refused or under -WhatIf. Outputs are kept as up to date only
        /// when every input is a file (<paramref name="inputsKnown"/>).
        /// </summary>
        protected LesionOverlapResult WriteOverlapMaps(LesionOverlapMap map, string outputPath, string countPath, bool partial, bool force, List<string> inputs, bool inputsKnown)
        {
            string output = ResolveOutputPath(outputPath);
            string count = partial ? output : (countPath != null ? ResolveOutputPath(countPath) : DefaultCountPath(output));
            var r = LesionOverlapResult.Of(map);
            r.Partial = partial;
            if (!partial && SamePath(output, count))
                throw new ArgumentException("-CountPath names the same file as -OutputPath (" + output + "); the count map would replace the proportion map.");
            var targets = partial ? new[] { output } : new[] { output, count };
            foreach (var t in targets)
                if (inputs.Exists(i => SamePath(i, t))) throw new IOException("The output " + t + " would replace one of its inputs.");
            // The two maps are one result: a refused map (error) leaves both as they are; an up-to-date one
            // is kept while a missing partner is written.
            var actions = new OutputAction[targets.Length];
            for (int k = 0; k < targets.Length; k++)
            {
                actions[k] = DecideOutput(targets[k], force, inputsKnown ? inputs : null);
                if (actions[k] == OutputAction.Refuse) return null;
            }
            // A map kept as up to date is still this run's result (the counts were made from the same
            // inputs), so the record names it, and a rerun's pipeline sees what the first run saw.
            if (!partial)
            {
                if (actions[0] == OutputAction.Skip) r.ProportionPath = output;
                else if (ShouldProcess(output, "Write lesion proportion map (N = " + map.MaskCount + ")"))
                {
                    map.WriteProportionMap(output);
                    RecordOutput(output);
                    r.ProportionPath = output;
                }
            }
            if (actions[targets.Length - 1] == OutputAction.Skip) r.CountPath = count;
            else if (ShouldProcess(count, "Write lesion count map (N = " + map.MaskCount + ")"))
            {
                map.WriteCountMap(count);
                RecordOutput(count);
                r.CountPath = count;
            }
            return r.ProportionPath == null && r.CountPath == null ? null : r;
        }

        /// <summary>A set of provider paths compared as the file system does (case-insensitive on Windows only).</summary>
        protected static HashSet<string> NewPathSet() => new HashSet<string>(PathComparer);

        /// <summary>
        /// The error for a file given twice to a reduction (an overlap map or a merge of shards): it is left out,
        /// since counting it twice would make the map wrong while looking complete.
        /// </summary>
        protected void WriteDuplicateInput(string path, string into) =>
            WriteError(new ErrorRecord(new ArgumentException("The file " + path + " was given twice; it is counted once in " + into + "."),
                "DuplicateInput", ErrorCategory.InvalidArgument, path));

        /// <summary>map.nii.gz → map_count.nii.gz.</summary>
        protected static string DefaultCountPath(string output)
        {
            string dir = System.IO.Path.GetDirectoryName(output);
            string name = System.IO.Path.GetFileName(output);
            string stem = NiftiFiles.StripExtension(name);
            return System.IO.Path.Combine(dir ?? "", stem + "_count" + name.Substring(stem.Length));
        }
    }
}
