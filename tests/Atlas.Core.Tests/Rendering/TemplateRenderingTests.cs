using System;
using System.Diagnostics;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Rendering;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Rendering
{
    /// <summary>Real images: the MRIcron templates, and copies re-stored by nibabel.</summary>
    public class TemplateRenderingTests
    {
        private readonly ITestOutputHelper _out;
        public TemplateRenderingTests(ITestOutputHelper output) { _out = output; }

        private static string Template(string name) => Path.Combine(Peers.MricronTemplates, name + ".nii.gz");

        [SkippableFact]
        public void HarvardOxfordStoredLasLooksLikeItsRasCopyMadeByNibabel()
        {
            Peers.RequireMricron("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
            string python = Peers.RequirePython("nibabel");
            using (var tmp = new TempDir())
            {
                string src = Template("HarvardOxford-cort-maxprob-thr0-1mm"), ras = tmp.File("ho_ras.nii.gz");
                // nibabel re-stores the voxels in RAS order with the matching affine.
                string script = "import nibabel as nib, sys; i = nib.as_closest_canonical(nib.load(sys.argv[1])); nib.save(i, sys.argv[2]); print(''.join(nib.aff2axcodes(i.affine)))";
                Assert.Equal("RAS", Peers.Run(python, new[] { "-c", script, src, ras }).Trim());
                var las = NiftiReader.Read(src);
                var rasVol = NiftiReader.Read(ras);
                Assert.Equal("LAS", las.Orientation);
                Assert.Equal("RAS", rasVol.Orientation);
                // The map as its own base image, and the same map as a heat overlay on itself.
                var o = new SnapshotOptions { Plane = SnapshotPlane.All, SliceMm = new[] { -30.0, -20, 10 } };
                var a = SnapshotRenderer.Render(las, new[] { new SnapshotLayer(las) { Colormap = OverlayColormap.Heat } }, o);
                var b = SnapshotRenderer.Render(rasVol, new[] { new SnapshotLayer(rasVol) { Colormap = OverlayColormap.Heat } }, o);
                Assert.Equal(a.Image.Width, b.Image.Width);
                Assert.Equal(a.Image.Pixels, b.Image.Pixels);
                Assert.True(a.Image.CountColoured() > 1000);
                // 182 mm wide axial + coronal, 218 mm sagittal, two 8-pixel gaps.
                Assert.Equal(182 + 182 + 218 + 16, a.Image.Width);
            }
        }

        [SkippableFact]
        public void LeftHemisphereLesionOnCh2IsDrawnOnTheLeft()
        {
            Peers.RequireMricron("ch2bet.nii.gz");
            var t1 = NiftiReader.Read(Template("ch2bet"));
            // A 10 mm ball around MNI (-30, -20, 10): the left hemisphere.
            var g = t1.Grid;
            var m = new byte[g.VoxelCount];
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
            {
                var w = g.VoxelToWorld(i, j, k);
                double dx = w[0] + 30, dy = w[1] + 20, dz = w[2] - 10;
                if (dx * dx + dy * dy + dz * dz <= 100) m[g.Index(i, j, k)] = 1;
            }
            var mask = AtlasVolume.FromMask(g, m);
            var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) }, new SnapshotOptions { Plane = SnapshotPlane.Axial, AtLesion = true, Legend = false });
            Assert.Equal("z=10", r.Info.Slices);
            // Column c shows x = c - 90 (box -90.5..90.5, 181 px): the lesion spans x = -40..-20 → columns 50..70.
            int minC = int.MaxValue, maxC = -1;
            for (int y = 0; y < r.Image.Height; y++) for (int x = 0; x < r.Image.Width; x++)
                if (RgbaImage.IsColoured(r.Image[x, y])) { minC = Math.Min(minC, x); maxC = Math.Max(maxC, x); }
            Assert.Equal(50, minC);
            Assert.Equal(70, maxC);
            string dir = Environment.GetEnvironmentVariable("ATLAS_RENDER_OUT");
            if (!string.IsNullOrEmpty(dir))
            {
                SubjectSnapshot.Write(r, Path.Combine(dir, "ch2-axial.png"));
                SubjectSnapshot.Write(SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) }, new SnapshotOptions()), Path.Combine(dir, "ch2-all.png"));
                SubjectSnapshot.Write(SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) }, new SnapshotOptions { Radiological = true }), Path.Combine(dir, "ch2-all-radiological.png"));
                SubjectSnapshot.Write(SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) }, new SnapshotOptions { Plane = SnapshotPlane.Axial, Montage = 6 }), Path.Combine(dir, "ch2-montage.png"));
                var ho = NiftiReader.Read(Template("HarvardOxford-cort-maxprob-thr0-1mm"));
                SubjectSnapshot.Write(SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(ho) { Colormap = OverlayColormap.Heat, Opacity = 0.5 } }, new SnapshotOptions { SliceMm = new[] { -30.0, -20, 10 } }), Path.Combine(dir, "ch2-ho-heat.png"));
            }
        }
    }
}
