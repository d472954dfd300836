using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// New-LesionOverlapMap: the voxel-wise lesion overlap of masks on one grid (the ATLAS paper's
    /// Figure 3) as a count map and a proportion map. Streams one mask at a time; -Partial writes
    /// a count map with N that Merge-LesionOverlapMap (or this cmdlet) adds up exactly.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "LesionOverlapMap", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(LesionOverlapResult))]
    public sealed class NewLesionOverlapMapCommand : SpatialCmdletBase
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public object InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The proportion map to write (with -Partial: the count map).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        /// <summary>The count map (default: the output name with _count).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CountPath { get; set; }

        /// <summary>Write only the count map with N, for merging shards.</summary>
        [Parameter]
        public SwitchParameter Partial { get; set; }

        /// <summary>Masks of subjects: Lesion (default), LesionSmooth or LesionRaw.</summary>
        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        /// <summary>Count a subject's union of all its masks instead of its primary mask.</summary>
        [Parameter]
        public SwitchParameter AllMasks { get; set; }

        /// <summary>Warn about and skip masks on another grid instead of writing an error.</summary>
        [Parameter]
        public SwitchParameter SkipMismatched { get; set; }

        /// <summary>
        /// The map's grid (an image or a Grid): masks on other grids are resampled onto it by nearest
        /// neighbour instead of refused. Without it the map takes the first mask's grid and refuses others.
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public object Reference { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private ReferenceSpace _reference;
        private LesionOverlapMap _map;
        private readonly List<string> _inputs = new List<string>();
        private readonly HashSet<string> _added = NewPathSet();
        private int _skipped, _seen, _mismatched;
        private bool _inMemory;

        protected override void BeginProcessing()
        {
            if (Reference == null) return;
            _reference = LoadReference(Reference);
            _map = new LesionOverlapMap(_reference.Grid, _reference.Header, _reference.Name);
            if (_reference.Path != null) _inputs.Add(_reference.Path);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ParameterSets.InputObject)
            {
                foreach (var f in ResolveInputPaths(Path, LiteralPath)) Add(new LesionMaskItem { Path = f });
                return;
            }
            try
            {
                var subject = AsSubject(InputObject);
                if (subject != null && AllMasks)
                {
                    var items = ExpandMasks(subject, MaskKind);
                    if (items.Count == 0) return;
                    var vols = new List<AtlasVolume>();
                    foreach (var i in items) { vols.Add(Load(i)); _inputs.Add(i.Path); }
                    var union = LesionMasks.Merge(vols);
                    union.Path = items[0].Path;
                    Add(new LesionMaskItem { Volume = union, Path = items[0].Path, Subject = subject });
                    return;
                }
                foreach (var item in ExpandMasks(InputObject, MaskKind, primaryOnly: true)) Add(item);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                Failed(ex, Describe(InputObject));
            }
        }

        /// <summary>
        /// One input left out. A mask on another grid (without -SkipMismatched) also stops the map from
        /// being written: a map that silently lacks it would look complete.
        /// </summary>
        private void Failed(Exception ex, string what)
        {
            _skipped++;
            bool mismatch = ex is GeometryException g && g.Kind == GeometryErrorKind.GridMismatch;
            if (mismatch && !SkipMismatched) _mismatched++;
            WriteFailure(ex, "LesionOverlapInputFailed", what); // a grid mismatch: GridMismatch
        }

        // Masks read from files reuse one voxel array after another (the map keeps only counts).
        private readonly VoxelBufferPool _pool = VoxelBufferPool.Shared; // shared with the pipeline's other steps

        private void Add(LesionMaskItem item)
        {
            if (Cancellation.IsCancellationRequested) return;
            if (item.Path != null && !_added.Add(item.Path))
            {
                _skipped++;
                WriteDuplicateInput(item.Path, "the overlap map");
                return;
            }
            Progress("New-LesionOverlapMap", "Adding " + item.Display + " (" + (++_seen) + ")", 0, 0);
            // With -SkipMismatched, a mask file whose header already puts it on another grid is left out
            // without inflating its voxels.
            if (SkipMismatched && _reference == null && _map != null && item.Volume == null && item.Path != null)
            {
                try
                {
                    var grid = Grid.FromHeader(NiftiReader.ReadHeader(item.Path));
                    if (!_map.Grid.Matches(grid))
                    {
                        // Queued behind the masks in work, so its warning keeps its place in input order.
                        RunAhead(() => () => { _inputs.Add(item.Path); SkipMismatch(item, grid); }, ex => Failed(ex, item.Display));
                        return;
                    }
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    Failed(ex, item.Display);
                    return;
                }
            }
            // The next masks are read (and resampled onto the reference grid) while this one is counted; the map
            // itself is added to on the pipeline thread, in input order.
            var pool = _pool;
            var token = Cancellation;
            var onto = _reference != null ? _map : null;
            RunAhead(() =>
            {
                bool pooled = false;
                AtlasVolume v = null;
                try
                {
                    v = Read(item, pool, out pooled);
                    long frames = FramesOf(v);
                    AtlasVolume resampled = null;
                    if (onto != null && !onto.Grid.Matches(v.Grid))
                        // Nearest neighbour keeps a mask binary (and a partial count map's counts whole).
                        resampled = Resampler.Resample(v, onto.Grid, null, Interpolation.Nearest, new ResampleOptions { ReferenceHeader = _reference.Header }, token);
                    var read = v;
                    bool readPooled = pooled;
                    pooled = false; // from here the emit below gives the array back
                    return () =>
                    {
                        try { Count(item, read, resampled, frames); }
                        finally { if (readPooled) pool.Return(read); }
                    };
                }
                finally
                {
                    item.Volume = null;
                    if (pooled) pool.Return(v);
                }
            }, ex => Failed(ex, item.Display));
        }

        // Adds one read mask to the map (on the pipeline thread, in input order).
        private void Count(LesionMaskItem item, AtlasVolume v, AtlasVolume resampled, long frames)
        {
            try
            {
                WarnFrames(item, frames);
                if (item.Path != null) _inputs.Add(item.Path); else _inMemory = true;
                if (_map == null) { _map = LesionOverlapMap.StartWith(v); return; }
                if (resampled != null)
                {
                    WriteVerbose("Resampled " + item.Display + " onto the grid of " + _reference.Name + " (nearest neighbour; " + _map.Grid.DescribeMismatch(v.Grid) + ").");
                    _map.Add(resampled);
                    return;
                }
                if (SkipMismatched && !_map.Grid.Matches(v.Grid))
                {
                    SkipMismatch(item, v.Grid);
                    return;
                }
                _map.Add(v);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                Failed(ex, item.Display);
            }
        }

        private void SkipMismatch(LesionMaskItem item, Grid grid)
        {
            _skipped++;
            WriteWarning("Skipping " + item.Display + ": not on the grid of " + _map.GridSource + " (" + _map.Grid.DescribeMismatch(grid) + ").");
        }

        protected override void EndProcessing()
        {
            FinishWorkAhead();
            CompleteProgress("New-LesionOverlapMap");
            if (_map == null || _map.MaskCount == 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException("No mask could be added; no overlap map was written."),
                    "NoMasks", ErrorCategory.InvalidData, OutputPath));
                return;
            }
            if (_mismatched > 0)
            {
                WriteError(new ErrorRecord(new InvalidDataException(_mismatched + " mask(s) are not on the grid of " + (_map.GridSource ?? "the first mask")
                        + "; no overlap map was written. Resample them, or use -SkipMismatched to leave them out of the map."),
                    "OverlapMapNotWritten", ErrorCategory.InvalidData, OutputPath));
                return;
            }
            try
            {
                var r = WriteOverlapMaps(_map, OutputPath, CountPath, Partial, Force, _inputs, !_inMemory);
                if (_skipped > 0) WriteWarning(_skipped + " input(s) were left out of the map.");
                if (r == null) return;
                r.SkippedCount = _skipped;
                WriteObject(r);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "WriteLesionOverlapMapFailed", OutputPath);
            }
        }
    }
}
