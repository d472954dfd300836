using System;
using System.Management.Automation;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Measure-Lesion: the lesion report (SRQL-style lesion database): volume, centroid, bounding box,
    /// hemisphere, location and atlas regions per mask, or per lesion with -PerComponent.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "Lesion", DefaultParameterSetName = ParameterSets.InputObject)]
    [OutputType(typeof(LesionMeasure), typeof(LesionRegionOverlap))]
    public sealed class MeasureLesionCommand : LesionCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
        public object InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        [Parameter]
        public SwitchParameter PerComponent { get; set; }

        [Parameter]
        [ValidateSet("6", "18", "26")]
        public int Connectivity { get; set; } = 26;

        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long MinimumVoxels { get; set; }

        [Parameter]
        [ValidateRange(0.0, 0.5)]
        public double BilateralFraction { get; set; } = 0.1;

        /// <summary>World x of the midline in mm (0 in MNI space).</summary>
        [Parameter]
        public double MidlineX { get; set; }

        /// <summary>An integer label atlas: on the masks' grid, on another grid of their world, or in template space with -TransformPath.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AtlasPath { get; set; }

        /// <summary>Region names for -AtlasPath: MRIcron .txt ("1 Precentral_L …") or .csv/.tsv (index, name).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string LabelPath { get; set; }

        /// <summary>Cortex mask (any grid of the masks' world, or of the template's with -TransformPath): lesions touching it are Cortical.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CortexMask { get; set; }

        /// <summary>Brainstem and cerebellum mask: non-cortical lesions reaching it are Other.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string InfratentorialMask { get; set; }

        /// <summary>
        /// Template (fixed) → the masks' native space (moving), as Invoke-AtlasRegistration writes it: the atlas and
        /// masks are in template space. Never bound from the pipeline: ConvertTo-AtlasStandardSpace's subjects carry a
        /// TransformPath, but their masks are already in template space.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TransformPath { get; set; }

        /// <summary>The format of -TransformPath (default: from its content and extension).</summary>
        [Parameter]
        public TransformFormat TransformFormat { get; set; } = TransformFormat.Auto;

        /// <summary>The template (fixed) image an FSL .mat -TransformPath was made with; only its grid is read.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TemplatePath { get; set; }

        /// <summary>Output one row per lesion and atlas region instead of one per lesion.</summary>
        [Parameter]
        public SwitchParameter ExpandRegions { get; set; }

        private LesionAtlas _atlas;
        private AtlasVolume _cortex, _infra;
        private TransformFileSource _transform;
        private Grid _templateGrid;
        private bool _ready;

        protected override void BeginProcessing()
        {
            string reading = null; // the file being read, named by an error
            try
            {
                if (LabelPath != null && AtlasPath == null) throw new ArgumentException("-LabelPath names the regions of -AtlasPath; give -AtlasPath too.");
                if (ExpandRegions && AtlasPath == null) throw new ArgumentException("-ExpandRegions needs -AtlasPath.");
                if (InfratentorialMask != null && CortexMask == null) throw new ArgumentException("-InfratentorialMask refines -CortexMask; give -CortexMask too.");
                if (TransformPath != null && AtlasPath == null && CortexMask == null)
                    throw new ArgumentException("-TransformPath carries the masks to the template space of -AtlasPath and -CortexMask; give at least one of them.");
                if (TransformPath != null)
                {
                    _transform = TransformFileSource.Open(reading = ResolveExistingOrThrow(TransformPath), TransformFormat);
                    if (_transform.NeedsGrids)
                    {
                        if (TemplatePath == null)
                            throw new GeometryException(GeometryErrorKind.TransformNeedsImages, _transform.Path,
                                "an FSL .mat relates the voxels of two images; give -TemplatePath, the template (reference) image it was made with");
                        _templateGrid = Grid.FromHeader(Atlas.Core.Nifti.NiftiReader.ReadHeader(reading = ResolveExistingOrThrow(TemplatePath)));
                    }
                }
                if (AtlasPath != null)
                {
                    var names = LabelPath != null ? LesionAtlas.ReadNames(reading = ResolveExistingOrThrow(LabelPath)) : null;
                    _atlas = new LesionAtlas(Atlas.Core.Nifti.NiftiReader.Read(reading = ResolveExistingOrThrow(AtlasPath)), names);
                }
                if (CortexMask != null) _cortex = Atlas.Core.Nifti.NiftiReader.Read(reading = ResolveExistingOrThrow(CortexMask));
                if (InfratentorialMask != null) _infra = Atlas.Core.Nifti.NiftiReader.Read(reading = ResolveExistingOrThrow(InfratentorialMask));
                _ready = true;
            }
            catch (Exception ex) when (IsInputFailure(ex) || ex is ItemNotFoundException)
            {
                ThrowTerminatingError(MakeError(ex, "MeasureLesionSetupFailed",
                    ex is System.IO.FileNotFoundException missing && missing.FileName != null ? missing.FileName
                    : reading ?? AtlasPath ?? CortexMask ?? TransformPath ?? LabelPath));
            }
        }

        private string ResolveExistingOrThrow(string p)
        {
            string full = ResolveOutputPath(p);
            if (!System.IO.File.Exists(full)) throw new System.IO.FileNotFoundException("Cannot find '" + full + "'.", full);
            return full;
        }

        private int _count;

        protected override void EndProcessing()
        {
            FinishWorkAhead();
            CompleteProgress("Measure-Lesion");
        }

        /// <summary>The voxel arrays of masks read here, reused from one mask to the next.</summary>
        private readonly VoxelBufferPool _pool = VoxelBufferPool.Shared; // shared with the pipeline's other steps

        protected override void ProcessRecord()
        {
            if (!_ready) return;
            ForEachMask(InputObject, Path, LiteralPath, MaskKind, "MeasureLesionFailed", Measure);
        }

        private void Measure(LesionMaskItem item)
        {
            if (Cancellation.IsCancellationRequested) return;
            Progress("Measure-Lesion", "Measuring " + item.Display + " (" + (++_count) + ")", 0, 0);
            var options = new LesionMeasureOptions
            {
                BilateralFraction = BilateralFraction, MidlineXMm = MidlineX, PerComponent = PerComponent,
                Connectivity = Connectivity, MinimumVoxels = MinimumVoxels, CortexMask = _cortex,
                InfratentorialMask = _infra, Atlas = _atlas, SubjectId = item.SubjectId, Rank = item.Rank,
                ScanId = item.Provenance?.ScanId, Session = item.Provenance?.Session, MaskKind = item.Provenance?.MaskKind,
            };
            var pool = _pool;
            var token = Cancellation;
            var transform = _transform;
            var templateGrid = _templateGrid;
            // Reading and measuring run ahead of the pipeline (the next masks are read while this one is measured);
            // the rows and warnings come out here, in input order.
            RunAhead(() =>
            {
                bool fromPool = false;
                try
                {
                    var volume = Read(item, pool, out fromPool);
                    long frames = FramesOf(volume);
                    // A T1 given as a mask, or an empty mask, would give a plausible-looking row: say so, naming the file,
                    // with the words of Test-AtlasDataset -Deep (the 0/255 note is left out: ToMask reads such masks right).
                    var findings = DatasetChecker.CheckMaskValues(volume, item.Display);
                    // An FSL .mat is made into a transform for each mask's grid (it relates two images' voxels).
                    options.Transform = transform?.For(templateGrid, volume.Grid);
                    var rows = LesionMeasurer.Measure(volume, options, pool, token);
                    return () =>
                    {
                        WarnFrames(item, frames);
                        foreach (var f in findings)
                            if (f.Check != DatasetChecker.Mask255) WriteWarning(item.Display + ": " + f.Message + " (" + f.Check + ")");
                        foreach (var m in rows)
                        {
                            if (ExpandRegions) WriteObject(m.GetRegions(), true);
                            else WriteObject(m);
                        }
                    };
                }
                finally
                {
                    if (fromPool && item.Volume != null) pool.Return(item.Volume);
                    item.Volume = null;
                }
            }, ex => WriteFailure(ex, "MeasureLesionFailed", item.Display));
        }
    }
}
