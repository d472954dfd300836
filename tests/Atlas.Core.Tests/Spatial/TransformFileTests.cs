using System;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Spatial
{
    public class TransformFileTests
    {
        private static void AssertPoint(double[] expected, double[] actual, double tol = 1e-9)
        {
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, "coordinate " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }

        private static void AssertSame(AffineTransform expected, AffineTransform actual, double tol)
        {
            double d = expected.MaxDifference(actual);
            Assert.True(d <= tol, "matrices differ by " + d + "\nexpected\n" + expected.ToMatrixText() + "actual\n" + actual.ToMatrixText());
        }

        /// <summary>A 1.1 mm LAS grid with a small rotation, and a 1.5x1.5x2 mm RAS grid with a shear: the two images a FLIRT matrix relates.</summary>
        private static Grid FixedGrid() => new Grid(40, 44, 36, null, AffineMath.Multiply(SpatialTestData.Rotation(0.05, 0, -0.08),
            SpatialTestData.Affine(new[] { -1.1, 0, 0, 0, 1.1, 0, 0, 0, 1.1 }, 22, -24, -18)));
        private static Grid MovingGrid() => new Grid(30, 32, 20, null, SpatialTestData.Affine(new[] { 1.5, 0.1, 0, 0, 1.5, 0, 0, 0.05, 2 }, -20, -25, -21));

        [Fact]
        public void ItkTextWithACentreIsReadAsTheHandWorkedMap()
        {
            using (var tmp = new TempDir())
            {
                // LPS: p' = A(p - c) + t + c with A a 90° turn about z, c = (1,2,3), t = (10,20,30).
                string f = tmp.File("t.txt");
                File.WriteAllText(f, "#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 0 -1 0 1 0 0 0 0 1 10 20 30\nFixedParameters: 1 2 3\n");
                var t = TransformFiles.Read(f);
                // RAS (-1,-2,3) is LPS c → LPS t + c = (11,22,33) → RAS (-11,-22,33).
                AssertPoint(new[] { -11.0, -22, 33 }, t.Apply(-1, -2, 3));
                // RAS (-2,-2,3) = LPS c + (1,0,0) → A·(1,0,0) = (0,1,0) → LPS (11,23,33) → RAS (-11,-23,33).
                AssertPoint(new[] { -11.0, -23, 33 }, t.Apply(-2, -2, 3));
                Assert.Equal(f, t.Source);
            }
        }

        [Fact]
        public void ElastixEulerAndCompositionAreReadAsElastixDefinesThem()
        {
            using (var tmp = new TempDir())
            {
                // A 90° turn about z (LPS (x,y,z) → (-y,x,z)): RAS (1,0,0) = LPS (-1,0,0) → LPS (0,-1,0) = RAS (0,1,0).
                string e0 = tmp.File("TransformParameters.0.txt");
                File.WriteAllText(e0, "// elastix\n(Transform \"EulerTransform\")\n(NumberOfParameters 6)\n(TransformParameters 0 0 " + (Math.PI / 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " 0 0 0)\n(InitialTransformParametersFileName \"NoInitialTransform\")\n(CenterOfRotationPoint 0 0 0)\n(FixedImageDimension 3)\n");
                var t0 = TransformFiles.Read(e0);
                AssertPoint(new[] { 0.0, 1, 0 }, t0.Apply(1, 0, 0), 1e-12);
                // A translation whose initial transform is that turn: Compose means T(x) = T1(T0(x)).
                string e1 = tmp.File("TransformParameters.1.txt");
                File.WriteAllText(e1, "(Transform \"TranslationTransform\")\n(NumberOfParameters 3)\n(TransformParameters 5 0 0)\n(InitialTransformParametersFileName \"TransformParameters.0.txt\")\n(HowToCombineTransforms \"Compose\")\n");
                // RAS (1,0,0) → RAS (0,1,0) → LPS (0,-1,0) + (5,0,0) = LPS (5,-1,0) → RAS (-5,1,0).
                AssertPoint(new[] { -5.0, 1, 0 }, TransformFiles.Read(e1).Apply(1, 0, 0), 1e-12);
            }
        }

        [Fact]
        public void FslMatrixFollowsFlirtsScaledVoxelConvention()
        {
            using (var tmp = new TempDir())
            {
                // 10 mm cube of 1 mm voxels. RAS storage (det > 0): FSL x = 9 - i. A FLIRT shift of +2 along
                // FSL x (input → reference) means reference voxel 0 (FSL x 9) comes from input FSL x 7 = voxel 2.
                string f = tmp.File("flirt.mat");
                File.WriteAllText(f, "1 0 0 2\n0 1 0 0\n0 0 1 0\n0 0 0 1\n");
                var ras = Grid.Create(10, 10, 10);
                AssertPoint(new[] { 2.0, 0, 0 }, TransformFiles.Read(f, TransformFormat.Auto, ras, ras).Apply(0, 0, 0));
                // LAS storage of the same world (x = 9 - i): no flip in FSL coordinates, the same world map.
                var las = new Grid(10, 10, 10, null, SpatialTestData.Affine(new[] { -1.0, 0, 0, 0, 1, 0, 0, 0, 1 }, 9, 0, 0));
                AssertPoint(new[] { 2.0, 0, 0 }, TransformFiles.Read(f, TransformFormat.Fsl, las, las).Apply(0, 0, 0));
            }
        }

        [Theory]
        [InlineData("t.txt", TransformFormat.Auto)]
        [InlineData("t.tfm", TransformFormat.Itk)]
        [InlineData("ants0GenericAffine.mat", TransformFormat.Itk)]
        [InlineData("TransformParameters.0.txt", TransformFormat.Elastix)]
        [InlineData("flirt.mat", TransformFormat.Auto)]
        [InlineData("ras.txt", TransformFormat.RasMatrix)]
        public void EveryFormatRoundTrips(string name, TransformFormat format)
        {
            using (var tmp = new TempDir())
            {
                var t = SpatialTestData.Messy();
                string f = tmp.File(name);
                TransformFiles.Write(f, t, format, FixedGrid(), MovingGrid());
                var back = TransformFiles.Read(f, TransformFormat.Auto, FixedGrid(), MovingGrid());
                AssertSame(t, back, 1e-9);
                Assert.Empty(Directory.GetFiles(tmp.Path, ".*")); // no temporary left behind
            }
        }

        [Fact]
        public void ContentDecidesTheFormatOnRead()
        {
            using (var tmp = new TempDir())
            {
                var t = SpatialTestData.Messy();
                string itkMat = tmp.File("a.mat"), ras = tmp.File("b.txt"), elx = tmp.File("c.txt");
                TransformFiles.Write(itkMat, t, TransformFormat.Itk); // ANTs binary .mat, not FSL text
                TransformFiles.Write(ras, t, TransformFormat.RasMatrix);
                TransformFiles.Write(elx, t, TransformFormat.Elastix, FixedGrid());
                Assert.Equal(TransformFormat.Itk, TransformFiles.Detect(itkMat, File.ReadAllBytes(itkMat)));
                Assert.Equal(TransformFormat.RasMatrix, TransformFiles.Detect(ras, File.ReadAllBytes(ras)));
                Assert.Equal(TransformFormat.Elastix, TransformFiles.Detect(elx, File.ReadAllBytes(elx)));
                AssertSame(t, TransformFiles.Read(itkMat), 1e-12);
                AssertSame(t, TransformFiles.Read(ras), 0);
            }
        }

        [Fact]
        public void ItkCompositeOfRigidAndAffineAppliesTheLastListedFirst()
        {
            using (var tmp = new TempDir())
            {
                string f = tmp.File("composite.txt");
                // Translation then (listed first, applied last) a 90° turn about z, both in LPS.
                File.WriteAllText(f, "#Insight Transform File V1.0\n#Transform 0\nTransform: CompositeTransform_double_3_3\n"
                    + "#Transform 1\nTransform: AffineTransform_double_3_3\nParameters: 0 -1 0 1 0 0 0 0 1 0 0 0\nFixedParameters: 0 0 0\n"
                    + "#Transform 2\nTransform: TranslationTransform_double_3_3\nParameters: 1 0 0\nFixedParameters:\n");
                // RAS (0,0,0) = LPS 0 → +(1,0,0) → turn → LPS (0,1,0) → RAS (0,-1,0).
                AssertPoint(new[] { 0.0, -1, 0 }, TransformFiles.Read(f).Apply(0, 0, 0));
            }
        }

        [Fact]
        public void BadFilesGiveGeometryErrorsNamingTheFile()
        {
            using (var tmp = new TempDir())
            {
                string text = tmp.File("notes.txt"); File.WriteAllText(text, "this is not a transform\n");
                var e = Assert.Throws<GeometryException>(() => TransformFiles.Read(text));
                Assert.Equal(GeometryErrorKind.BadTransform, e.Kind);
                Assert.Equal(text, e.FilePath);
                Assert.Contains(text, e.Message);

                string nii = tmp.File("image.nii");
                NiftiWriter.Write(AtlasVolume.FromMask(Grid.Create(4, 4, 4), new byte[64]), nii);
                Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => TransformFiles.Read(nii)).Kind);
                Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => TransformFiles.Read(nii, TransformFormat.Fsl, Grid.Create(4, 4, 4), Grid.Create(4, 4, 4))).Kind);

                string shortItk = tmp.File("short.txt");
                File.WriteAllText(shortItk, "#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0\nFixedParameters: 0 0 0\n");
                Assert.Contains("needs 12 parameters", Assert.Throws<GeometryException>(() => TransformFiles.Read(shortItk)).Message);

                string bspline = tmp.File("warp.txt");
                File.WriteAllText(bspline, "#Insight Transform File V1.0\nTransform: BSplineTransform_double_3_3\nParameters: 0 0 0\nFixedParameters: 0 0 0\n");
                Assert.Contains("not an affine transform", Assert.Throws<GeometryException>(() => TransformFiles.Read(bspline)).Message);

                string fsl = tmp.File("flirt.mat"); File.WriteAllText(fsl, "1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n");
                var needs = Assert.Throws<GeometryException>(() => TransformFiles.Read(fsl));
                Assert.Equal(GeometryErrorKind.TransformNeedsImages, needs.Kind);
                Assert.Equal(GeometryErrorKind.TransformNeedsImages, Assert.Throws<GeometryException>(() => TransformFiles.Write(tmp.File("o.mat"), AffineTransform.Identity, TransformFormat.Fsl)).Kind);
                Assert.Equal(GeometryErrorKind.TransformNeedsImages, Assert.Throws<GeometryException>(() => TransformFiles.Write(tmp.File("o.txt"), AffineTransform.Identity, TransformFormat.Elastix)).Kind);
                Assert.False(File.Exists(tmp.File("o.mat")));

                string singular = tmp.File("singular.mat"); File.WriteAllText(singular, "1 0 0 0\n0 1 0 0\n0 0 0 0\n0 0 0 1\n");
                Assert.Equal(GeometryErrorKind.SingularMatrix, Assert.Throws<GeometryException>(() => TransformFiles.Read(singular, TransformFormat.Fsl, Grid.Create(4, 4, 4), Grid.Create(4, 4, 4))).Kind);

                Assert.Throws<FileNotFoundException>(() => TransformFiles.Read(tmp.File("missing.txt")));
                Assert.Throws<ArgumentException>(() => TransformFiles.Write(tmp.File("t.xfm"), AffineTransform.Identity, TransformFormat.Auto));
            }
        }

        [Fact]
        public void TransformFileSourceReadsOnceAndMakesFslMatricesPerPairOfGrids()
        {
            using (var tmp = new TempDir())
            {
                var t = new AffineTransform(SpatialTestData.Affine(new[] { 1.0, 0.02, 0, -0.03, 0.98, 0, 0, 0.01, 1.05 }, 3, -2, 7));
                string itk = tmp.File("t.txt"), fsl = tmp.File("flirt.mat");
                TransformFiles.Write(itk, t, TransformFormat.Itk);
                TransformFiles.Write(fsl, t, TransformFormat.Fsl, FixedGrid(), MovingGrid());

                var fromItk = TransformFileSource.Open(itk);
                Assert.False(fromItk.NeedsGrids);
                Assert.Equal(TransformFormat.Itk, fromItk.Format);
                AssertSame(TransformFiles.Read(itk), fromItk.For(null, null), 0);

                var fromFsl = TransformFileSource.Open(fsl);
                Assert.True(fromFsl.NeedsGrids);
                Assert.Equal(TransformFormat.Fsl, fromFsl.Format);
                AssertSame(t, fromFsl.For(FixedGrid(), MovingGrid()), 1e-9);
                Assert.Equal(GeometryErrorKind.TransformNeedsImages, Assert.Throws<GeometryException>(() => fromFsl.For(null, MovingGrid())).Kind);

                // A file that is no transform fails when opened, naming it, before any image is read.
                string notes = tmp.File("notes.mat"); File.WriteAllText(notes, "1 0 0\nnot a matrix\n");
                var e = Assert.Throws<GeometryException>(() => TransformFileSource.Open(notes, TransformFormat.Fsl));
                Assert.Equal(GeometryErrorKind.BadTransform, e.Kind);
                Assert.Equal(notes, e.FilePath);
                string nii = tmp.File("image.nii");
                NiftiWriter.Write(AtlasVolume.FromMask(Grid.Create(4, 4, 4), new byte[64]), nii);
                Assert.Equal(GeometryErrorKind.BadTransform, Assert.Throws<GeometryException>(() => TransformFileSource.Open(nii)).Kind);
                Assert.Throws<FileNotFoundException>(() => TransformFileSource.Open(tmp.File("missing.txt")));
            }
        }

        // ------------------------------------------------------------------ MRtrix transformconvert

        private static AffineTransform MrtrixImport(TempDir tmp, params string[] args)
        {
            string outFile = tmp.File("mrtrix_" + Guid.NewGuid().ToString("N").Substring(0, 6) + ".txt");
            var all = new string[args.Length + 2];
            Array.Copy(args, all, args.Length);
            all[args.Length] = outFile; all[args.Length + 1] = "-quiet";
            SpatialTestData.Run(SpatialTestData.MrtrixTransformConvert, all);
            // MRtrix writes the RAS template→moving matrix ("reverse" convention of mrtransform): our convention.
            return TransformFiles.Read(outFile, TransformFormat.RasMatrix);
        }

        [SkippableFact]
        public void MrtrixItkImportAgreesWithOurItkFiles()
        {
            Skip.If(SpatialTestData.MrtrixTransformConvert == null, "MRtrix3 transformconvert not installed (Debian mrtrix3)");
            using (var tmp = new TempDir())
            {
                var t = SpatialTestData.Messy();
                string ours = tmp.File("ours.txt");
                TransformFiles.Write(ours, t, TransformFormat.Itk);
                AssertSame(t, MrtrixImport(tmp, ours, "itk_import"), 1e-6);
                // A file with a centre, as ANTs writes them, read by both.
                string centred = tmp.File("centred.txt");
                File.WriteAllText(centred, "#Insight Transform File V1.0\n#Transform 0\nTransform: MatrixOffsetTransformBase_double_3_3\n"
                    + "Parameters: 0.98 0.1 -0.05 -0.09 1.02 0.03 0.06 -0.02 0.97 3.5 -7.25 12\nFixedParameters: 10.5 -20 33\n");
                AssertSame(MrtrixImport(tmp, centred, "itk_import"), TransformFiles.Read(centred), 1e-6);
            }
        }

        [SkippableFact]
        public void MrtrixFlirtImportAgreesWithOurFslFiles()
        {
            Skip.If(SpatialTestData.MrtrixTransformConvert == null, "MRtrix3 transformconvert not installed (Debian mrtrix3)");
            using (var tmp = new TempDir())
            {
                // The two images: fixed (reference) stored LAS (det < 0), moving RAS with a shear (det > 0).
                string fixedNii = tmp.File("ref.nii"), movingNii = tmp.File("in.nii");
                NiftiWriter.Write(AtlasVolume.FromMask(FixedGrid(), new byte[FixedGrid().VoxelCount]), fixedNii);
                var movingRigid = new Grid(30, 32, 20, null, AffineMath.Multiply(SpatialTestData.Rotation(0, 0.1, 0.2), SpatialTestData.Affine(new[] { 1.5, 0, 0, 0, 1.5, 0, 0, 0, 2 }, -20, -25, -21)));
                NiftiWriter.Write(AtlasVolume.FromMask(movingRigid, new byte[movingRigid.VoxelCount]), movingNii);
                var fixedGrid = NiftiReader.ReadHeader(fixedNii); var movingGrid = NiftiReader.ReadHeader(movingNii);
                var fg = Grid.FromHeader(fixedGrid); var mg = Grid.FromHeader(movingGrid);

                var t = SpatialTestData.Messy();
                string mat = tmp.File("ours.mat");
                TransformFiles.Write(mat, t, TransformFormat.Fsl, fg, mg);
                // flirt_import takes the -in image (moving) first, then -ref (fixed).
                AssertSame(t, MrtrixImport(tmp, mat, movingNii, fixedNii, "flirt_import"), 1e-4);
                // And a FLIRT-style matrix written by hand, read by both.
                string hand = tmp.File("hand.mat");
                File.WriteAllText(hand, "1.02 0.03 -0.01 4.5\n-0.02 0.97 0.05 -3\n0.01 -0.04 1.01 7.25\n0 0 0 1\n");
                AssertSame(MrtrixImport(tmp, hand, movingNii, fixedNii, "flirt_import"), TransformFiles.Read(hand, TransformFormat.Auto, fg, mg), 1e-4);
            }
        }
    }
}
