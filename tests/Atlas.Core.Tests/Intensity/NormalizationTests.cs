using System;
using Atlas.Core.Intensity;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Intensity
{
    public class NormalizationTests
    {
        private static AtlasVolume Small(params float[] v) => AtlasVolume.FromFloat32(Grid.Create(v.Length, 1, 1), v);
        private static AtlasVolume Mask(params byte[] m) => AtlasVolume.FromMask(Grid.Create(m.Length, 1, 1), m);

        [Fact]
        public void ZScoreOfFourValues()
        {
            // 1, 2, 3, 4: mean 2.5, population sd √1.25; the 9 outside the mask is mapped but not counted.
            var r = IntensityNormalization.Normalize(Small(1, 2, 3, 4, 9), Mask(1, 1, 1, 1, 0), null, new NormalizationOptions { Method = NormalizationMethod.ZScore });
            double sd = Math.Sqrt(1.25);
            Assert.Equal(2.5, r.Offset, 12);
            Assert.Equal(sd, r.Scale, 12);
            var o = r.GetImage().ToFloat32();
            Assert.Equal((1 - 2.5) / sd, o[0], 5);
            Assert.Equal((4 - 2.5) / sd, o[3], 5);
            Assert.Equal((9 - 2.5) / sd, o[4], 5);
        }

        [Fact]
        public void PercentileScalingAsNumpy()
        {
            // numpy.percentile([1,2,3,4,10], 25) = 2, 75 → 4: OUT = (IN − 2) / 2. The lesion's 100 is left out.
            var r = IntensityNormalization.Normalize(Small(1, 2, 3, 4, 10, 100), Mask(1, 1, 1, 1, 1, 1), Mask(0, 0, 0, 0, 0, 1),
                new NormalizationOptions { Method = NormalizationMethod.Percentile, LowPercentile = 25, HighPercentile = 75 });
            Assert.Equal(2, r.LowValue, 12);
            Assert.Equal(4, r.HighValue, 12);
            Assert.Equal(5, r.StatisticsVoxels);
            var o = r.GetImage().ToFloat32();
            Assert.Equal(new float[] { -0.5f, 0, 0.5f, 1, 4, 49 }, o);
        }

        [Fact]
        public void WhiteMatterPeakIsTheModeOfTheBrightTissue()
        {
            // Grey matter around 60 (many voxels, wide), white matter around 100 (fewer, narrow): the peak is
            // white matter's, not the overall mode.
            var rng = new Random(2);
            int n = 30000;
            var v = new float[n];
            for (int i = 0; i < n; i++)
                v[i] = i < 18000 ? (float)(60 + 8 * N4Tests.Gauss(rng)) : (float)(100 + 3 * N4Tests.Gauss(rng));
            var img = AtlasVolume.FromFloat32(Grid.Create(n, 1, 1), v);
            var m = new byte[n];
            for (int i = 0; i < n; i++) m[i] = 1;
            var r = IntensityNormalization.Normalize(img, AtlasVolume.FromMask(img.Grid, m), null, new NormalizationOptions { Method = NormalizationMethod.WhiteMatterPeak });
            Assert.InRange(r.WhiteMatterPeak, 99.0, 101.0);
            Assert.InRange(r.BrightThreshold, 65.0, 95.0);
            Assert.Equal(0, r.Offset);
            Assert.Equal(v[0] / r.WhiteMatterPeak, r.GetImage().ToFloat32()[0], 5);
        }

        [Fact]
        public void SmoothingAHistogramKeepsItsMassAwayFromTheEnds()
        {
            var h = new double[21];
            h[10] = 1;
            var s = IntensityNormalization.Smooth(h, 1);
            Assert.Equal(1, s[10], 12);
            Assert.Equal(Math.Exp(-0.5), s[9], 12);
            Assert.Equal(Math.Exp(-2), s[12], 12);
        }

        [Fact]
        public void AConstantMaskIsAnErrorNamingTheImage()
        {
            var img = Small(5, 5, 5, 5);
            img.Path = "/data/flat_T1.nii.gz";
            var ex = Assert.Throws<GeometryException>(() =>
                IntensityNormalization.Normalize(img, Mask(1, 1, 1, 1), null, new NormalizationOptions { Method = NormalizationMethod.ZScore }));
            Assert.Contains("flat_T1", ex.Message);
        }
    }
}
