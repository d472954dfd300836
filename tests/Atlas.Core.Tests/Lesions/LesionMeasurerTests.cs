using System;
using System.IO;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
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

        // Atlases on another grid of the same world, or in template space through a transform: each lesion voxel
        // takes the label of the atlas voxel nearest to its centre (0 outside the atlas).

        // The mask: 8³ voxels of 1 mm, x = i, y = j, z = k. The atlas: 4³ voxels of 2 mm shifted by 1 mm in x,
        // centres at x = 2I + 1, y = 2J, z = 2K, labelled 1 + I + 4J + 16K. Mask voxel (i, j, k) lies at atlas voxel
        // ((i − 1)/2, j/2, k/2), rounded with faces going up:
        //   (0,0,0) → (−0.5, 0, 0) → (0, 0, 0): label 1      (2,1,0) → (0.5, 0.5, 0) → (1, 1, 0): label 6
        //   (3,1,0) → (1, 0.5, 0) → (1, 1, 0): label 6       (7,7,0) → (3, 3.5, 0) → J = 4 lies outside: 0
        private static AtlasVolume CoarseShiftedAtlas(out Grid mask)
        {
            mask = Grid.Create(8, 8, 8);
            var a = AffineMath.Identity();
            a[0, 0] = 2; a[1, 1] = 2; a[2, 2] = 2; a[0, 3] = 1;
            var g = new Grid(4, 4, 4, new[] { 2.0, 2.0, 2.0 }, a);
            var labels = new short[g.VoxelCount];
            for (int k = 0; k < 4; k++) for (int j = 0; j < 4; j++) for (int i = 0; i < 4; i++) labels[g.Index(i, j, k)] = (short)(1 + i + 4 * j + 16 * k);
            var v = new AtlasVolume(AtlasVolume.MakeHeader(g, NiftiDataType.Int16), labels);
            v.Path = "/x/coarse-atlas.nii.gz";
            return v;
        }

        [Fact]
        public void AtlasOnAShiftedCoarserGridGivesTheLabelAtEachVoxelCentre()
        {
            var atlasVolume = CoarseShiftedAtlas(out var g);
            var m = new byte[g.VoxelCount];
            m[g.Index(0, 0, 0)] = 1; m[g.Index(2, 1, 0)] = 1; m[g.Index(3, 1, 0)] = 1; m[g.Index(7, 7, 0)] = 1;
            // Cortex: the atlas grid's voxel (0, 0, 0) only; infratentorial: its voxel (3, 3, 0), which no lesion voxel reaches.
            var cortex = new byte[64]; cortex[0] = 1;
            var infra = new byte[64]; infra[3 + 4 * 3] = 1;
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions
            {
                Atlas = new LesionAtlas(atlasVolume),
                CortexMask = AtlasVolume.FromMask(atlasVolume.Grid, cortex),
                InfratentorialMask = AtlasVolume.FromMask(atlasVolume.Grid, infra),
            })[0];
            Assert.Equal(4, r.VoxelCount);
            Assert.Equal(4.0, r.VolumeMm3, 12);                        // the mask's own voxels, 1 mm³ each
            Assert.Equal("Cortical", r.Location);                      // (0,0,0) has the cortex voxel at its centre
            Assert.Null(r.TransformPath);
            var regions = r.GetRegions();
            Assert.Equal(2, regions.Length);
            Assert.Equal(6, regions[0].Label);
            Assert.Equal(2, regions[0].VoxelCount);
            Assert.Equal(0.5, regions[0].FractionOfLesion, 12);
            Assert.Equal(2.0 / 8, regions[0].FractionOfRegion, 12);    // 2 mm³ of the region's 8 mm³
            Assert.Equal(1, regions[1].Label);
            Assert.Equal(1.0 / 8, regions[1].FractionOfRegion, 12);
            Assert.Equal(6, r.PrimaryRegionLabel);
            Assert.Equal("6", r.PrimaryRegion);                        // no names: the label

            // Only the voxel (7,7,0), outside the atlas: no region, and Subcortical (not cortex, not infratentorial).
            var outside = new byte[g.VoxelCount]; outside[g.Index(7, 7, 0)] = 1;
            var o = LesionMeasurer.Measure(AtlasVolume.FromMask(g, outside), new LesionMeasureOptions
            {
                Atlas = new LesionAtlas(atlasVolume), CortexMask = AtlasVolume.FromMask(atlasVolume.Grid, cortex),
            })[0];
            Assert.Empty(o.GetRegions());
            Assert.Null(o.PrimaryRegion);
            Assert.Equal("Subcortical", o.Location);
        }

        [Fact]
        public void AtlasStoredLasOnAnotherGrid()
        {
            // The atlas: 5 × 1 × 1 voxels of 2 mm stored right to left, x = 8 − 2I (I = 0 at x = 8); labels 10 + I.
            // The mask: 9 × 1 × 1 voxels of 1 mm, x = i. Voxel i lies at I = (8 − i)/2: i = 1 → 3.5 → 4 (label 14),
            // i = 6 → 1 → label 11, i = 7 → 0.5 → 1 (faces go to the higher voxel) → label 11.
            var a = AffineMath.Identity(); a[0, 0] = -2; a[0, 3] = 8;
            var ag = new Grid(5, 1, 1, new[] { 2.0, 1.0, 1.0 }, a);
            var labels = new byte[5];
            for (int i = 0; i < 5; i++) labels[i] = (byte)(10 + i);
            var atlas = new LesionAtlas(new AtlasVolume(AtlasVolume.MakeHeader(ag, NiftiDataType.UInt8), labels));
            var g = Grid.Create(9, 1, 1);
            var m = new byte[9]; m[1] = 1; m[6] = 1; m[7] = 1;
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { Atlas = atlas })[0];
            Assert.Equal(11, r.PrimaryRegionLabel);
            Assert.Equal(2.0 / 3, r.PrimaryRegionFraction.Value, 12);
            Assert.Equal(new[] { 11, 14 }, Array.ConvertAll(r.GetRegions(), x => x.Label));
        }

        // A translation of 3 voxels: template (fixed) → native (moving) y = x + (3, 0, 0) mm, on 10³ grids of 1 mm
        // (x = i). Native voxel i lies at template x = i − 3. The atlas labels template voxels (2..3, 4, 4) with 5 and
        // native (5..6, 4, 4) with 7 (a decoy that only an untransformed look-up would find).
        [Fact]
        public void TranslationCarriesTheLesionIntoTheTemplateLabel()
        {
            var g = Grid.Create(10, 10, 10);
            var labels = new byte[g.VoxelCount];
            labels[g.Index(2, 4, 4)] = 5; labels[g.Index(3, 4, 4)] = 5;
            labels[g.Index(5, 4, 4)] = 7; labels[g.Index(6, 4, 4)] = 7;
            var atlas = new LesionAtlas(new AtlasVolume(AtlasVolume.MakeHeader(g, NiftiDataType.UInt8), labels));
            var cortex = new byte[g.VoxelCount]; cortex[g.Index(3, 4, 4)] = 1;
            var m = new byte[g.VoxelCount]; m[g.Index(5, 4, 4)] = 1; m[g.Index(6, 4, 4)] = 1;
            var t = new double[,] { { 1, 0, 0, 3 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
            var opts = new LesionMeasureOptions
            {
                Atlas = atlas, CortexMask = AtlasVolume.FromMask(g, cortex), MidlineXMm = 4,
                Transform = new AffineTransform(t, "/x/shift.txt"),
            };
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), opts)[0];
            Assert.Equal(5, r.PrimaryRegionLabel);
            Assert.Equal(1.0, r.PrimaryRegionFraction.Value, 12);
            Assert.Equal(1.0, r.GetRegions()[0].FractionOfRegion, 12);  // determinant 1: 2 mm³ of the region's 2 mm³
            Assert.Equal("Cortical", r.Location);
            Assert.Equal(2.5, r.CentroidXMm, 12);                        // template x of native 5.5
            Assert.Equal(5.5, r.CentroidI, 12);                          // voxels stay the mask's
            Assert.Equal("Left", r.Hemisphere);                          // template x 2, 3 < 4 (native 5, 6 would be Right)
            Assert.Equal("/x/shift.txt", r.TransformPath);

            var plain = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { Atlas = atlas, MidlineXMm = 4 })[0];
            Assert.Equal(7, plain.PrimaryRegionLabel);
            Assert.Equal("Right", plain.Hemisphere);
        }

        // A 90° rotation about z, read from an ITK file as registration writes it: template (fixed) → native
        // (moving) (x, y, z) → (−y, x, z), on 9³ grids of 1 mm centred on 0 (x = i − 4). The lesion at native
        // world (−2, 3, 0) (voxel (2, 7, 4)) lies at template (3, 2, 0) (voxel (7, 6, 4)): label 9 there; label 8 at the
        // native voxel itself.
        [Fact]
        public void RotationFromAnItkFileCarriesTheLesionIntoTheTemplateLabel()
        {
            var a = AffineMath.Identity(); a[0, 3] = -4; a[1, 3] = -4; a[2, 3] = -4;
            var g = new Grid(9, 9, 9, new[] { 1.0, 1.0, 1.0 }, a);
            var labels = new byte[g.VoxelCount];
            labels[g.Index(7, 6, 4)] = 9; labels[g.Index(2, 7, 4)] = 8;
            var atlas = new LesionAtlas(new AtlasVolume(AtlasVolume.MakeHeader(g, NiftiDataType.UInt8), labels));
            var m = new byte[g.VoxelCount]; m[g.Index(2, 7, 4)] = 1;
            using var dir = new TempDir();
            var rot = new double[,] { { 0, -1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
            TransformFiles.Write(dir.File("rot.txt"), new AffineTransform(rot), TransformFormat.Itk);
            var source = TransformFileSource.Open(dir.File("rot.txt"));
            Assert.Equal(TransformFormat.Itk, source.Format);
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { Atlas = atlas, Transform = source.For(null, null) })[0];
            Assert.Equal(9, r.PrimaryRegionLabel);
            Assert.Equal(3.0, r.CentroidXMm, 9);
            Assert.Equal(2.0, r.CentroidYMm, 9);
            Assert.Equal("Right", r.Hemisphere);                         // native x = −2 would be Left
            Assert.Equal(dir.File("rot.txt"), r.TransformPath);
        }

        [Fact]
        public void ScaledTransformGivesTheRegionShareInTemplateVolume()
        {
            // Native = 2 × template: one native voxel of 1 mm³ at (4,4,4) is template (2,2,2) and takes 1/8 mm³ there;
            // the region is that one template voxel of 1 mm³, so the lesion covers 1/8 of it.
            var g = Grid.Create(8, 8, 8);
            var labels = new byte[g.VoxelCount]; labels[g.Index(2, 2, 2)] = 3;
            var atlas = new LesionAtlas(new AtlasVolume(AtlasVolume.MakeHeader(g, NiftiDataType.UInt8), labels));
            var m = new byte[g.VoxelCount]; m[g.Index(4, 4, 4)] = 1;
            var t = new double[,] { { 2, 0, 0, 0 }, { 0, 2, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } };
            var r = LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), new LesionMeasureOptions { Atlas = atlas, Transform = new AffineTransform(t) })[0];
            Assert.Equal(3, r.PrimaryRegionLabel);
            Assert.Equal(1.0, r.GetRegions()[0].VolumeMm3, 12);         // the lesion's own millimetres
            Assert.Equal(0.125, r.GetRegions()[0].FractionOfRegion, 12);
            Assert.Equal("(transform in memory)", r.TransformPath);
        }

        [Fact]
        public void SameGridResultsAreTheVoxelWiseOnesWithOrWithoutAnIdentityTransform()
        {
            // The per-voxel look-up through an identity transform gives the records the same-grid path gives.
            var g = Grid.Create(12, 6, 6, 1.5, 1, 2);
            var m = new byte[g.VoxelCount];
            var labels = new short[g.VoxelCount];
            var cortex = new byte[g.VoxelCount];
            var rng = new Random(7);
            for (int p = 0; p < m.Length; p++) { m[p] = (byte)(rng.Next(3) == 0 ? 1 : 0); labels[p] = (short)rng.Next(4); cortex[p] = (byte)(rng.Next(9) == 0 ? 1 : 0); }
            var atlas = new LesionAtlas(new AtlasVolume(AtlasVolume.MakeHeader(g, NiftiDataType.Int16), labels));
            LesionMeasure Run(AffineTransform t) => LesionMeasurer.Measure(AtlasVolume.FromMask(g, m),
                new LesionMeasureOptions { Atlas = atlas, CortexMask = AtlasVolume.FromMask(g, cortex), Transform = t, MidlineXMm = 8 })[0];
            var same = Run(null);
            var through = Run(AffineTransform.Identity);
            Assert.Equal(same.VoxelCount, through.VoxelCount);
            Assert.Equal(same.CentroidXMm, through.CentroidXMm, 12);
            Assert.Equal(same.FractionLeft, through.FractionLeft, 12);
            Assert.Equal(same.Location, through.Location);
            Assert.Equal(Array.ConvertAll(same.GetRegions(), x => x.Label + ":" + x.VoxelCount), Array.ConvertAll(through.GetRegions(), x => x.Label + ":" + x.VoxelCount));
            Assert.Equal(same.GetRegions()[0].FractionOfRegion, through.GetRegions()[0].FractionOfRegion, 12);
        }

        [Fact]
        public void LabelRangeMaskTakesARunOfLabels()
        {
            // An AAL-like map 0..6 with a scale of 0.5: scaled values 0, 0.5 … 3; the run [1, 2] is 1, 1.5, 2.
            var g = Grid.Create(7, 1, 1);
            var h = AtlasVolume.MakeHeader(g, NiftiDataType.UInt8);
            h.SclSlope = 0.5;
            var v = new AtlasVolume(h, new byte[] { 0, 1, 2, 3, 4, 5, 6 });
            Assert.Equal(new byte[] { 0, 0, 1, 1, 1, 0, 0 }, v.ToLabelRangeMask(1, 2));
            Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 0, 0 }, v.ToLabelMask(2));
        }

        [Fact]
        public void SingularAtlasAffineNamesTheAtlas()
        {
            var a = AffineMath.Identity(); a[2, 2] = 0;
            var flat = AtlasVolume.FromMask(new Grid(4, 4, 4, new[] { 1.0, 1.0, 1.0 }, a), new byte[64]); flat.Path = "/x/cortex.nii.gz";
            var m = AtlasVolume.FromMask(Grid.Create(4, 4, 4), new byte[64]); m.Path = "/x/lesion.nii.gz";
            var ex = Assert.Throws<GeometryException>(() => LesionMeasurer.Measure(m, new LesionMeasureOptions { CortexMask = flat }));
            Assert.Equal(GeometryErrorKind.SingularMatrix, ex.Kind);
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
