using System;
using System.IO;
using System.Threading;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Spatial
{
    public class ElastixPeerTests
    {
        private readonly ITestOutputHelper _out;
        public ElastixPeerTests(ITestOutputHelper output) { _out = output; }

        [SkippableFact]
        public void TransformixResamplesThroughOurParameterFileAsWeDo()
        {
            Skip.If(!File.Exists("/usr/bin/transformix"), "transformix not installed (Debian elastix)");
            Skip.If(!Peers.HasMricronData, "mricron-data not installed (/usr/share/mricron/templates)");
            using (var tmp = new TempDir())
            {
                // Moving: a real ch2 block on an oblique anisotropic grid. Fixed: an LAS grid.
                var mov = SpatialTestData.Volume(SpatialTestData.Ch2Block(40, 44, 36, 2), 40, 44, 36,
                    AffineMath.Multiply(SpatialTestData.Rotation(0.1, -0.05, 0.15), SpatialTestData.Affine(new[] { 2.0, 0, 0, 0, 2.2, 0, 0, 0, 2.5 }, -40, -48, -45)));
                var fixedGrid = new Grid(36, 40, 30, null, SpatialTestData.Affine(new[] { -2.0, 0, 0, 0, 2, 0, 0, 0, 2 }, 36, -40, -30));
                var t = new AffineTransform(AffineMath.Multiply(SpatialTestData.Rotation(0.05, 0.08, -0.1), SpatialTestData.Affine(new[] { 1.03, 0, 0, 0, 0.97, 0, 0, 0, 1.0 }, 2, -1, 3)));
                string movPath = tmp.File("moving.nii"), tp = tmp.File("TransformParameters.0.txt");
                NiftiWriter.Write(mov, movPath);
                TransformFiles.Write(tp, t, TransformFormat.Elastix, fixedGrid);
                // Linear interpolation in transformix for the comparison (our file asks for cubic).
                File.WriteAllText(tp, File.ReadAllText(tp).Replace("(FinalBSplineInterpolationOrder 3)", "(FinalBSplineInterpolationOrder 1)"));
                string outDir = tmp.File("out");
                Directory.CreateDirectory(outDir);
                SpatialTestData.Run("/usr/bin/transformix", "-in", movPath, "-tp", tp, "-out", outDir);
                var peer = NiftiReader.Read(Path.Combine(outDir, "result.nii.gz"));
                // The output grid transformix built from Size/Spacing/Origin/Direction is the fixed grid.
                Assert.True(SpatialTestData.Close(fixedGrid.Affine, peer.Affine, 1e-4, out var why), why);
                var ours = Resampler.Resample(NiftiReader.Read(movPath), fixedGrid, t, Interpolation.Linear, new ResampleOptions { DataType = NiftiDataType.Float32 }, CancellationToken.None);
                var o = (float[])ours.Data; var p = peer.ToFloat32();
                int compared = 0, differ = 0; double max = 0;
                for (int i = 0; i < o.Length; i++)
                {
                    if (o[i] == 0) continue; // ITK also interpolates half a voxel beyond the edge centres; we give 0 there
                    compared++;
                    double d = Math.Abs(o[i] - p[i]);
                    max = Math.Max(max, d);
                    if (d > 1e-3) differ++;
                }
                _out.WriteLine(compared + " voxels compared, max |ours - transformix| = " + max);
                Assert.True(compared > o.Length / 3, "too few voxels inside the moving image: " + compared);
                Assert.Equal(0, differ);
            }
        }
    }
}
