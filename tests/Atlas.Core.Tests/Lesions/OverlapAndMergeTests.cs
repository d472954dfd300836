using System;
using System.Collections.Generic;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    public class OverlapAndMergeTests
    {
        private static AtlasVolume Mask(Grid g, string path, params int[] on)
        {
            var m = new byte[g.VoxelCount];
            foreach (var i in on) m[i] = 1;
            var v = AtlasVolume.FromMask(g, m); v.Path = path; return v;
        }

        [Fact]
        public void CountsAndProportions()
        {
            var g = Grid.Create(4, 1, 1);
            var map = LesionOverlapMap.StartWith(Mask(g, "a", 0, 1));
            map.Add(Mask(g, "b", 1, 2));
            map.Add(Mask(g, "c", 1));
            Assert.Equal(3, map.MaskCount);
            Assert.Equal(new[] { 1, 3, 1, 0 }, map.Counts);
            var p = (float[])map.ToProportionVolume().Data;
            Assert.Equal(new[] { 1f / 3, 1f, 1f / 3, 0f }, p);
            var c = map.ToCountVolume();
            Assert.Equal(3.0, c.Header.IntentP1);
            Assert.Equal(new short[] { 1, 3, 1, 0 }, (short[])c.Data);
        }

        // The maps written piece by piece from the counts (never made whole) are, byte for byte, the files
        // written from the whole volumes, in every file kind; several gzip members in the .nii.gz; the voxels
        // read back are count/N computed here from the masks; a map past 32767 masks is stored as int32.
        [Theory]
        [InlineData(".nii.gz", false)]
        [InlineData(".nii", false)]
        [InlineData(".img.gz", false)]
        [InlineData(".nii.gz", true)]
        [InlineData(".hdr", true)]
        public void MapsWrittenPieceByPieceAreTheWholeMapsFiles(string ext, bool wide)
        {
            var g = Grid.Create(96, 96, 40); // 1.47 MB of float32: two members of 1 MiB
            var rnd = new Random(5);
            var expected = new int[g.VoxelCount];
            LesionOverlapMap map = null;
            for (int s = 0; s < 7; s++)
            {
                var m = new byte[g.VoxelCount];
                for (int i = 0; i < m.Length; i++) if (rnd.NextDouble() < 0.2) { m[i] = (byte)(1 + s); expected[i]++; }
                var v = AtlasVolume.FromMask(g, m); v.Path = "m" + s;
                if (map == null) map = LesionOverlapMap.StartWith(v); else map.Add(v);
            }
            long n = 7;
            if (wide)
            {
                // A partial map of 40,000 masks (counts of 1 at every 3rd voxel) makes N too large for int16.
                var h = AtlasVolume.MakeHeader(g, NiftiDataType.Int32);
                h.IntentName = LesionOverlapMap.CountIntentName; h.IntentP1 = 40000;
                var c = new int[g.VoxelCount];
                for (int i = 0; i < c.Length; i += 3) { c[i] = 1; expected[i]++; }
                map.Add(new AtlasVolume(h, c) { Path = "partial" });
                n += 40000;
            }
            using var t = new TempDir();
            string pieceP = t.File("p" + ext), wholeP = t.File("pw" + ext), pieceC = t.File("c" + ext), wholeC = t.File("cw" + ext);
            map.WriteProportionMap(pieceP);
            map.WriteCountMap(pieceC);
            NiftiWriter.Write(map.ToProportionVolume(), wholeP);
            NiftiWriter.Write(map.ToCountVolume(), wholeC);
            foreach (var (a, b) in new[] { (pieceP, wholeP), (pieceC, wholeC) })
            {
                NiftiFiles.PairTargets(a, out var ah, out var ai);
                NiftiFiles.PairTargets(b, out var bh, out var bi);
                if (ext == ".nii" || ext == ".nii.gz") { ai = a; bi = b; }
                else Assert.Equal(System.IO.File.ReadAllBytes(ah), System.IO.File.ReadAllBytes(bh));
                Assert.Equal(System.IO.File.ReadAllBytes(ai), System.IO.File.ReadAllBytes(bi));
            }
            var p = NiftiReader.Read(pieceP);
            var q = NiftiReader.Read(pieceC);
            Assert.Equal(wide ? NiftiDataType.Int32 : NiftiDataType.Int16, q.DataType);
            Assert.Equal((double)n, q.Header.IntentP1);
            var pv = (float[])p.Data;
            var qv = q.ToFloat64();
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal((float)(expected[i] / (double)n), pv[i]);
                Assert.Equal(expected[i], qv[i]);
            }
            if (ext == ".nii.gz") using (var fs = System.IO.File.OpenRead(pieceP)) Assert.Equal(3, GzipMembers.TryIndex(fs).Length); // header + two data members
        }

        // Shards written to disk as partial count maps and merged give exactly the one-pass maps.
        [Fact]
        public void ShardsMergeExactly()
        {
            var g = Grid.Create(7, 6, 5);
            var rnd = new Random(11);
            var masks = new List<AtlasVolume>();
            for (int s = 0; s < 13; s++)
            {
                var m = new byte[g.VoxelCount];
                for (int i = 0; i < m.Length; i++) m[i] = rnd.NextDouble() < 0.3 ? (byte)1 : (byte)0;
                var v = AtlasVolume.FromMask(g, m); v.Path = "m" + s; masks.Add(v);
            }
            var one = LesionOverlapMap.StartWith(masks[0]);
            for (int s = 1; s < masks.Count; s++) one.Add(masks[s]);

            using var t = new TempDir();
            var parts = new List<string>();
            foreach (var range in new[] { (0, 5), (5, 6), (6, 13) })
            {
                var shard = LesionOverlapMap.StartWith(masks[range.Item1]);
                for (int s = range.Item1 + 1; s < range.Item2; s++) shard.Add(masks[s]);
                string f = t.File("part" + range.Item1 + ".nii.gz");
                NiftiWriter.Write(shard.ToCountVolume(), f);
                parts.Add(f);
            }
            var merged = LesionOverlapMap.StartWith(NiftiReader.Read(parts[0]));
            merged.Add(NiftiReader.Read(parts[1]));   // Add recognises a count map
            merged.AddPartial(NiftiReader.Read(parts[2]));
            Assert.Equal(13, merged.MaskCount);
            Assert.Equal(one.Counts, merged.Counts);
            Assert.Equal((float[])one.ToProportionVolume().Data, (float[])merged.ToProportionVolume().Data);
            int independent = 0;
            foreach (var m in masks) independent += m.ToMask()[17];
            Assert.Equal(independent, merged.Counts[17]);
        }

        [Fact]
        public void OtherGridIsAnErrorNamingTheMask()
        {
            var map = LesionOverlapMap.StartWith(Mask(Grid.Create(4, 4, 4), "/d/first.nii.gz", 1));
            var ex = Assert.Throws<GeometryException>(() => map.Add(Mask(Grid.Create(4, 4, 4, 2, 2, 2), "/d/other.nii.gz", 1)));
            Assert.Equal(GeometryErrorKind.GridMismatch, ex.Kind);
            Assert.Equal("/d/other.nii.gz", ex.FilePath);
            Assert.Contains("/d/first.nii.gz", ex.Message);
        }

        [Fact]
        public void MergeUnionAndLabelMap()
        {
            var g = Grid.Create(5, 1, 1);
            var a = Mask(g, "a", 0, 1); var b = Mask(g, "b", 1, 2); var c = Mask(g, "c", 4);
            var u = LesionMasks.Merge(new[] { a, b, c });
            Assert.Equal(new byte[] { 1, 1, 1, 0, 1 }, (byte[])u.Data);
            var l = LesionMasks.Merge(new[] { a, b, c }, asLabelMap: true);
            Assert.Equal(NiftiDataType.UInt8, l.DataType);
            Assert.Equal(new byte[] { 1, 1, 2, 0, 3 }, (byte[])l.Data); // voxel 1: the first (primary) mask wins
            var bad = Mask(Grid.Create(6, 1, 1), "/z/bad.voi", 0);
            var ex = Assert.Throws<GeometryException>(() => LesionMasks.Merge(new[] { a, bad }));
            Assert.Contains("/z/bad.voi", ex.Message);
        }

        [Theory]
        [InlineData("/d/c0001s0001t01_LesionRaw_1.voi", "c0001s0001t01_LesionSmooth_1.nii.gz")]
        [InlineData("c0001s0001t01_LesionRaw.voi", "c0001s0001t01_LesionSmooth.nii.gz")]
        [InlineData("mask.nii.gz", "mask_smooth.nii.gz")]
        public void SmoothNames(string raw, string expected) => Assert.Equal(expected, LesionMasks.SmoothFileName(raw));

        [Fact]
        public void ComponentNames()
        {
            Assert.Equal("x_LesionSmooth.nii.gz", LesionMasks.ComponentFileName("x_LesionSmooth", 1));
            Assert.Equal("x_LesionSmooth_1.nii.gz", LesionMasks.ComponentFileName("x_LesionSmooth", 2));
            Assert.Equal("x_LesionSmooth_2.nii.gz", LesionMasks.ComponentFileName("x_LesionSmooth", 3));
        }
    }
}
