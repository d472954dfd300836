using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Atlas.Core.Tests.Spatial
{
    /// <summary>ch2 (mricron-data) at 2 mm and its brain, loaded once for the registration tests.</summary>
    public sealed class Ch2Fixture
    {
        public Ch2Fixture()
        {
            if (!Peers.HasMricronData) return;
            var head = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "ch2.nii.gz"));
            var bet = NiftiReader.Read(Path.Combine(Peers.MricronTemplates, "ch2bet.nii.gz"));
            Fixed = SyntheticMove.Downsample(head, 2);
            var brainVoxels = AtlasVolume.FromMask(bet.Grid, bet.ToMask());
            Brain = SyntheticMove.Downsample(brainVoxels, 2, majority: true);
            FixedData = Fixed.ToFloat32();
            BrainMask = Brain.ToMask();
            Centre = AffineRegistration.CentreOfMass(null, Brain.Grid, BrainMask);
        }

        public AtlasVolume Fixed { get; }
        public AtlasVolume Brain { get; }
        public float[] FixedData { get; }
        public byte[] BrainMask { get; }
        public double[] Centre { get; }

        /// <summary>The template moved by <paramref name="truth"/> onto a grid, with bias and noise (and a lesion ball when a radius is given).</summary>
        public (AtlasVolume moving, AtlasVolume lesion) Case(double[,] truth, double[] voxelMm, int[] axes, bool[] flip,
            double bias = 0.3, double noise = 3, double lesionRadiusMm = 0, double[] lesionAtTemplateMm = null)
        {
            var g = SyntheticMove.MovedGrid(FixedData, Fixed.Grid, truth, voxelMm, axes, flip, threshold: 5);
            var data = SyntheticMove.Move(FixedData, Fixed.Grid, truth, g);
            AtlasVolume lesion = null;
            if (lesionRadiusMm > 0)
            {
                var c = lesionAtTemplateMm;
                var cm = new double[3];
                for (int r = 0; r < 3; r++) cm[r] = truth[r, 0] * c[0] + truth[r, 1] * c[1] + truth[r, 2] * c[2] + truth[r, 3];
                var ball = SyntheticMove.Ball(g, cm, lesionRadiusMm);
                lesion = AtlasVolume.FromMask(g, SyntheticMove.PaintLesion(data, ball, 25f));
            }
            if (bias > 0) SyntheticMove.ApplyBias(data, g, bias);
            if (noise > 0) SyntheticMove.AddRicianNoise(data, noise, 7);
            return (AtlasVolume.FromFloat32(g, data), lesion);
        }
    }

    public class RegistrationTests : IClassFixture<Ch2Fixture>
    {
        private readonly Ch2Fixture _ch2;
        private readonly ITestOutputHelper _out;

        public RegistrationTests(Ch2Fixture ch2, ITestOutputHelper output) { _ch2 = ch2; _out = output; }

        private static readonly int[] Xyz = { 0, 1, 2 };
        private static readonly bool[] NoFlip = { false, false, false };

        private double Run(double[,] truth, AtlasVolume moving, AtlasVolume lesion, RegistrationOptions o, out RegistrationResult r)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            r = AffineRegistration.Register(moving, _ch2.Fixed, _ch2.Brain, lesion, o);
            double rms = SyntheticMove.RmsErrorMm(r.FixedToMovingRas, truth, _ch2.Fixed.Grid, _ch2.BrainMask);
            _out.WriteLine($"rms {rms:F3} mm cost {r.FinalCost:F4} eta2 {r.CorrelationRatio:F3} overlap {r.BrainOverlap:F3} det {r.Determinant:F3} " +
                $"verdict {r.Verdict} {r.VerdictReason} it {r.Iterations} ev {r.Evaluations} init {string.Join(",", r.InitialRotationDegrees ?? new double[0])} {sw.ElapsedMilliseconds} ms");
            return rms;
        }

        [SkippableTheory]
        [InlineData(12, "CorrelationRatio")]
        [InlineData(12, "MutualInformation")]
        [InlineData(12, "NormalizedCorrelation")]
        [InlineData(9, "CorrelationRatio")]
        public void RecoversAKnownAffineOnAnLasGrid(int dof, string cost)
        {
            Skip.If(!Peers.HasMricronData, "mricron-data (ch2.nii.gz) not installed");
            double[] scales = dof >= 9 ? new[] { 1.06, 0.94, 1.03 } : null;
            double[] shears = dof == 12 ? new[] { 0.04, -0.03, 0.02 } : null;
            var truth = SyntheticMove.Affine(new[] { 12.0, -18, 25 }, new[] { 14.0, -9, 11 }, scales, shears, _ch2.Centre);
            var (moving, _) = _ch2.Case(truth, new[] { 2.2, 2.2, 2.4 }, Xyz, new[] { true, false, false });
            double rms = Run(truth, moving, null, new RegistrationOptions { Dof = dof, Cost = (RegistrationCost)Enum.Parse(typeof(RegistrationCost), cost) }, out var r);
            Assert.True(rms < 0.5, "RMS " + rms);
            Assert.Equal(RegistrationVerdict.Good, r.Verdict);
        }
    }
}
