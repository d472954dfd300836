using System;
using System.Threading;
using Atlas.Core.Imaging;
using Atlas.Core.Lesions;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Lesions
{
    /// <summary>Ctrl+C (a cancelled token) stops the long lesion operations with OperationCanceledException.</summary>
    public class CancellationTests
    {
        [Fact]
        public void CancelledTokenStopsWork()
        {
            var cts = new CancellationTokenSource();
            cts.Cancel();
            foreach (var g in new[] { Grid.Create(8, 8, 8), Grid.Create(80, 80, 80) })
            {
                var m = new byte[g.VoxelCount];
                m[g.Index(4, 4, 4)] = 1;
                Assert.ThrowsAny<OperationCanceledException>(() => LesionSmoother.Smooth(m, g, 2, 0.5, EdgeCorrection.ZOnly, cts.Token));
                Assert.ThrowsAny<OperationCanceledException>(() => ConnectedComponents.Label(m, g, 26, 0, cts.Token));
                Assert.ThrowsAny<OperationCanceledException>(() => LesionMeasurer.Measure(AtlasVolume.FromMask(g, m), null, cts.Token));
            }
        }
    }
}
