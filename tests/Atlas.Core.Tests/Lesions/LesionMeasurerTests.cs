using System;
using System.IO;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    public class LesionMeasurerTests
    {
        // 10x4x4 grid, 2 x 1 x 1 mm, x = 2i − 9 (voxel centres at −9, −7 … 9).
        private static Grid LineGrid()
        {
            var a = AffineMath.Identity();
            a[0, 0] = 2; a[0, 3] = -9;
            return new Grid(10, 4, 4, new[] { 2.0, 1.0, 1.0 }, a);
        }

        [Fact]
        public void HandWorkedLine()
        {
            var g = LineGrid();
            var m = new byte[g.VoxelCount];
            for (int i = 2; i <= 5; i++) m[g.Index(i, 1, 2)] = 1;      // x = −5, −3, −1, +1
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m))[0];
            Assert.Equal(4, r.VoxelCount);
            Assert.Equal(8.0, r.VolumeMm3, 12);
            Assert.Equal(0.008, r.VolumeMl, 12);
            Assert.Equal(-2.0, r.CentroidXMm, 12);                    // i = 3.5 → 2·3.5 − 9
            Assert.Equal(1.0, r.CentroidYMm, 12);
            Assert.Equal(2.0, r.CentroidZMm, 12);
            Assert.Equal(3.5, r.CentroidI, 12);
            Assert.Equal("2-5,1-1,2-2", r.BoundingBox);
            Assert.Equal(0.75, r.FractionLeft, 12);
            Assert.Equal("Bilateral", r.Hemisphere);                  // 0.25 across the midline > 0.1
            Assert.Equal(0, r.Component);
            Assert.Null(r.Location);
            var r2 = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { BilateralFraction = 0.3 })[0];
            Assert.Equal("Left", r2.Hemisphere);
            // Midline moved to x = −4: left voxel only x = −5 → 0.25 left, Bilateral at 0.1, Right at 0.3.
            var r3 = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { MidlineXMm = -4, BilateralFraction = 0.3 })[0];
            Assert.Equal(0.25, r3.FractionLeft, 12);
            Assert.Equal("Right", r3.Hemisphere);
        }

        [Fact]
        public void VoxelOnTheMidlineCountsHalf()
        {
            var g = Grid.Create(5, 1, 1); // x = i
            var m = new byte[5]; m[2] = 1; m[3] = 1;
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { MidlineXMm = 2 })[0];
            Assert.Equal(0.25, r.FractionLeft, 12);
            Assert.Equal("Bilateral", r.Hemisphere);
            Assert.Equal("Right", LesionMeasurer.Hemisphere(0.5, 0.6, 1.0, 0.0));
            Assert.Equal("Left", LesionMeasurer.Hemisphere(0.5, 0.6, -1.0, 0.0));
        }

        [Fact]
        public void EmptyMask()
        {
            var g = Grid.Create(3, 3, 3);
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, new byte[27]))[0];
            Assert.Equal(0, r.VoxelCount);
            Assert.Equal("None", r.Hemisphere);
            Assert.True(double.IsNaN(r.CentroidXMm));
        }

        [Fact]
        public void PerComponentAndLocation()
        {
            var g = Grid.Create(12, 6, 6);
            var m = new byte[g.VoxelCount];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) m[g.Index(i, j, 0)] = 1;   // 6 voxels
            m[g.Index(9, 4, 4)] = 1; m[g.Index(10, 4, 4)] = 1;                                 // 2 voxels
            m[g.Index(6, 2, 2)] = 1;                                                           // 1 voxel
            var cortex = new byte[g.VoxelCount]; cortex[g.Index(10, 4, 4)] = 1;                // touches the 2-voxel lesion
            var infra = new byte[g.VoxelCount]; infra[g.Index(6, 2, 2)] = 1; infra[g.Index(10, 4, 4)] = 1;
            var opts = new LesionMeasureOptions
            {
                PerComponent = true, SubjectId = "s1", Rank = 2,
                CortexMask = AtlasVolume.FromMask(g, cortex), InfratentorialMask = AtlasVolume.FromMask(g, infra),
            };
            var rs = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), opts);
            Assert.Equal(3, rs.Count);
            Assert.Equal(new long[] { 6, 2, 1 }, new[] { rs[0].VoxelCount, rs[1].VoxelCount, rs[2].VoxelCount });
            Assert.Equal(new[] { 1, 2, 3 }, new[] { rs[0].Component, rs[1].Component, rs[2].Component });
            Assert.Equal(new[] { "Subcortical", "Cortical", "Other" }, new[] { rs[0].Location, rs[1].Location, rs[2].Location });
            Assert.All(rs, r => { Assert.Equal("s1", r.SubjectId); Assert.Equal(2, r.Rank); });
            Assert.Equal(1.0, rs[0].CentroidI, 12);
            Assert.Equal(0.5, rs[0].CentroidJ, 12);
            var two = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { PerComponent = true, MinimumVoxels = 2 });
            Assert.Equal(2, two.Count);
        }

        [Fact]
        public void GridMismatchNamesBothFiles()
        {
            var a = AtlasVolume.FromMask(Grid.Create(4, 4, 4), new byte[64]); a.Path = "/x/lesion.nii.gz";
            var b = AtlasVolume.FromMask(Grid.Create(4, 4, 5), new byte[80]); b.Path = "/x/cortex.nii.gz";
            var ex = Assert.Throws<GeometryException>(() => LesionMeasurer.Measure(a, new LesionMeasureOptions { CortexMask = b }));
            Assert.Equal(GeometryErrorKind.GridMismatch, ex.Kind);
            Assert.Contains("/x/lesion.nii.gz", ex.Message);
            Assert.Contains("/x/cortex.nii.gz", ex.Message);
        }

        // Harvard-Oxford (mricron-data) is stored LAS: voxel i grows toward the left (x = 90 − i).
        // Region 1 (frontal pole, both sides) cut at i ≥ 100 lies in the left hemisphere.
        // nibabel: m = (d == 1); m[:100] = False → 76003 voxels, centroid (−28.3602, 51.9119, 7.5119) mm;
        // the part i < 100 → 120056 voxels, centroid x = +22.97 mm, share with x < 0 (+ half of x = 0)
        // 0.118953 (so Bilateral at 0.1, Right at 0.15).
        [SkippableFact]
        public void HemisphereOnLasAtlasUsesTheAffine()
        {
            Peers.RequireMricron("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
            var ho = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz"));
            Assert.Equal("LAS", ho.Orientation);
            var g = ho.Grid;
            var region = ho.ToLabelMask(1);
            var left = (byte[])region.Clone(); var right = (byte[])region.Clone();
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                    {
                        if (i < 100) left[g.Index(i, j, k)] = 0; else right[g.Index(i, j, k)] = 0;
                    }
            var l = LesionMeasurer.Measure(AtlasVolume.FromMask(g, left, ho.Header))[0];
            Assert.Equal(76003, l.VoxelCount);
            Assert.Equal("Left", l.Hemisphere);
            Assert.Equal(1.0, l.FractionLeft, 12);
            Assert.Equal(-28.36024894, l.CentroidXMm, 6);
            Assert.Equal(51.91193769, l.CentroidYMm, 6);
            Assert.Equal(7.51187453, l.CentroidZMm, 6);
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, right, ho.Header))[0];
            Assert.Equal(120056, r.VoxelCount);
            Assert.Equal(22.97357067, r.CentroidXMm, 6);
            Assert.Equal(0.11895282201639235, r.FractionLeft, 12);   // i = 91..99 lie left, i = 90 on the midline
            Assert.Equal("Bilateral", r.Hemisphere);
            Assert.Equal("Right", LesionMeasurer.Measure(AtlasVolume.FromMask(g, right, ho.Header), new LesionMeasureOptions { BilateralFraction = 0.15 })[0].Hemisphere);
        }

        // A 6 mm sphere at MNI (−24, 4, 2) on the AAL grid. nibabel: 925 voxels; labels 73 Putamen_L
        // 668 and 75 Pallidum_L 257; region sizes 7942 and 2285.
        [SkippableFact]
        public void AtlasRegionsOnAal()
        {
            Peers.RequireMricron("aal.nii.gz", "aal.nii.txt");
            var aalPath = Path.Combine(Peers.MricronTemplates, "aal.nii.gz");
            var aal = NiftiReader.Read(aalPath);
            var g = aal.Grid;
            var m = new byte[g.VoxelCount];
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                    {
                        var w = g.VoxelToWorld(i, j, k);
                        if ((w[0] + 24) * (w[0] + 24) + (w[1] - 4) * (w[1] - 4) + (w[2] - 2) * (w[2] - 2) <= 36) m[g.Index(i, j, k)] = 1;
                    }
            var atlas = new LesionAtlas(aal, LesionAtlas.ReadNames(Path.Combine(Peers.MricronTemplates, "aal.nii.txt")));
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { Atlas = atlas })[0];
            Assert.Equal(925, r.VoxelCount);
            Assert.Equal("Left", r.Hemisphere);
            Assert.Equal("Putamen_L", r.PrimaryRegion);
            Assert.Equal(73, r.PrimaryRegionLabel);
            Assert.Equal(2, r.GetRegions().Length);
            Assert.Equal(668, r.GetRegions()[0].VoxelCount);
            Assert.Equal(668.0 / 925, r.GetRegions()[0].FractionOfLesion, 12);
            Assert.Equal(668.0 / 7942, r.GetRegions()[0].FractionOfRegion, 12);
            Assert.Equal("Pallidum_L", r.GetRegions()[1].Region);
            Assert.Equal(257.0 / 2285, r.GetRegions()[1].FractionOfRegion, 12);
        }

        [Fact]
        public void ReadsLabelNames()
        {
            using var t = new TempDir();
            File.WriteAllText(t.File("a.txt"), "1 Precentral_L 2001\n2 Precentral_R 2002\n");
            File.WriteAllText(t.File("b.csv"), "index,name\n1,\"Frontal Pole\"\n7,Insula\n");
            Assert.Equal("Precentral_R", LesionAtlas.ReadNames(t.File("a.txt"))[2]);
            var b = LesionAtlas.ReadNames(t.File("b.csv"));
            Assert.Equal(2, b.Count);
            Assert.Equal("Frontal Pole", b[1]);
        }
    }
}
