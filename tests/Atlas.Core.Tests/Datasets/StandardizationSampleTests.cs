using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Atlas.Core.Datasets;
using Atlas.Core.Samples;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>New-AtlasSampleDataset -Standardization: a template and scans that are its head moved by known affines.</summary>
    public sealed class StandardizationSampleTests : IClassFixture<StandardizationSampleTests.Fixture>
    {
        public sealed class Fixture : IDisposable
        {
            public TempDir Dir { get; } = new TempDir();
            public SampleDatasetResult Result { get; }
            public Fixture() { Result = SampleDataset.Generate(Dir.File("std"), 2, 1, standardization: true); }
            public void Dispose() => Dir.Dispose();
        }

        private readonly Fixture _f;
        public StandardizationSampleTests(Fixture f) { _f = f; }

        // World centroid of the voxels brighter than 350 (scalp, grey and white matter; not skull, CSF or lesions).
        private static double[] BrightCentroid(AtlasVolume v)
        {
            var d = v.ToFloat32();
            var g = v.Grid;
            double sx = 0, sy = 0, sz = 0; long n = 0;
            for (int k = 0; k < g.NZ; k++) for (int j = 0; j < g.NY; j++) for (int i = 0; i < g.NX; i++)
                    {
                        if (d[g.Index(i, j, k)] <= 350) continue;
                        var p = g.VoxelToWorld(i, j, k);
                        sx += p[0]; sy += p[1]; sz += p[2]; n++;
                    }
            return new[] { sx / n, sy / n, sz / n };
        }

        [Fact]
        public void ReplacingTheSampleRemovesItsTemplateToo()
        {
            using (var t = new TempDir())
            {
                var r = SampleDataset.Generate(t.File("s"), 1, 2, standardization: true);
                Assert.True(File.Exists(r.TemplatePath));
                File.WriteAllText(Path.Combine(r.Root, "notes.txt"), "kept");
                SampleDataset.RemoveScans(r.Root);
                Assert.False(Directory.Exists(Path.Combine(r.Root, SampleDataset.TemplateFolder)));
                Assert.False(Directory.Exists(Path.Combine(r.Root, "c0001")));
                Assert.True(File.Exists(Path.Combine(r.Root, "notes.txt")));
            }
        }

        [Fact]
        public void WritesATemplateAndABrainMaskOnOneGrid()
        {
            var t = NiftiReader.Read(_f.Result.TemplatePath);
            var m = NiftiReader.Read(_f.Result.TemplateMaskPath);
            Assert.True(t.Grid.Matches(m.Grid));
            Assert.Equal("RAS", t.Orientation);
            var mask = m.ToMask(); var tv = t.ToFloat32();
            long inBrain = 0, brainOutsideHead = 0;
            for (int i = 0; i < mask.Length; i++) { if (mask[i] == 0) continue; inBrain++; if (tv[i] == 0) brainOutsideHead++; }
            Assert.True(inBrain > 500000, "brain voxels " + inBrain);
            Assert.Equal(0, brainOutsideHead);
        }

        [Fact]
        public void EveryScanIsTheTemplateHeadMovedByItsTruth()
        {
            var template = BrightCentroid(NiftiReader.Read(_f.Result.TemplatePath));
            var subjects = DatasetScanner.Scan(_f.Result.Root);
            Assert.Empty(subjects.UnmatchedFiles);
            Assert.Equal(3, subjects.Subjects.Count);
            bool sawLas = false;
            foreach (var s in subjects.Subjects)
            {
                string truth = Path.Combine(Path.GetDirectoryName(s.T1Path), SampleDataset.TruthFileName(s.ScanId));
                var a = SampleDataset.ReadTruth(truth);
                Assert.Equal(new double[] { 0, 0, 0, 1 }, new[] { a[3, 0], a[3, 1], a[3, 2], a[3, 3] });
                double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0]) + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
                Assert.InRange(det, 0.85, 1.16);
                var t1 = NiftiReader.Read(s.T1Path);
                sawLas |= t1.Orientation == "LAS";
                // The centroid of a region moves with an affine map: A·c(template) = c(scan).
                var expected = new double[3];
                for (int r = 0; r < 3; r++) expected[r] = a[r, 0] * template[0] + a[r, 1] * template[1] + a[r, 2] * template[2] + a[r, 3];
                var got = BrightCentroid(t1);
                double err = Math.Sqrt(Enumerable.Range(0, 3).Sum(r => (got[r] - expected[r]) * (got[r] - expected[r])));
                Assert.True(err < 1.5, s.ScanId + ": centroid " + string.Join(",", got) + " vs truth " + string.Join(",", expected) + " (" + err + " mm)");
                Assert.NotEmpty(s.LesionMaskPaths);
            }
            Assert.True(sawLas, "cohort c0002 is stored LAS");
        }

        [Fact]
        public void ReadTruthGivesTheMatrixAsWrittenToTheLastDigit()
        {
            var s = DatasetScanner.Scan(_f.Result.Root).Subjects[0];
            string path = Path.Combine(Path.GetDirectoryName(s.T1Path), SampleDataset.TruthFileName(s.ScanId));
            var a = SampleDataset.ReadTruth(path);
            // The file's rows, parsed here by hand: the reader loses no digit of the round-trip ("R") text.
            var rows = File.ReadAllLines(path).Where(l => l.Length > 0 && l[0] != '#').ToArray();
            Assert.Equal(4, rows.Length);
            for (int r = 0; r < 4; r++)
            {
                var cells = rows[r].Split(' ');
                for (int c = 0; c < 4; c++) Assert.Equal(double.Parse(cells[c], CultureInfo.InvariantCulture), a[r, c]);
            }
            Assert.NotEqual(1.0, a[0, 0]); // a real move, not the identity
        }

        [Fact]
        public void ReadTruthOfAHandWrittenMatrixWithCommentsAndTabs()
        {
            using (var t = new TempDir())
            {
                string p = t.File("truth.txt");
                File.WriteAllText(p, "# a comment\n\n1 0 0 5.5\n0\t0.5 0 -2\n0 0 2 1e-3\n0 0 0 1\n");
                var m = SampleDataset.ReadTruth(p);
                Assert.Equal(5.5, m[0, 3]);
                Assert.Equal(0.5, m[1, 1]);
                Assert.Equal(-2, m[1, 3]);
                Assert.Equal(0.001, m[2, 3]);
                Assert.Equal(1, m[3, 3]);
            }
        }

        [Fact]
        public void ReadTruthRefusesWhatIsNotAnAffineNamingTheFile()
        {
            using (var t = new TempDir())
            {
                string three = t.File("three-rows.txt");
                File.WriteAllText(three, "1 0 0 0\n0 1 0 0\n0 0 1 0\n");
                var e = Assert.Throws<GeometryException>(() => SampleDataset.ReadTruth(three));
                Assert.Contains("three-rows.txt", e.Message);
                string words = t.File("words.txt");
                File.WriteAllText(words, "hello world\n");
                Assert.Contains("words.txt", Assert.Throws<GeometryException>(() => SampleDataset.ReadTruth(words)).Message);
                string lastRow = t.File("last-row.txt");
                File.WriteAllText(lastRow, "1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 1 1\n");
                Assert.Contains("0 0 0 1", Assert.Throws<GeometryException>(() => SampleDataset.ReadTruth(lastRow)).Message);
                Assert.Throws<FileNotFoundException>(() => SampleDataset.ReadTruth(t.File("absent.txt")));
            }
        }
    }
}
