using System;
using System.IO;
using Atlas.Core.Lesions;
using Atlas.Core.Metrics;
using Atlas.Core.Nifti;
using Atlas.Core.Tests.Metrics;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Nifti
{
    /// <summary>
    /// The buffer pool behind the batch readers: an array comes back only after it was returned,
    /// reads into a reused array hold exactly the file's voxels (never the previous image's), and a
    /// returned volume cannot be used by mistake.
    /// </summary>
    public class VoxelBufferPoolTests
    {
        [Fact]
        public void RentGivesBackOnlyReturnedArraysOfTheSameTypeAndLength()
        {
            var pool = new VoxelBufferPool();
            var a = pool.Rent(typeof(float), 5000);
            Assert.IsType<float[]>(a);
            Assert.Equal(5000, a.Length);
            var b = pool.Rent(typeof(float), 5000);
            Assert.NotSame(a, b);                            // a is still rented
            pool.Return(a);
            Assert.Equal(20000, pool.HeldBytes);
            Assert.NotSame(a, pool.Rent(typeof(float), 4999)); // another length
            Assert.NotSame(a, pool.Rent(typeof(int), 5000));   // another type, same bytes
            Assert.Same(a, pool.Rent(typeof(float), 5000));
            Assert.Equal(0, pool.HeldBytes);
            Assert.Equal(1, pool.Reused);
        }

        [Fact]
        public void ReturningTwiceKeepsOneCopy()
        {
            var pool = new VoxelBufferPool();
            var a = pool.RentBytes(100);
            pool.Return(a);
            pool.Return(a);
            Assert.Equal(100, pool.HeldBytes);
            Assert.Same(a, pool.RentBytes(100));
            Assert.NotSame(a, pool.RentBytes(100));
        }

        [Fact]
        public void HoldsNoMoreThanItsLimits()
        {
            var pool = new VoxelBufferPool(maxBytes: 250);
            pool.Return(new byte[100]);
            pool.Return(new byte[100]);
            pool.Return(new byte[100]); // would make 300 > 250
            Assert.Equal(200, pool.HeldBytes);

            var many = new VoxelBufferPool();
            for (int i = 0; i < VoxelBufferPool.MaxPerSize + 3; i++) many.Return(new short[10]);
            Assert.Equal(VoxelBufferPool.MaxPerSize * 20, many.HeldBytes);
            many.Clear();
            Assert.Equal(0, many.HeldBytes);
        }

        [Fact]
        public void AWeakPoolReusesWhatIsStillAliveAndKeepsOneCopy()
        {
            var pool = new VoxelBufferPool(1 << 20, weak: true);
            var a = new short[500];
            pool.Return(a);
            pool.Return(a);                                  // returned twice: held once
            Assert.Equal(1000, pool.HeldBytes);
            Assert.Same(a, pool.Rent(typeof(short), 500));
            Assert.Equal(1, pool.Reused);
            Assert.Equal(0, pool.HeldBytes);
            Assert.NotSame(a, pool.Rent(typeof(short), 500)); // a is rented again: a new array
        }

        [Fact]
        public void AWeakPoolLetsTheCollectorTakeItsArrays()
        {
            var pool = new VoxelBufferPool(1 << 20, weak: true);
            ReturnNewArray(pool);
            Assert.Equal(4000, pool.HeldBytes);
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var fresh = pool.Rent(typeof(float), 1000);    // the held array was collected: a new one
            Assert.Equal(1000, fresh.Length);
            Assert.Equal(0, pool.Reused);
            Assert.Equal(0, pool.HeldBytes);
            Assert.True(VoxelBufferPool.Shared.Weak);       // the cmdlets' process-wide pool keeps nothing alive
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void ReturnNewArray(VoxelBufferPool pool) => pool.Return(new float[1000]);

        [Fact]
        public void AReturnedVolumeCannotBeUsed()
        {
            var pool = new VoxelBufferPool();
            var v = AtlasVolume.FromMask(Grid.Create(3, 3, 3), new byte[27]);
            v.Path = "/data/mask.nii.gz";
            pool.Return(v);
            Assert.False(v.HasData);
            var e = Assert.Throws<InvalidOperationException>(() => v.GetValue(0, 0, 0));
            Assert.Contains("mask.nii.gz", e.Message);
            Assert.Contains("pool", e.Message);
            Assert.Equal(27, pool.HeldBytes);
        }

        [Fact]
        public void PooledReadsHoldEachFilesOwnVoxels()
        {
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(20, 18, 16, 1, 1, 1);
                // Two masks of one size that differ everywhere they overlap, and a big-endian int16 image
                // of the same voxel count, so a reused array must be overwritten completely (and swapped).
                var m1 = MetricShapes.Ball(g, 6, 6, 6, 4);
                var m2 = MetricShapes.Box(g, 8, 15, 4, 12, 3, 10);
                NiftiWriter.Write(AtlasVolume.FromMask(g, m1), tmp.File("m1.nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromMask(g, m2), tmp.File("m2.nii"));
                var pool = new VoxelBufferPool();
                var options = new NiftiReadOptions { Pool = pool };

                var v1 = NiftiReader.Read(tmp.File("m1.nii.gz"), options);
                Assert.Equal(m1, (byte[])v1.Data);
                var first = v1.Data;
                pool.Return(v1);
                var v2 = NiftiReader.Read(tmp.File("m2.nii"), options);
                Assert.Same(first, v2.Data);               // the same memory, reused
                Assert.Equal(m2, (byte[])v2.Data);         // holding only the second file's voxels
                Assert.Equal(1, pool.Reused);

                // Without the pool the reader allocates as before.
                Assert.NotSame(first, NiftiReader.Read(tmp.File("m2.nii")).Data);
            }
        }

        [Fact]
        public void AFailedPooledReadGivesItsArrayBack()
        {
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(30, 30, 30);
                var data = new float[g.VoxelCount];
                for (int i = 0; i < data.Length; i++) data[i] = i % 977;
                NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), tmp.File("f.nii"));
                var bytes = File.ReadAllBytes(tmp.File("f.nii"));
                File.WriteAllBytes(tmp.File("cut.nii"), bytes.AsSpan(0, bytes.Length - 1000).ToArray());
                var pool = new VoxelBufferPool();
                var e = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(tmp.File("cut.nii"), new NiftiReadOptions { Pool = pool }));
                Assert.Equal(NiftiErrorKind.SizeMismatch, e.Kind);
                Assert.Equal(0L, pool.HeldBytes); // a plain file too short for its header fails before an array is taken
                // A cut gzip is found short only while inflating, after the array was taken from the pool.
                NiftiWriter.Write(AtlasVolume.FromFloat32(g, data), tmp.File("f.nii.gz"));
                var gz = File.ReadAllBytes(tmp.File("f.nii.gz"));
                File.WriteAllBytes(tmp.File("cut.nii.gz"), gz.AsSpan(0, gz.Length / 2).ToArray());
                e = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(tmp.File("cut.nii.gz"), new NiftiReadOptions { Pool = pool }));
                Assert.Equal(NiftiErrorKind.Truncated, e.Kind);
                Assert.Equal(4L * g.VoxelCount, pool.HeldBytes); // the float array came back
                var v = NiftiReader.Read(tmp.File("f.nii"), new NiftiReadOptions { Pool = pool });
                Assert.Equal(1, pool.Reused);
                Assert.Equal(data, (float[])v.Data);
            }
        }

        [Fact]
        public void PooledMetricsEqualUnpooledAndReuseTheirArrays()
        {
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(24, 24, 24, 1, 1.2, 1.5);
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Ball(g, 10, 10, 10, 6)), tmp.File("r1.nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Ball(g, 12, 10, 11, 5)), tmp.File("c1.nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Box(g, 3, 9, 3, 9, 3, 9)), tmp.File("r2.nii.gz"));
                NiftiWriter.Write(AtlasVolume.FromMask(g, MetricShapes.Box(g, 4, 10, 3, 8, 2, 9)), tmp.File("c2.nii.gz"));
                var pool = new VoxelBufferPool();
                foreach (var n in new[] { "1", "2", "1" })
                {
                    var plain = OverlapMetrics.Compute(tmp.File("r" + n + ".nii.gz"), tmp.File("c" + n + ".nii.gz"));
                    var pooled = OverlapMetrics.Compute(tmp.File("r" + n + ".nii.gz"), tmp.File("c" + n + ".nii.gz"), pool: pool);
                    Assert.Equal(plain.Dice, pooled.Dice, 15);
                    Assert.Equal(plain.HausdorffMm, pooled.HausdorffMm, 15);
                    Assert.Equal(plain.Hausdorff95Mm, pooled.Hausdorff95Mm, 15);
                    Assert.Equal(plain.AverageSurfaceDistanceMm, pooled.AverageSurfaceDistanceMm, 15);
                    Assert.Equal(plain.ReferenceVoxels, pooled.ReferenceVoxels);
                    Assert.Equal(plain.CandidatePath, pooled.CandidatePath);
                }
                // Byte masks are read one after the other, each copied out as its box before the next read: the first
                // pair makes one voxel array and reads its candidate into it again, each later pair takes it twice.
                Assert.Equal(5, pool.Reused);
                Assert.Equal(g.VoxelCount, pool.HeldBytes); // one image-sized array in all
            }
        }

        [Fact]
        public void Byte_masks_binarised_in_place_give_the_metrics_of_the_volumes()
        {
            // Values 255 and 7 (not 0/1) in byte masks read from files: the file path binarises the read arrays in
            // place; the volume path binarises into new arrays. Same voxels, same metrics.
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(24, 24, 24, 1, 1.2, 1.5);
                var r = MetricShapes.Ball(g, 10, 10, 10, 6);
                var c = MetricShapes.Ball(g, 12, 10, 11, 5);
                for (int i = 0; i < r.Length; i++) { r[i] = (byte)(r[i] * 255); c[i] = (byte)(c[i] * 7); }
                var rv = AtlasVolume.FromArray(g, r, NiftiDataType.UInt8);
                var cv = AtlasVolume.FromArray(g, c, NiftiDataType.UInt8);
                NiftiWriter.Write(rv, tmp.File("r.nii.gz"));
                NiftiWriter.Write(cv, tmp.File("c.nii.gz"));
                var fromFiles = OverlapMetrics.Compute(tmp.File("r.nii.gz"), tmp.File("c.nii.gz"), pool: new VoxelBufferPool());
                var fromVolumes = OverlapMetrics.Compute(NiftiReader.Read(tmp.File("r.nii.gz")), NiftiReader.Read(tmp.File("c.nii.gz"))); // same float32 spacing
                Assert.Equal(fromVolumes.Dice, fromFiles.Dice, 15);
                Assert.Equal(fromVolumes.HausdorffMm, fromFiles.HausdorffMm, 15);
                Assert.Equal(fromVolumes.AverageSurfaceDistanceMm, fromFiles.AverageSurfaceDistanceMm, 15);
                Assert.Equal(fromVolumes.ReferenceVoxels, fromFiles.ReferenceVoxels);
                Assert.Equal(fromVolumes.CandidateVoxels, fromFiles.CandidateVoxels);
                Assert.True(fromFiles.Dice > 0.3 && fromFiles.Dice < 1);
                Assert.Contains((byte)255, r); // the volumes' own arrays are not binarised
            }
        }

        // The file-pair path reads byte masks one after the other and keeps only each mask's binarised bounding box;
        // every metric it gives equals, bit for bit, the whole-grid computation on the same two volumes: lesions in
        // the interior, against the image's faces, far apart (a union box spanning the image), several components,
        // either or both masks empty, values other than 1, and a float32 candidate (compared whole).
        [Theory]
        [InlineData("interior")]
        [InlineData("faces")]
        [InlineData("apart")]
        [InlineData("components")]
        [InlineData("reference empty")]
        [InlineData("candidate empty")]
        [InlineData("both empty")]
        [InlineData("float candidate")]
        public void File_pairs_read_as_boxes_give_the_whole_grid_metrics(string layout)
        {
            using (var tmp = new TempDir())
            {
                var g = Grid.Create(40, 36, 30, 0.9, 1.1, 1.4);
                byte[] r = new byte[g.VoxelCount], c = new byte[g.VoxelCount];
                void Or(byte[] dst, byte[] ball, byte value) { for (int i = 0; i < dst.Length; i++) if (ball[i] != 0) dst[i] = value; }
                switch (layout)
                {
                    case "interior": Or(r, MetricShapes.Ball(g, 18, 17, 14, 6), 1); Or(c, MetricShapes.Ball(g, 20, 16, 15, 5), 255); break;
                    case "faces": Or(r, MetricShapes.Ball(g, 0, 35, 0, 5), 1); Or(c, MetricShapes.Ball(g, 2, 33, 1, 4), 7); break;
                    case "apart": Or(r, MetricShapes.Ball(g, 3, 3, 3, 3), 1); Or(c, MetricShapes.Ball(g, 36, 32, 26, 3), 1); break;
                    case "components":
                        Or(r, MetricShapes.Ball(g, 8, 8, 8, 3), 1); Or(r, MetricShapes.Ball(g, 30, 25, 20, 4), 1);
                        Or(c, MetricShapes.Ball(g, 9, 8, 8, 3), 1); Or(c, MetricShapes.Ball(g, 20, 20, 10, 2), 1); break;
                    case "reference empty": Or(c, MetricShapes.Ball(g, 20, 16, 15, 5), 1); break;
                    case "candidate empty": Or(r, MetricShapes.Ball(g, 20, 16, 15, 5), 1); break;
                    case "both empty": break;
                    case "float candidate": Or(r, MetricShapes.Ball(g, 18, 17, 14, 6), 1); Or(c, MetricShapes.Ball(g, 20, 16, 15, 5), 1); break;
                }
                NiftiWriter.Write(AtlasVolume.FromArray(g, r, NiftiDataType.UInt8), tmp.File("r.voi"));
                var cv = AtlasVolume.FromArray(g, c, NiftiDataType.UInt8);
                NiftiWriter.Write(cv, tmp.File("c.nii.gz"), layout == "float candidate" ? new NiftiWriteOptions { DataType = NiftiDataType.Float32 } : null);
                var pool = new VoxelBufferPool();
                var fromFiles = OverlapMetrics.Compute(tmp.File("r.voi"), tmp.File("c.nii.gz"), pool: pool);
                var whole = OverlapMetrics.Compute(NiftiReader.Read(tmp.File("r.voi")), NiftiReader.Read(tmp.File("c.nii.gz")));
                foreach (var p in typeof(LesionOverlap).GetProperties())
                    Assert.True(Equals(p.GetValue(whole), p.GetValue(fromFiles)), layout + ": " + p.Name + " " + p.GetValue(whole) + " vs " + p.GetValue(fromFiles));
                if (layout == "interior") Assert.True(whole.Dice > 0.3 && whole.Dice < 1 && whole.HausdorffMm > 0);
                if (layout == "apart") Assert.True(whole.HausdorffMm > 30);
                if (layout == "components") Assert.Equal(2.0, whole.ReferenceLesions);
            }
        }

        [Fact]
        public void OverlapMapCountsEachAddedVolume()
        {
            // The map binarises into one reused scratch array; counts must still be per mask.
            var g = Grid.Create(5, 4, 3);
            var map = new LesionOverlapMap(g);
            var a = new byte[60]; a[0] = 1; a[7] = 3;
            var b = new byte[60]; b[7] = 1; b[59] = 200;
            var c = new float[60]; c[0] = -0.5f; c[1] = float.NaN;
            map.Add(AtlasVolume.FromMask(g, a));
            map.Add(AtlasVolume.FromMask(g, b));
            map.Add(AtlasVolume.FromFloat32(g, c));
            Assert.Equal(3, map.MaskCount);
            Assert.Equal(2, map.Counts[0]);  // a and c (non-zero, negative counts)
            Assert.Equal(0, map.Counts[1]);  // NaN is not lesion
            Assert.Equal(2, map.Counts[7]);
            Assert.Equal(1, map.Counts[59]);
            Assert.Equal(5, SumOf(map.Counts));
        }

        private static long SumOf(int[] a) { long s = 0; foreach (var x in a) s += x; return s; }
    }
}
