using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    public class CanonicalTests
    {
        [Fact]
        public void LasToRasFlipsTheFirstAxisAndKeepsEveryWorldPoint()
        {
            // 3x2x1 LAS: x = 2 - i. Voxel values 1..6; RAS order reverses each row.
            var g = new Grid(3, 2, 1, null, SpatialTestData.Affine(new[] { -1.0, 0, 0, 0, 1, 0, 0, 0, 1 }, 2, 0, 0));
            var v = AtlasVolume.FromArray(g, new short[] { 1, 2, 3, 4, 5, 6 }, NiftiDataType.Int16);
            var r = Canonical.ReorientDetailed(v);
            Assert.Equal("LAS", r.FromOrientation);
            Assert.Equal("RAS", r.Volume.Orientation);
            Assert.Equal(new short[] { 3, 2, 1, 6, 5, 4 }, (short[])r.Volume.Data);
            Assert.Equal(new[] { 0.0, 0, 0 }, r.Volume.VoxelToWorld(0, 0, 0));
            // Back to LAS is the original.
            var back = Canonical.Reorient(r.Volume, "LAS");
            Assert.Equal(new short[] { 1, 2, 3, 4, 5, 6 }, (short[])back.Data);
            Assert.True(back.Grid.Matches(g, 1e-9));
            Assert.True(Canonical.ReorientDetailed(r.Volume).Unchanged);
        }

        [Fact]
        public void PermutedAxesAndDimInfoFollowTheirAxes()
        {
            // i → S, j → R, k → A (the "SRA" order): RAS puts j first, k second, i third.
            var g = new Grid(2, 3, 4, new[] { 3.0, 1, 2 }, SpatialTestData.Affine(new[] { 0.0, 1, 0, 0, 0, 2, 3, 0, 0 }, 0, 0, 0));
            var data = new float[24];
            for (int i = 0; i < 24; i++) data[i] = i;
            var v = AtlasVolume.FromFloat32(g, data);
            v.Header.DimInfo = 1 | (2 << 2) | (3 << 4); // freq i, phase j, slice k
            Assert.Equal("SRA", v.Orientation);
            var r = Canonical.Reorient(v);
            Assert.Equal(new[] { 3, 4, 2 }, r.Dimensions);
            Assert.Equal(new[] { 1.0, 2, 3 }, r.VoxelSizeMm);
            // New voxel (a, b, c) is old (i=c, j=a, k=b).
            for (int c = 0; c < 2; c++) for (int b = 0; b < 4; b++) for (int a = 0; a < 3; a++)
                Assert.Equal(v.GetValue(c, a, b), r.GetValue(a, b, c));
            // freq (old i) is new axis 3, phase (old j) new 1, slice (old k) new 2.
            Assert.Equal(3 | (1 << 2) | (2 << 4), r.Header.DimInfo);
            Assert.Throws<ArgumentException>(() => Canonical.Reorient(v, "RRS"));
            Assert.Throws<ArgumentException>(() => Canonical.Reorient(v, "XYZ"));
        }

        [Fact]
        public void QFormAndSFormAreEachReorientedAndTheirDisagreementIsMeasured()
        {
            var g = new Grid(4, 4, 4, null, SpatialTestData.Affine(new[] { -1.0, 0, 0, 0, 1, 0, 0, 0, 1 }, 3, 0, 0));
            var v = AtlasVolume.FromMask(g, new byte[64]);
            // Move the sform 2 mm along y: the forms now disagree by 2 mm everywhere.
            v.Header.SRowY[3] = 2;
            var r = Canonical.ReorientDetailed(new AtlasVolume(v.Header, v.Data));
            Assert.Equal(2.0, r.QFormSFormDifferenceMm, 9);
            var h = r.Volume.Header;
            var s = AffineMath.SForm(h); var q = AffineMath.QForm(h);
            Assert.Equal(1.0, s[0, 0], 9); Assert.Equal(0.0, s[0, 3], 9); Assert.Equal(2.0, s[1, 3], 9);
            Assert.Equal(1.0, q[0, 0], 6); Assert.Equal(0.0, q[0, 3], 6); Assert.Equal(0.0, q[1, 3], 6);
        }

        [SkippableFact]
        public void All48AxisOrdersOfARealImageMatchNibabel()
        {
            Peers.RequireMricron("ch2.nii.gz");
            Peers.RequirePython("numpy", "scipy", "nibabel");
            using (var tmp = new TempDir())
            {
                // A real block of ch2 on a slightly oblique 2 x 2.5 x 3 mm grid.
                var aff = AffineMath.Multiply(SpatialTestData.Rotation(0.08, -0.11, 0.05), SpatialTestData.Affine(new[] { 2.0, 0, 0, 0, 2.5, 0, 0, 0, 3 }, -30, -40, -20));
                var src = SpatialTestData.Volume(SpatialTestData.Ch2Block(20, 24, 18, 4), 20, 24, 18, aff);
                string srcPath = tmp.File("src.nii");
                NiftiWriter.Write(src, srcPath);
                Assert.Equal("48", SpatialTestData.Run(Peers.Python, SpatialTestData.PeerScript(), "orient", srcPath, tmp.Path).Trim());
                var codes = new System.Collections.Generic.HashSet<string>();
                for (int n = 0; n < 48; n++)
                {
                    var input = NiftiReader.Read(tmp.File("in_" + n.ToString("00") + ".nii"));
                    codes.Add(input.Orientation);
                    foreach (var (target, prefix) in new[] { ("RAS", "ras"), ("LAS", "las") })
                    {
                        var peer = NiftiReader.Read(tmp.File(prefix + "_" + n.ToString("00") + ".nii"));
                        var ours = Canonical.Reorient(input, target);
                        Assert.Equal(target, ours.Orientation);
                        Assert.Equal(peer.Dimensions, ours.Dimensions);
                        Assert.Equal((byte[])peer.Data, (byte[])ours.Data);
                        Assert.True(SpatialTestData.Close(peer.Affine, ours.Affine, 1e-5, out var why), input.Orientation + " → " + target + ": " + why);
                        // qform and sform both carry the new geometry.
                        Assert.True(SpatialTestData.Close(AffineMath.QForm(ours.Header), AffineMath.SForm(ours.Header), 1e-4, out why), "qform vs sform: " + why);
                    }
                }
                Assert.Equal(48, codes.Count);
            }
        }
    }
}
