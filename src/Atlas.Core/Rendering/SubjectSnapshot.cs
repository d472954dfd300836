using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Rendering
{
    /// <summary>Snapshots of files and subjects: read, render, write the PNG.</summary>
    public static class SubjectSnapshot
    {
        /// <summary>The file name a subject's snapshot gets: &lt;ScanId&gt;.png (SubjectId when there is no scan id).</summary>
        public static string FileNameFor(AtlasSubject subject)
        {
            string id = subject.ScanId ?? subject.SubjectId ?? "subject";
            foreach (char c in Path.GetInvalidFileNameChars()) id = id.Replace(c, '_');
            return id + ".png";
        }

        /// <summary>
        /// A subject's T1 with its masks of a kind (Lesion, LesionSmooth, LesionRaw) overlaid,
        /// primary first (red), then secondary lesions in the next default colours; extra layers
        /// (an overlap map, say) are drawn on top.
        /// </summary>
        public static RenderedSnapshot Render(AtlasSubject subject, string maskKind, SnapshotOptions options,
            double opacity = 0.6, IList<SnapshotLayer> extraLayers = null, bool outline = false)
        {
            if (subject == null) throw new ArgumentNullException(nameof(subject));
            if (string.IsNullOrEmpty(subject.T1Path))
                throw new NiftiFormatException(NiftiErrorKind.NotFound, subject.Directory, "subject " + subject.SubjectId + " has no T1 image");
            var t1 = NiftiReader.Read(subject.T1Path);
            var masks = subject.GetMaskPaths(string.IsNullOrEmpty(maskKind) ? nameof(MaskKind.Lesion) : maskKind);
            if (masks == null) throw new ArgumentException("Unknown mask kind '" + maskKind + "': use " + string.Join(", ", AtlasSubject.MaskKinds) + ".");
            var layers = new List<SnapshotLayer>();
            for (int n = 0; n < masks.Length; n++)
            {
                options?.CancellationToken.ThrowIfCancellationRequested();
                // The legend names them as the files do: the primary mask, then _1, _2 … (ATLAS's secondary masks).
                layers.Add(new SnapshotLayer(NiftiReader.Read(masks[n]))
                {
                    Color = RgbColor.DefaultFor(n), Opacity = opacity, Outline = outline, Label = n == 0 ? "primary" : "_" + DatasetScanner.MaskRank(masks[n]),
                });
            }
            if (extraLayers != null) layers.AddRange(extraLayers);
            var r = SnapshotRenderer.Render(t1, layers, options);
            r.Info.SubjectId = subject.SubjectId;
            return r;
        }

        /// <summary>Renders a subject and writes the PNG atomically (Export-AtlasSnapshot's entry point for subjects).</summary>
        public static SnapshotInfo WriteSubject(AtlasSubject subject, string maskKind, SnapshotOptions options, double opacity,
            IList<SnapshotLayer> extraLayers, string path, bool outline = false)
            => Write(Render(subject, maskKind, options, opacity, extraLayers, outline), path);

        /// <summary>Renders a volume with overlays and writes the PNG atomically (Export-AtlasSnapshot's entry point for images).</summary>
        public static SnapshotInfo WriteVolume(AtlasVolume baseVolume, IList<SnapshotLayer> overlays, SnapshotOptions options, string path)
            => Write(SnapshotRenderer.Render(baseVolume, overlays, options), path);

        /// <summary>The paths a subject's snapshot is drawn from (T1 and masks of the kind), for "output newer than inputs".</summary>
        public static List<string> InputsOf(AtlasSubject subject, string maskKind)
        {
            var list = new List<string>();
            if (!string.IsNullOrEmpty(subject.T1Path)) list.Add(subject.T1Path);
            var m = subject.GetMaskPaths(string.IsNullOrEmpty(maskKind) ? nameof(MaskKind.Lesion) : maskKind);
            if (m != null) list.AddRange(m);
            return list;
        }

        /// <summary>Writes a rendered snapshot as PNG atomically; returns its description with Path set.</summary>
        public static SnapshotInfo Write(RenderedSnapshot snapshot, string path)
        {
            PngCodec.Write(snapshot.Image, path);
            snapshot.Info.Path = path;
            return snapshot.Info;
        }
    }
}
