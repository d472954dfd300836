using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Rendering;
using Atlas.Core.Volumes;

namespace Atlas.Psm.Commands
{
    /// <summary>
    /// Export-AtlasSnapshot: PNG pictures of slices in world orientation with masks and maps
    /// overlaid; subjects give their T1 with their lesion masks and are written as &lt;ScanId&gt;.png.
    /// </summary>
    [Cmdlet(VerbsData.Export, "AtlasSnapshot", DefaultParameterSetName = ParameterSets.Path, SupportsShouldProcess = true)]
    [OutputType(typeof(SnapshotInfo))]
    public sealed class ExportAtlasSnapshotCommand : AtlasCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>An AtlasVolume, an AtlasSubject (T1 + its masks), a file or a path.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Volume)]
        [Alias("InputObject", "Subject")]
        [ValidateNotNull]
        public object Volume { get; set; }

        /// <summary>Masks or maps drawn over the image: volumes, paths, files, or hashtables @{ Path=…; Color=…; Opacity=…; Colormap=…; Range=min,max }.</summary>
        [Parameter]
        public object[] Overlay { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ColorCompleter))]
        public string[] OverlayColor { get; set; }

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double[] Opacity { get; set; }

        [Parameter]
        public OverlayColormap[] Colormap { get; set; }

        /// <summary>Colormap range of continuous overlays: minimum (values below are not drawn) and maximum (top colour).</summary>
        [Parameter]
        [ValidateCount(2, 2)]
        public double[] Range { get; set; }

        [Parameter]
        public SnapshotPlane Plane { get; set; } = SnapshotPlane.All;

        /// <summary>Voxel indices (several make a montage; three i,j,k with -Plane All).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public int[] Slice { get; set; }

        /// <summary>World positions in mm (several make a montage; three x,y,z with -Plane All).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public double[] SliceMm { get; set; }

        [Parameter]
        public SwitchParameter AtLesion { get; set; }

        [Parameter]
        public LesionSliceMode LesionSlice { get; set; } = LesionSliceMode.Centroid;

        [Parameter]
        [ValidateRange(1, 64)]
        public int Montage { get; set; }

        [Parameter]
        public SwitchParameter Radiological { get; set; }

        /// <summary>Intensity window (min, max) of the base image; default its 1st and 99th percentiles.</summary>
        [Parameter]
        [ValidateCount(2, 2)]
        public double[] Window { get; set; }

        [Parameter]
        [ValidateRange(0.05, 20.0)]
        public double PixelSizeMm { get; set; }

        [Parameter]
        public SwitchParameter NoLabels { get; set; }

        /// <summary>Draw masks as one-pixel outlines (opaque unless -Opacity is given) so the anatomy under them stays visible.</summary>
        [Parameter]
        public SwitchParameter Outline { get; set; }

        /// <summary>Which masks of a subject are drawn.</summary>
        [Parameter]
        [ValidateMaskKind, ArgumentCompleter(typeof(MaskKindCompleter))]
        public string MaskKind { get; set; } = nameof(Core.Datasets.MaskKind.Lesion);

        /// <summary>Folder for the PNGs (created when missing); default the current location. (A name ending in .png is still taken as -OutputPath.)</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>The PNG file of a single picture.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutputPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        private List<SnapshotLayer> _overlays;
        private int _done;

        protected override void BeginProcessing()
        {
            _overlays = new List<SnapshotLayer>();
            if (Overlay == null) return;
            for (int n = 0; n < Overlay.Length; n++)
            {
                object item = Unwrap(Overlay[n]);
                try
                {
                    _overlays.Add(MakeLayer(item, n));
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    ThrowTerminatingError(MakeError(ex, "OverlayUnreadable", Describe(item)));
                }
            }
        }

        private SnapshotLayer MakeLayer(object item, int n)
        {
            IDictionary spec = item as IDictionary;
            object source = item;
            if (spec != null) source = Unwrap(Get(spec, "Volume") ?? Get(spec, "Path"));
            var layer = new SnapshotLayer(LoadVolume(source));
            string colour = spec != null && Get(spec, "Color") != null ? Get(spec, "Color").ToString()
                : OverlayColor != null && n < OverlayColor.Length ? OverlayColor[n] : null;
            if (colour != null) layer.Color = RgbColor.Parse(colour);
            if (spec != null && Get(spec, "Opacity") != null) layer.Opacity = Convert.ToDouble(Unwrap(Get(spec, "Opacity")), System.Globalization.CultureInfo.InvariantCulture);
            else if (Opacity != null && Opacity.Length > 0) layer.Opacity = Opacity[Math.Min(n, Opacity.Length - 1)];
            else if (Outline) layer.Opacity = 1;
            layer.Outline = spec != null && Get(spec, "Outline") != null ? LanguagePrimitives.IsTrue(Get(spec, "Outline")) : Outline.IsPresent;
            if (spec != null && Get(spec, "Colormap") != null) layer.Colormap = (OverlayColormap)Enum.Parse(typeof(OverlayColormap), Get(spec, "Colormap").ToString(), true);
            else if (Colormap != null && Colormap.Length > 0) layer.Colormap = Colormap[Math.Min(n, Colormap.Length - 1)];
            if (spec != null && Get(spec, "Label") != null) layer.Label = Get(spec, "Label").ToString();
            var range = spec != null && Get(spec, "Range") != null ? LanguagePrimitives.ConvertTo<double[]>(Get(spec, "Range")) : Range;
            if (range != null)
            {
                if (range.Length != 2) throw new ArgumentException("A colormap range is two numbers: minimum, maximum.");
                layer.RangeMin = range[0]; layer.RangeMax = range[1];
            }
            return layer;
        }

        private static object Get(IDictionary d, string key)
        {
            foreach (DictionaryEntry e in d)
                if (string.Equals(e.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase)) return e.Value;
            return null;
        }

        private SnapshotOptions Options() => new SnapshotOptions
        {
            Plane = Plane,
            SliceIndex = Slice,
            SliceMm = SliceMm,
            AtLesion = AtLesion,
            LesionSlice = LesionSlice,
            Montage = Montage,
            Radiological = Radiological,
            WindowMin = Window?[0],
            WindowMax = Window?[1],
            PixelSizeMm = MyInvocation.BoundParameters.ContainsKey(nameof(PixelSizeMm)) ? PixelSizeMm : (double?)null,
            Labels = !NoLabels,
            CancellationToken = Cancellation,
        };

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ParameterSets.Volume)
            {
                Handle(Volume);
                return;
            }
            foreach (var file in ResolveInputPaths(Path, LiteralPath))
            {
                if (Cancellation.IsCancellationRequested) return;
                Handle(file);
            }
        }

        private void Handle(object input)
        {
            object item = Unwrap(input);
            string name = Describe(item);
            Progress("Export-AtlasSnapshot", name, 0, 0);
            try
            {
                if (item is AtlasSubject subject)
                {
                    string target = Target(SubjectSnapshot.FileNameFor(subject));
                    if (!ClaimOutput(target, subject.Directory ?? name)) return;
                    NoteSubjectFiles(subject, MaskKind);
                    if (!Decide(target, SubjectSnapshot.InputsOf(subject, MaskKind), true, name)) return;
                    double opacity = Opacity != null && Opacity.Length > 0 ? Opacity[0] : Outline ? 1.0 : 0.6;
                    Written(target, SubjectSnapshot.WriteSubject(subject, MaskKind, Options(), opacity, _overlays, target, Outline));
                }
                else
                {
                    string sourcePath = item is string s ? ProviderPath(s) : item is FileInfo f ? f.FullName : (item as AtlasVolume)?.Path;
                    string stem = sourcePath != null ? NiftiFiles.StripExtension(System.IO.Path.GetFileName(sourcePath)) : "snapshot";
                    string target = Target(stem + ".png");
                    var inputs = new List<string>();
                    if (sourcePath != null) inputs.Add(sourcePath);
                    foreach (var l in _overlays) inputs.Add(l.Volume.Path);
                    bool allOnDisk = sourcePath != null && _overlays.TrueForAll(l => l.Volume.Path != null);
                    if (!ClaimOutput(target, name)) return;
                    // A volume in memory may differ from its file: only files (and overlays on disk) can be up to date.
                    if (!Decide(target, inputs, allOnDisk && !(item is AtlasVolume), name)) return;
                    var volume = LoadVolume(item);
                    Written(target, SubjectSnapshot.WriteVolume(volume, _overlays, Options(), target));
                }
                _done++;
            }
            catch (OperationCanceledException) { }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                WriteFailure(ex, "ExportAtlasSnapshotFailed", name);
            }
        }

        // The one rule: up to date, the kept picture's record is still output; stale or new, it is drawn (true).
        private bool Decide(string target, IEnumerable<string> inputs, bool fromFiles, string name)
        {
            var action = DecideOutput(target, Force, inputs, skipWhenUpToDate: fromFiles);
            if (action == OutputAction.Skip)
            {
                var kept = KeptResult<SnapshotInfo>(target);
                if (kept != null) WriteObject(kept);
                return false;
            }
            return action == OutputAction.Write && ShouldProcess(target, "Write snapshot of " + name);
        }

        private void Written(string target, SnapshotInfo info)
        {
            RecordOutput(target, SummaryOf(info));
            WriteObject(info);
        }

        private string Target(string fileName)
        {
            if (!string.IsNullOrEmpty(OutputPath)) return ResolveOutputPath(OutputPath);
            string dest = ResolveOutputPath(string.IsNullOrEmpty(Destination) ? "." : Destination);
            if (dest.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return dest;
            return System.IO.Path.Combine(dest, fileName);
        }

        protected override void EndProcessing() => CompleteProgress("Export-AtlasSnapshot");

        /// <summary>Tab completion of overlay colour names.</summary>
        public sealed class ColorCompleter : IArgumentCompleter
        {
            public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                CommandAst commandAst, IDictionary fakeBoundParameters)
            {
                foreach (var n in RgbColor.KnownNames)
                    if (n.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
                        yield return new CompletionResult(n, n, CompletionResultType.ParameterValue, n);
            }
        }
    }
}
