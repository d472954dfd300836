using System.Net;
using System.Linq;
using System;
using System.IO;
using System.Text.RegularExpressions;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Rendering;
using Xunit;
using static Atlas.Core.Tests.Rendering.RenderTestVolumes;

namespace Atlas.Core.Tests.Rendering
{
    public class QcReportTests
    {
        // 1 x 1 x 2 mm voxels, world x = i - 20 (RAS): a 30 x 40 x 20 grid.
        private static readonly double[,] A = Affine(1, 1, 2, -20, -20, -20);

        private static AtlasSubject MakeSubject(TempDir tmp, string id)
        {
            string dir = Path.Combine(tmp.Path, id);
            Directory.CreateDirectory(dir);
            string t1 = Path.Combine(dir, id + ".nii.gz");
            NiftiWriter.Write(Float(30, 40, 20, A, (i, j, k) => 100 + i + j + k), t1);
            // Primary: i 5..9 (x -15..-11, left), j 10..13, k 8..9 → 5*4*2 = 40 voxels of 2 mm³ = 80 mm³.
            string m0 = Path.Combine(dir, id + "_LesionSmooth.nii.gz");
            NiftiWriter.Write(Mask(30, 40, 20, A, (i, j, k) => i >= 5 && i <= 9 && j >= 10 && j <= 13 && k >= 8 && k <= 9), m0);
            // Secondary: i 18..21 (x -2..1: 2 left, 1 on the midline, 1 right), j 20, k 5 → 4 voxels = 8 mm³, left 2.5/4.
            string m1 = Path.Combine(dir, id + "_LesionSmooth_1.nii.gz");
            NiftiWriter.Write(Mask(30, 40, 20, A, (i, j, k) => i >= 18 && i <= 21 && j == 20 && k == 5), m1);
            return new AtlasSubject
            {
                SubjectId = id, ScanId = id + "t01", Cohort = "Site1", Session = 1, Directory = dir, T1Path = t1,
                LesionMaskPaths = new[] { m0, m1 }, SmoothLesionMaskPaths = new[] { m0, m1 },
            };
        }

        [Fact]
        public void RowMeasuresEachMaskAndTheSubject()
        {
            using (var tmp = new TempDir())
            {
                var s = MakeSubject(tmp, "c0001s0001");
                var row = QcReport.BuildRow(s, "Lesion", new SnapshotOptions(), new[] { new QcFinding { Severity = "Warning", Check = "MaskBinary", Message = "values 0/255" } });
                Assert.Null(row.Problem);
                Assert.Equal(2, row.Lesions.Count);
                Assert.Equal(40, row.Lesions[0].VoxelCount);
                Assert.Equal(80.0, row.Lesions[0].VolumeMm3, 9);
                Assert.Equal(1.0, row.Lesions[0].FractionLeft, 12);
                Assert.Equal("Left", row.Lesions[0].Hemisphere);
                Assert.Equal(8.0, row.Lesions[1].VolumeMm3, 9);
                Assert.Equal(2.5 / 4, row.Lesions[1].FractionLeft, 12);
                Assert.Equal("Bilateral", row.Lesions[1].Hemisphere);
                Assert.Equal(88.0, row.TotalVolumeMm3, 9);
                // (80 * 1 + 8 * 0.625) / 88 = 0.9659: 3.4 % on the right is under 10 % → Left.
                Assert.Equal(85.0 / 88, row.FractionLeft, 12);
                Assert.Equal("Left", row.Hemisphere);
                Assert.Equal(0, row.ErrorCount);
                Assert.Equal(1, row.WarningCount);
                var png = PngCodec.Decode(row.SnapshotPng);
                // Axial 30 x 40 px, coronal 30 x 40 (z 40 mm), sagittal 40 x 40, two 8-px gaps.
                Assert.Equal(30 + 30 + 40 + 16, png.Width);
                // Under the tiles the legend: one line of 7-px glyphs with 3 px above and below.
                Assert.Equal(40 + 13, png.Height);
                Assert.True(png.CountColoured() > 0);
            }
        }

        [Fact]
        public void HemisphereRule()
        {
            Assert.Equal("Left", QcReport.HemisphereOf(0.9, -10));
            Assert.Equal("Bilateral", QcReport.HemisphereOf(0.89, -10));
            Assert.Equal("Right", QcReport.HemisphereOf(0.1, 10));
            Assert.Equal("Bilateral", QcReport.HemisphereOf(0.5, 0));
        }

        [Fact]
        public void UnreadableMaskStillGivesARowWithTheProblem()
        {
            using (var tmp = new TempDir())
            {
                var s = MakeSubject(tmp, "c0002s0001");
                File.WriteAllText(s.LesionMaskPaths[1], "not a nifti");
                var row = QcReport.BuildRow(s, "Lesion", new SnapshotOptions(), null);
                Assert.NotNull(row.Problem);
                Assert.Contains("c0002s0001_LesionSmooth_1.nii.gz", row.Problem);
                Assert.Single(row.Lesions);
            }
        }

        [Fact]
        public void PageIsSelfContainedAndSortable()
        {
            using (var tmp = new TempDir())
            {
                var a = QcReport.BuildRow(MakeSubject(tmp, "c0003s0001"), "Lesion", new SnapshotOptions(), null);
                var b = QcReport.BuildRow(MakeSubject(tmp, "c0004s0001"), "Lesion", new SnapshotOptions(),
                    new[] { new QcFinding { Severity = "Error", Check = "GridMismatch", Message = "mask <off> the T1 grid" } });
                string path = tmp.File("qc/index.html");
                var info = QcReport.Write(path, new[] { a, b }, "QC & co");
                Assert.Equal(2, info.ScanCount);
                Assert.Equal(1, info.ScansWithFindings);
                Assert.Equal(1, info.ErrorCount);
                Assert.Equal(2, info.SnapshotCount);
                string html = File.ReadAllText(path);
                Assert.Contains("<title>QC &amp; co</title>", html);
                Assert.Contains("mask &lt;off&gt; the T1 grid", html);
                // No external resource of any kind: no URLs, only data: images and inline script/style.
                Assert.DoesNotMatch(new Regex("(src|href)=\"(?!data:)", RegexOptions.IgnoreCase), html);
                Assert.DoesNotContain("http", html);
                var imgs = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"");
                Assert.Equal(2, imgs.Count);
                Assert.Equal(116, PngCodec.Decode(Convert.FromBase64String(imgs[0].Groups[1].Value)).Width);
                Assert.Equal(2, Regex.Matches(html, "<tr>").Count - 1);
                Assert.Contains("addEventListener('click'", html);
                // Issue 11: rows are scans and the page says so; one meaning per word (the side measured from the
                // masks is not called Hemisphere, the metadata's word; mask files are not called lesions).
                Assert.Contains("2 scans (2 subjects); 1 scan with findings", html);
                // Two time points of one person are two scans of one subject (native ids carry the time point).
                var t1 = MakeSubject(tmp, "c0005s0001t01"); t1.Subject = "s0001"; t1.Cohort = "c0005";
                var t2 = MakeSubject(tmp, "c0005s0001t02"); t2.Subject = "s0001"; t2.Cohort = "c0005"; t2.Session = 2;
                QcReport.Write(tmp.File("qc/rescan.html"), new[] { QcReport.BuildRow(t1, "Lesion", new SnapshotOptions(), null), QcReport.BuildRow(t2, "Lesion", new SnapshotOptions(), null) }, null);
                Assert.Contains("2 scans (1 subject); 0 scans with findings", File.ReadAllText(tmp.File("qc/rescan.html")));
                var heads = Regex.Matches(html, "<th[^>]*>([^<]*)</th>").Cast<Match>().Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
                Assert.Equal(new[] { "Scan", "Cohort", "Session", "Snapshot", "Mask files", "Lesion volume (mm³)", "Lesion side (from masks)", "Findings" }, heads);
                Assert.DoesNotContain("Hemisphere", html);
                Assert.DoesNotContain(">Subject<", html);
                // Images beside the page instead.
                info = QcReport.Write(tmp.File("qc/files.html"), new[] { a, b }, null, imagesBeside: true);
                html = File.ReadAllText(tmp.File("qc/files.html"));
                Assert.Contains("src=\"files_files/c0003s0001t01.png\"", html);
                Assert.True(File.Exists(tmp.File("qc/files_files/c0004s0001t01.png")));
            }
        }
    }
}
