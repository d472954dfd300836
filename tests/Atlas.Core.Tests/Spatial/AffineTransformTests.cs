using System;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    public class AffineTransformTests
    {
        private static AffineTransform Translation(double x, double y, double z)
        {
            var m = AffineMath.Identity();
            m[0, 3] = x; m[1, 3] = y; m[2, 3] = z;
            return new AffineTransform(m);
        }

        [Fact]
        public void ApplyInverseAndComposeFollowTheirDefinitions()
        {
            // Scale x by 2, then translate by (1, 2, 3): (1,1,1) → (3, 3, 4).
            var m = AffineMath.Identity(); m[0, 0] = 2; m[0, 3] = 1; m[1, 3] = 2; m[2, 3] = 3;
            var t = new AffineTransform(m);
            Assert.Equal(new[] { 3.0, 3, 4 }, t.Apply(1, 1, 1));
            Assert.Equal(new[] { 1.0, 1, 1 }, t.Inverse().Apply(3, 3, 4));
            // Compose(a, b) is b after a: translate then rotate 90° about z vs the other way round.
            var rot = new AffineTransform(new double[,] { { 0, -1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
            Assert.Equal(new[] { 0.0, 2, 0 }, AffineTransform.Compose(Translation(1, 0, 0), rot).Apply(1, 0, 0));
            Assert.Equal(new[] { 1.0, 1, 0 }, AffineTransform.Compose(rot, Translation(1, 0, 0)).Apply(1, 0, 0));
            Assert.Equal(new[] { 1.0, 1, 0 }, rot.Then(Translation(1, 0, 0)).Apply(1, 0, 0));
            Assert.True(AffineTransform.Compose(t, t.Inverse()).IsIdentity(1e-12));
            Assert.True(AffineTransform.Identity.IsIdentity());
            Assert.Equal(-1.0, new AffineTransform(new double[,] { { -1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } }).Determinant);
        }

        [Fact]
        public void MatrixIsACopyAndTheTransformIsImmutable()
        {
            var t = Translation(1, 2, 3);
            var m = t.Matrix;
            m[0, 3] = 100;
            Assert.Equal(1.0, t.Matrix[0, 3]);
            Assert.Equal(1.0, t[0, 3]);
        }

        [Fact]
        public void SingularAndMalformedMatricesAreGeometryErrors()
        {
            var flat = AffineMath.Identity(); flat[2, 2] = 0; // z collapsed
            var t = new AffineTransform(flat);
            var e = Assert.Throws<GeometryException>(() => t.Inverse());
            Assert.Equal(GeometryErrorKind.SingularMatrix, e.Kind);
            var bad = AffineMath.Identity(); bad[3, 0] = 1;
            Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => new AffineTransform(bad)).Kind);
            var nan = AffineMath.Identity(); nan[1, 1] = double.NaN;
            Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => new AffineTransform(nan)).Kind);
            Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => new AffineTransform(new double[3, 3])).Kind);
        }
    }
}
