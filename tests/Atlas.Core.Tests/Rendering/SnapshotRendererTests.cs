using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Imaging;
using Atlas.Core.Nifti;
using Atlas.Core.Rendering;
using Atlas.Core.Volumes;
using Xunit;
using static Atlas.Core.Tests.Rendering.RenderTestVolumes;

namespace Atlas.Core.Tests.Rendering
{
    public class SnapshotRendererTests
    {
        // A 40 x 50 x 30 RAS grid of 1 mm voxels whose voxel (i,j,k) is at world (i,j,k) mm:
        // an axial pixel (c, r) then shows voxel (c, 49 - r) (left on the left, anterior at the top).
        private static readonly double[,] Ras1 = Affine(1, 1, 1, 0, 0, 0);

        private static float Anatomy(int i, int j, int k) => 100 + i + 2 * j + 3 * k; // asymmetric on every axis

        private static bool Box(int i, int j, int k) => i >= 12 && i <= 17 && j >= 20 && j <= 30 && k >= 13 && k <= 17;

        [Fact]
        public void AxialTileHasOnePixelPerMillimetre()
        {
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 15 }, Labels = false });
            Assert.Equal(40, r.Image.Width);
            Assert.Equal(50, r.Image.Height);
            Assert.Equal("z=15", r.Info.Slices);
            Assert.Equal(1.0, r.Info.PixelSizeMm);
        }

        [Fact]
        public void OverlayIsColouredExactlyWhereTheMaskIs()
        {
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var mask = Mask(40, 50, 30, Ras1, Box);
            foreach (bool labels in new[] { false, true })
            {
                var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) { Color = RgbColor.Parse("red"), Opacity = 0.5 } },
                    new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 15 }, Labels = labels });
                int coloured = 0;
                for (int y = 0; y < 50; y++)
                    for (int x = 0; x < 40; x++)
                    {
                        bool expected = Box(x, 49 - y, 15);
                        uint p = r.Image[x, y];
                        Assert.True(expected == RgbaImage.IsColoured(p), "pixel " + x + "," + y + " labels=" + labels);
                        if (expected) { coloured++; Assert.True(RgbaImage.R(p) > RgbaImage.G(p) && RgbaImage.G(p) == RgbaImage.B(p)); }
                    }
                Assert.Equal(6 * 11, coloured);
            }
        }

        [Fact]
        public void OutlineColoursOnlyTheMasksEdgePixels()
        {
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var mask = Mask(40, 50, 30, Ras1, Box);
            var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) { Outline = true, Opacity = 1 } },
                new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 15 }, Labels = false, Legend = false });
            // The box covers columns 12..17 and rows 49-30..49-20 = 19..29: its edge is 2*6 + 2*11 - 4 = 30 pixels.
            for (int y = 0; y < 50; y++)
                for (int x = 0; x < 40; x++)
                {
                    bool edge = (x == 12 || x == 17) && y >= 19 && y <= 29 || (y == 19 || y == 29) && x >= 12 && x <= 17;
                    Assert.True(edge == RgbaImage.IsColoured(r.Image[x, y]), "pixel " + x + "," + y);
                    if (edge) Assert.Equal(RgbaImage.Pack(255, 0, 0), r.Image[x, y]);
                }
            Assert.Equal(30, r.Image.CountColoured());
        }

        [Fact]
        public void BaseImageIsWindowedLinearly()
        {
            // Values 1..100 in the first 100 voxels, the rest 0 (background, left out of the percentiles).
            var t1 = Float(10, 20, 1, Ras1, (i, j, k) => j < 10 ? 1 + i + 10 * j : 0);
            var r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, Labels = false });
            // numpy.percentile(range(1,101), [1, 99]) = [1.99, 99.01]
            Assert.Equal(1.99, r.Info.WindowMin, 9);
            Assert.Equal(99.01, r.Info.WindowMax, 9);
            // Voxel (4, 5) = 55 → (55 - 1.99) / 97.02 * 255 = 139.33 → 139; it is drawn at column 4, row 19 - 5.
            Assert.Equal(139, RgbaImage.R(r.Image[4, 14]));
            // Given window: 0..200 → 55 * 255 / 200 = 70.1 → 70.
            r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, Labels = false, WindowMin = 0, WindowMax = 200 });
            Assert.Equal(70, RgbaImage.G(r.Image[4, 14]));
        }

        public static IEnumerable<object[]> Reorders()
        {
            yield return new object[] { "LAS (i flipped)" };
            yield return new object[] { "RPS (j flipped)" };
            yield return new object[] { "RAI (k flipped)" };
            yield return new object[] { "ARS (i and j exchanged)" };
            yield return new object[] { "PLI (all flipped, i and j exchanged)" };
            yield return new object[] { "oblique LAS (rotated 20 degrees about z, i flipped)" };
        }

        /// <summary>A 1 mm affine rotated by <paramref name="degrees"/> about z, centred near the volume's middle.</summary>
        private static double[,] Rotated(double degrees)
        {
            double c = Math.Cos(degrees * Math.PI / 180), s = Math.Sin(degrees * Math.PI / 180);
            var a = Affine(1, 1, 1, 0, 0, -10);
            a[0, 0] = c; a[0, 1] = -s; a[1, 0] = s; a[1, 1] = c;
            a[0, 3] = -(c * 20 - s * 25); a[1, 3] = -(s * 20 + c * 25);
            return a;
        }

        [Theory]
        [MemberData(nameof(Reorders))]
        public void StoredVoxelOrderDoesNotChangeThePicture(string how)
        {
            var affine = how.StartsWith("oblique") ? Rotated(20) : Affine(1, 1, 1, -20, -25, -10);
            var t1 = Float(40, 50, 30, affine, Anatomy);
            var mask = Mask(40, 50, 30, affine, Box);
            AtlasVolume t2 = t1, m2 = mask;
            if (how.StartsWith("LAS") || how.StartsWith("oblique")) { t2 = Flip(t1, 0); m2 = Flip(mask, 0); }
            else if (how.StartsWith("RPS")) { t2 = Flip(t1, 1); m2 = Flip(mask, 1); }
            else if (how.StartsWith("RAI")) { t2 = Flip(t1, 2); m2 = Flip(mask, 2); }
            else if (how.StartsWith("ARS")) { t2 = SwapIJ(t1); m2 = SwapIJ(mask); }
            else
            {
                t2 = SwapIJ(Flip(Flip(Flip(t1, 0), 1), 2));
                m2 = SwapIJ(Flip(Flip(Flip(mask, 0), 1), 2));
            }
            Assert.NotEqual(t1.Orientation, t2.Orientation);
            foreach (var radiological in new[] { false, true })
            {
                var o = new SnapshotOptions { Plane = SnapshotPlane.All, Radiological = radiological };
                var a = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(mask) }, o);
                var b = SnapshotRenderer.Render(t2, new[] { new SnapshotLayer(m2) }, o);
                Assert.Equal(a.Info.Slices, b.Info.Slices);
                Assert.Equal(a.Image.Width, b.Image.Width);
                Assert.Equal(a.Image.Height, b.Image.Height);
                Assert.Equal(a.Image.Pixels, b.Image.Pixels);
                Assert.True(a.Image.CountColoured() > 0);
            }
        }

        [Fact]
        public void LeftHemisphereIsOnTheLeftInNeurologicalAndOnTheRightInRadiological()
        {
            // LAS-stored: voxel i = 0 is the RIGHT-most column (x = +19.5); the bright blob sits at x < 0 (left).
            var las = Affine(-1, 1, 1, 19.5, -25, -10);
            var t1 = Float(40, 50, 30, las, (i, j, k) => i >= 25 && i <= 35 ? 1000 : 100);
            Assert.Equal("LAS", t1.Orientation);
            var neuro = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, Labels = false, WindowMin = 0, WindowMax = 1000 });
            var radio = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, Labels = false, WindowMin = 0, WindowMax = 1000, Radiological = true });
            // The box spans x = -20..20 mm, so column c (neurological) shows x = c - 19.5: the blob (x = -15.5..-5.5) covers columns 4..14.
            for (int c = 0; c < 40; c++)
            {
                bool blob = c >= 4 && c <= 14;
                Assert.Equal(blob ? 255 : 26, RgbaImage.R(neuro.Image[c, 25]));
                Assert.Equal(blob ? 255 : 26, RgbaImage.R(radio.Image[39 - c, 25]));
            }
            Assert.Equal("Radiological", radio.Info.Convention);
        }

        [Fact]
        public void SideLettersReadLOnTheLeftAndROnTheRight()
        {
            var las = Affine(-1, 1, 1, 110, -120, -60);
            var t1 = Float(220, 240, 8, las, (i, j, k) => 50);
            foreach (var radiological in new[] { false, true })
            {
                var r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, Radiological = radiological, WindowMin = 0, WindowMax = 100 });
                SnapshotRenderer.SideLetterPositions(r.Image.Width, r.Image.Height, out int lx, out int rx, out int y, out int s);
                Assert.Equal(2, s);
                Assert.Equal(radiological ? 'R' : 'L', ReadGlyph(r.Image, lx, y, s));
                Assert.Equal(radiological ? 'L' : 'R', ReadGlyph(r.Image, rx, y, s));
            }
        }

        /// <summary>Which of the orientation letters the white pixels at (x0, y0) spell, or '?' when none matches.</summary>
        internal static char ReadGlyph(RgbaImage img, int x0, int y0, int s)
        {
            foreach (char c in "LRAPSI")
            {
                bool all = true;
                for (int y = 0; y < 7 && all; y++)
                    for (int x = 0; x < 5 && all; x++)
                    {
                        uint p = img[x0 + x * s + s / 2, y0 + y * s + s / 2];
                        bool white = RgbaImage.R(p) == 255 && RgbaImage.G(p) == 255 && RgbaImage.B(p) == 255;
                        if (white != BitmapFont.Ink(c, x, y)) all = false;
                    }
                if (all) return c;
            }
            return '?';
        }

        [Fact]
        public void AnisotropicGridKeepsItsProportions()
        {
            // 0.9 x 0.9 x 3 mm, 100 x 100 x 20 voxels = 90 x 90 x 60 mm; a ball of radius 15 mm in the middle.
            var a = Affine(0.9, 0.9, 3, -44.55, -44.55, -28.5);
            var t1 = Float(100, 100, 20, a, (i, j, k) => 100);
            var ball = Mask(100, 100, 20, a, (i, j, k) =>
            {
                double x = 0.9 * i - 44.55, y = 0.9 * j - 44.55, z = 3 * k - 28.5;
                return x * x + y * y + z * z <= 15 * 15;
            });
            var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(ball) }, new SnapshotOptions { Plane = SnapshotPlane.Coronal, SliceMm = new[] { 0.45 }, Labels = false, Legend = false });
            Assert.Equal(0.9, r.Info.PixelSizeMm, 12);
            Assert.Equal(100, r.Image.Width);               // 90 mm / 0.9
            Assert.Equal(67, r.Image.Height);               // 60 mm / 0.9 = 66.7
            Extent(r.Image, out int w, out int h);
            // The ball's cross-section is a disc 30 mm wide: 33 pixels across; its height, sampled
            // from 3 mm slices by nearest neighbour, is 30 mm ± one slice: 30..36 mm = 30..40 px.
            Assert.InRange(w, 32, 34);
            Assert.InRange(h, 30, 40);
        }

        private static void Extent(RgbaImage img, out int w, out int h)
        {
            int x0 = int.MaxValue, x1 = -1, y0 = int.MaxValue, y1 = -1;
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    if (RgbaImage.IsColoured(img[x, y])) { x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y); }
            w = x1 - x0 + 1; h = y1 - y0 + 1;
        }

        [Fact]
        public void SliceIndexFollowsTheVoxelAxisNearestTheNormal()
        {
            // Voxel axes stored as ARS (i is y, j is x): an axial -Slice is still along k; a sagittal one along j.
            var t1 = SwapIJ(Float(40, 50, 30, Affine(1, 1, 1, -20, -25, -10), Anatomy));
            var r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 12 } });
            Assert.Equal("z=2", r.Info.Slices);
            r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Sagittal, SliceIndex = new[] { 3, 30 } });
            Assert.Equal("x=-17 x=10", r.Info.Slices);
            Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.Sagittal, SliceIndex = new[] { 40 } }));
            r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.All, SliceIndex = new[] { 10, 5, 7 } });
            // Voxel (10, 5, 7) of ARS = world (5 - 20, 10 - 25, 7 - 10).
            Assert.Equal("z=-3 y=-15 x=-15", r.Info.Slices);
            r = SnapshotRenderer.Render(t1, null, new SnapshotOptions { Plane = SnapshotPlane.All, SliceMm = new[] { 1.5, -2, 3.2 } });
            Assert.Equal("z=3.2 y=-2 x=1.5", r.Info.Slices);
        }

        [Fact]
        public void AtLesionCentroidAndLargestSection()
        {
            // A lesion of 9 voxels on slice k=12 and 2 x 2 on slices k = 16..19: voxel count 9 + 16 = 25,
            // centroid k = (9*12 + 4*(16+17+18+19)) / 25 = 388/25 = 15.52 → z = 15.52; largest section k = 12.
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var m = Mask(40, 50, 30, Ras1, (i, j, k) =>
                (k == 12 && i >= 10 && i <= 12 && j >= 10 && j <= 12) || (k >= 16 && k <= 19 && i >= 10 && i <= 11 && j >= 10 && j <= 11));
            var layer = new[] { new SnapshotLayer(m) };
            var r = SnapshotRenderer.Render(t1, layer, new SnapshotOptions { Plane = SnapshotPlane.Axial, AtLesion = true });
            Assert.Equal("z=16", r.Info.Slices); // the voxel slice nearest the centroid
            r = SnapshotRenderer.Render(t1, layer, new SnapshotOptions { Plane = SnapshotPlane.Axial, AtLesion = true, LesionSlice = LesionSliceMode.LargestSection });
            Assert.Equal("z=12", r.Info.Slices);
            // Centroid i = (9*11 + 16*10.5)/25 = 10.68 → slice 11; j the same.
            r = SnapshotRenderer.Render(t1, layer, new SnapshotOptions { Plane = SnapshotPlane.All, AtLesion = true });
            Assert.Equal("z=16 y=11 x=11", r.Info.Slices);
            Assert.Throws<ArgumentException>(() => SnapshotRenderer.Render(t1, layer, new SnapshotOptions { AtLesion = true, SliceMm = new[] { 1.0, 2, 3 } }));
            var empty = Mask(40, 50, 30, Ras1, (i, j, k) => false);
            Assert.Throws<ArgumentException>(() => SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(empty) }, new SnapshotOptions { AtLesion = true }));
        }

        [Fact]
        public void AReferenceOutlineIsDrawnButNeverAimedAt()
        {
            // The lesion of the test above (centroid slice z=16) with a large "brain" box as a reference layer: a
            // box over i 2..37, j 2..47, k 2..27 (centroid k = 14.5) would move the slice if it counted.
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var m = Mask(40, 50, 30, Ras1, (i, j, k) =>
                (k == 12 && i >= 10 && i <= 12 && j >= 10 && j <= 12) || (k >= 16 && k <= 19 && i >= 10 && i <= 11 && j >= 10 && j <= 11));
            var brain = Mask(40, 50, 30, Ras1, (i, j, k) => i >= 2 && i <= 37 && j >= 2 && j <= 47 && k >= 2 && k <= 27);
            var cyan = RgbColor.Parse("cyan");
            var reference = new SnapshotLayer(brain) { Color = cyan, Opacity = 1, Outline = true, IsReference = true };
            var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(m), reference }, new SnapshotOptions { Plane = SnapshotPlane.Axial, AtLesion = true, Labels = false, Legend = false });
            Assert.Equal("z=16", r.Info.Slices);
            // Counted as a lesion it would have moved the slice to the union's centroid (z=15 after rounding 14.55).
            var counted = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(m), new SnapshotLayer(brain) { Outline = true } }, new SnapshotOptions { Plane = SnapshotPlane.Axial, AtLesion = true, Labels = false, Legend = false });
            Assert.NotEqual("z=16", counted.Info.Slices);
            // Its outline: the box's edge on slice 16, a 36 x 46 rectangle's border of 2*36 + 2*44 = 160 pixels, in cyan.
            int edge = 0;
            for (int y = 0; y < 50; y++)
                for (int x = 0; x < 40; x++)
                {
                    uint p = r.Image[x, y];
                    if (RgbaImage.R(p) == cyan.R && RgbaImage.G(p) == cyan.G && RgbaImage.B(p) == cyan.B) edge++;
                }
            Assert.Equal(160, edge);
            // Only reference layers: no lesion to aim at, so -AtLesion is refused as for no overlay at all.
            Assert.Throws<ArgumentException>(() => SnapshotRenderer.Render(t1, new[] { reference }, new SnapshotOptions { AtLesion = true }));
        }

        [Fact]
        public void MontageSpansTheLesionEvenly()
        {
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var m = Mask(40, 50, 30, Ras1, (i, j, k) => k >= 10 && k <= 19 && i == 20 && j == 20);
            var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(m) }, new SnapshotOptions { Plane = SnapshotPlane.Axial, Montage = 4, Legend = false });
            // The centres of 4 equal parts of z = 10..19: 11.125, 13.375, 15.625, 17.875 → the nearest slices.
            Assert.Equal("z=11 z=13 z=16 z=18", r.Info.Slices);
            // 2 x 2 tiles of 40 x 50 with 8-pixel gaps.
            Assert.Equal(88, r.Image.Width);
            Assert.Equal(108, r.Image.Height);
            // Every tile shows the lesion voxel (20, 20): at (20, 29) in each tile.
            foreach (var (x0, y0) in new[] { (0, 0), (48, 0), (0, 58), (48, 58) })
                Assert.True(RgbaImage.IsColoured(r.Image[x0 + 20, y0 + 29]));
            Assert.Equal(4, r.Image.CountColoured());
            r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(m) }, new SnapshotOptions { Plane = SnapshotPlane.All, Montage = 3 });
            Assert.Equal(9, r.Info.SliceCount);
        }

        [Fact]
        public void LegendNamesEachMaskColourAndGivesAMapItsColourBarAndScale()
        {
            // Issue 11: a reader must know what each colour is. Two masks (primary, _1) and a count map 0..5.
            var t1 = Float(40, 50, 30, Ras1, Anatomy);
            var primary = new SnapshotLayer(Mask(40, 50, 30, Ras1, Box)) { Label = "primary" };
            var second = new SnapshotLayer(Mask(40, 50, 30, Ras1, (i, j, k) => i == 30 && j == 30)) { Label = "_1" };
            var o = new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 15 }, Labels = false };
            var r = SnapshotRenderer.Render(t1, new[] { primary, second }, o);
            Assert.Equal("red = primary; green = _1", r.Info.Legend);
            // The tile (40 x 50) keeps its pixels; below it the legend, one line per entry here because the tile is
            // narrower than two entries: 7-px glyphs with 3 px of black above and below, so 13 px a line. The
            // picture keeps its width ("primary" is cut at the edge; Info.Legend has it whole).
            Assert.Equal(50 + 2 * 13, r.Image.Height);
            Assert.Equal(40, r.Image.Width);
            Assert.Equal(r.Info.HeightPx, r.Image.Height);
            var tileOnly = SnapshotRenderer.Render(t1, new[] { primary, second }, new SnapshotOptions { Plane = SnapshotPlane.Axial, SliceIndex = new[] { 15 }, Labels = false, Legend = false });
            for (int y = 0; y < 50; y++) for (int x = 0; x < 40; x++) Assert.Equal(tileOnly.Image[x, y], r.Image[x, y]);
            // Swatches: a 7 x 7 square of pure red at (3, 53), one of green at the start of the next line.
            uint red = RgbaImage.Pack(255, 0, 0), green = RgbaImage.Pack(0, 200, 0);
            for (int y = 53; y < 60; y++) for (int x = 3; x < 10; x++) Assert.Equal(red, r.Image[x, y]);
            for (int y = 66; y < 73; y++) for (int x = 3; x < 10; x++) Assert.Equal(green, r.Image[x, y]);
            // The label is drawn in white right of its swatch.
            bool ink = false;
            for (int y = 53; y < 60; y++) for (int x = 12; x < 40; x++) ink |= r.Image[x, y] == RgbaImage.Pack(255, 255, 255);
            Assert.True(ink);

            // A map: whole values 0..5 are a count; the bar runs from the colormap's first colour to its last.
            var map = Float(40, 50, 30, Ras1, (i, j, k) => i >= 10 && i < 15 && j >= 10 && j < 20 ? i - 10f : 0f);
            var m = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(map) { Colormap = OverlayColormap.Heat } }, o);
            Assert.Equal("Heat 0 to 4 = count", m.Info.Legend);
            int lo = BitmapFont.MeasureWidth("0", 1);
            int bar = 3 + lo + 2;  // after the minimum's digits
            // The 40-px picture leaves no room for "count" beside a bar of at least 10 px: the word is left out of
            // the drawing and the bar takes what is left: 40 - 2 * 3 - (the two numbers and their 2-px gaps) = 20 px.
            int barW = 40 - 6 - (lo + 4 + BitmapFont.MeasureWidth("4", 1));
            Assert.Equal(20, barW);
            Assert.Equal(40, m.Image.Width);
            // Heat, worked by hand from its definition: t = 0 is dark red (255 * 0.5 = 127.5, rounded to even 128),
            // t = 1 is white, and red never falls along the bar while green and blue never rise and fall.
            Assert.Equal(RgbaImage.Pack(128, 0, 0), m.Image[bar, 55]);
            Assert.Equal(RgbaImage.Pack(255, 255, 255), m.Image[bar + barW - 1, 55]);
            uint prev = m.Image[bar, 55];
            for (int x = bar + 1; x < bar + barW; x++)
            {
                uint c = m.Image[x, 55];
                foreach (int shift in new[] { 0, 8, 16 })
                    Assert.True(((c >> shift) & 0xff) >= ((prev >> shift) & 0xff), "the bar's colour channels only rise from left to right");
                prev = c;
            }
            // Values within 0..1 are a proportion (an overlap map's proportions).
            var prop = Float(40, 50, 30, Ras1, (i, j, k) => i >= 10 && i < 15 ? 0.25f * (i - 10) : 0f);
            Assert.Equal("Heat 0 to 1 = proportion", SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(prop) { Colormap = OverlayColormap.Heat } }, o).Info.Legend);
        }

        [Fact]
        public void ContinuousMapUsesTheHeatColormapOverItsRange()
        {
            var t1 = Float(10, 10, 1, Ras1, (i, j, k) => 0);
            // Map value = i / 8 on row j = 0: 0, 0.125 … 1.125.
            var map = Float(10, 10, 1, Ras1, (i, j, k) => j == 0 ? i / 8f : 0);
            var layer = new SnapshotLayer(map) { Colormap = OverlayColormap.Heat, Opacity = 1, RangeMin = 0.25, RangeMax = 1 };
            var r = SnapshotRenderer.Render(t1, new[] { layer }, new SnapshotOptions { Plane = SnapshotPlane.Axial, Labels = false, WindowMin = 0, WindowMax = 1 });
            int row = 9; // j = 0 is the bottom row
            Assert.False(RgbaImage.IsColoured(r.Image[0, row]));  // 0: not drawn
            Assert.False(RgbaImage.IsColoured(r.Image[1, row]));  // 0.125 < RangeMin: not drawn
            // 0.25 → t = 0: dark red (127.5 → 128, 0, 0); 0.625 (i = 5) → t = 0.5: (255, 127.5 → 128, 0); ≥ 1 → white.
            Assert.Equal(RgbaImage.Pack(128, 0, 0), r.Image[2, row]);
            Assert.Equal(RgbaImage.Pack(255, 128, 0), r.Image[5, row]);
            Assert.Equal(RgbaImage.Pack(255, 255, 255), r.Image[8, row]);
            Assert.Equal(RgbaImage.Pack(255, 255, 255), r.Image[9, row]);
        }

        [Fact]
        public void PngRoundTripsThroughSkiaSharp()
        {
            using (var tmp = new TempDir())
            {
                var t1 = Float(40, 50, 30, Ras1, Anatomy);
                var r = SnapshotRenderer.Render(t1, new[] { new SnapshotLayer(Mask(40, 50, 30, Ras1, Box)) }, new SnapshotOptions { Plane = SnapshotPlane.All });
                string path = tmp.File("snap.png");
                var info = SubjectSnapshot.Write(r, path);
                Assert.Equal(path, info.Path);
                var bytes = File.ReadAllBytes(path);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, new[] { bytes[0], bytes[1], bytes[2], bytes[3] });
                var back = PngCodec.Read(path);
                Assert.Equal(r.Image.Width, back.Width);
                Assert.Equal(r.Image.Pixels, back.Pixels);
                Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
            }
        }

        [Fact]
        public void PercentilesAreExactOnLargeSkewedData()
        {
            // 3 million values with heavy ties and a long tail, against a full sort with numpy's linear rule.
            var rnd = new Random(7);
            var v = new float[3000000];
            for (int i = 0; i < v.Length; i++)
                v[i] = i % 5 == 0 ? 0f : (float)Math.Round(Math.Exp(rnd.NextDouble() * 8) * 10) / 10f;
            v[17] = float.NaN;
            var sorted = Array.FindAll(v, x => x != 0 && !float.IsNaN(x));
            Array.Sort(sorted);
            var got = Percentile.OfNonZeroFinite(v, new[] { 0.0, 1, 37.5, 99, 100 });
            var sortedD = Array.ConvertAll(sorted, x => (double)x);
            Assert.Equal(Percentile.OfSorted(sortedD, sortedD.Length, 0), got[0], 9);
            Assert.Equal(Percentile.OfSorted(sortedD, sortedD.Length, 1), got[1], 9);
            Assert.Equal(Percentile.OfSorted(sortedD, sortedD.Length, 37.5), got[2], 9);
            Assert.Equal(Percentile.OfSorted(sortedD, sortedD.Length, 99), got[3], 9);
            Assert.Equal(Percentile.OfSorted(sortedD, sortedD.Length, 100), got[4], 9);
            Assert.Equal(sorted[sorted.Length - 1], got[4]);
        }

        [Fact]
        public void SlicePositionsPrintWithoutNegativeZero()
        {
            Assert.Equal("0", SnapshotInfo.FormatMm(-4.7e-6));
            Assert.Equal("-12", SnapshotInfo.FormatMm(-12.00001));
            Assert.Equal("3.5", SnapshotInfo.FormatMm(3.5));
            Assert.Equal("-0.1", SnapshotInfo.FormatMm(-0.06));
        }

        [Fact]
        public void ColoursParseByNameAndHex()
        {
            Assert.Equal(new RgbColor(255, 0, 0), RgbColor.Parse("Red"));
            Assert.Equal(new RgbColor(0x12, 0xAB, 0xEF), RgbColor.Parse("#12abef"));
            Assert.Throws<ArgumentException>(() => RgbColor.Parse("reddish"));
        }

        [Fact]
        public void FontGlyphsAreFiveBySeven()
        {
            foreach (char c in "LRAPSIxyz=-.0123456789")
            {
                Assert.True(BitmapFont.CanDraw(c), c.ToString());
                int ink = 0;
                for (int y = 0; y < 7; y++) for (int x = 0; x < 5; x++) if (BitmapFont.Ink(c, x, y)) ink++;
                Assert.True(ink > 0, c.ToString());
            }
        }
    }
}
