using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    public class JoinTests
    {
        private static void Touch(string root, params string[] relative)
        {
            foreach (var r in relative)
            {
                string p = Path.Combine(root, r.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(p));
                File.WriteAllBytes(p, new byte[0]);
            }
        }

        [Fact]
        public void IndiNumericIdsJoinFoldersWithLeadingZeros()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "Site1/031768/t01/031768_t1w_deface_stx.nii.gz", "Site1/031859/t01/031859_t1w_deface_stx.nii.gz");
                string csv = t.File("meta.csv");
                File.WriteAllText(csv, "INDI Site ID,INDI Subject ID,Session,# Strokes LH Cortical,Primary Stroke Location Hemisphere\n"
                    + "1,31768,t01,2,Left\n1,31859,t01,0,Right\n1,99999,t01,0,Right\n");
                var r = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv });
                Assert.Equal("IndiSubjectId", r.KeyColumn);
                var a = r.Subjects[0];
                Assert.True(a.HasMetadata);
                Assert.Equal(31768, a.Metadata["IndiSubjectId"]);
                Assert.Equal(2, a.Metadata["StrokesLhCortical"]);
                Assert.Equal("Left", a.GetMetadata("Hemisphere"));
                Assert.Equal("Left", a.GetMetadata("Primary Stroke Location Hemisphere"));
                Assert.Equal("# Strokes LH Cortical", a.MetadataHeaders["StrokesLhCortical"]);
                Assert.Equal("PrimaryStrokeLocationHemisphere", a.MetadataAliases["Hemisphere"]);
                Assert.Equal("Right", r.Subjects[1].GetMetadata("Hemisphere"));
                // The row for 99999 has no subject: one warning naming it.
                Assert.Single(r.Warnings, w => w.Contains("99999") && w.Contains("matches no subject"));
                Assert.Equal(new[] { "row 4 ('99999')" }, r.OrphanMetadataRows);
                var f = Assert.Single(DatasetChecker.CheckScan(r));
                Assert.Equal(DatasetChecker.MetadataOrphan, f.Check);
                Assert.Equal(csv, f.Path);
            }
        }

        [Fact]
        public void NativeIdsWithAndWithoutTimePointAndSessionColumn()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path,
                    "c0001/c0001s0002t01/c0001s0002t01.nii.gz",
                    "c0001/c0001s0002t02/c0001s0002t02.nii.gz",
                    "c0001/c0001s0003t01/c0001s0003t01.nii.gz",
                    "c0002/c0002s0001t01/c0002s0001t01.nii.gz",
                    "c0002/c0002s0009t01/c0002s0009t01.nii.gz");
                string csv = t.File("meta.csv");
                // c0001s0002 has a row per session; c0001s0003 a row keyed with its time point; c0002s0001 one row without; c0002s0009 none.
                File.WriteAllText(csv, "Notes,Subject ID,Session,PVH\nfirst,c0001s0002,t01,1\nsecond,c0001s0002,t02,2\nthird,c0001s0003t01,,3\nfourth,C0002S0001,,0\n");
                var r = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv });
                Assert.Equal("SheetSubjectId", r.KeyColumn);
                var byId = r.Subjects.ToDictionary(s => s.ScanId);
                Assert.Equal("first", byId["c0001s0002t01"].GetMetadata("Notes"));
                Assert.Equal("second", byId["c0001s0002t02"].GetMetadata("Notes"));
                Assert.Equal(2, byId["c0001s0002t02"].GetMetadata("Pvh"));
                Assert.Equal("third", byId["c0001s0003t01"].GetMetadata("Notes"));
                Assert.Equal("fourth", byId["c0002s0001t01"].GetMetadata("Notes"));
                Assert.False(byId["c0002s0009t01"].HasMetadata);
                Assert.Null(byId["c0002s0009t01"].GetMetadata("Notes"));
                Assert.True(byId["c0002s0009t01"].Metadata.ContainsKey("Notes"));   // the column exists, its value is null
                Assert.Single(r.Warnings, w => w.Contains("c0002s0009t01") && w.Contains("no row"));
                Assert.DoesNotContain(r.Warnings, w => w.Contains("matches no subject"));
            }
        }

        [Fact]
        public void KeyColumnByNameOrHeaderAndUnknownColumn()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "c0001/c0001s0001t01/c0001s0001t01.nii.gz");
                string csv = t.File("meta.csv");
                File.WriteAllText(csv, "Other,Scan\nc0001s0001t01,x\ny,c0001s0001\n");
                // Automatic: both columns match once; the leftmost wins.
                var auto = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv });
                Assert.Equal("Other", auto.KeyColumn);
                Assert.Equal("x", auto.Subjects[0].GetMetadata("Scan"));
                var forced = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv, KeyColumn = "Scan" });
                Assert.Equal("y", forced.Subjects[0].GetMetadata("Other"));
                var ex = Assert.Throws<ArgumentException>(() => DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv, KeyColumn = "Nope" }));
                Assert.Contains("Other, Scan", ex.Message);
            }
        }

        [Fact]
        public void NoMatchingColumnIsOneWarning()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "c0001/c0001s0001t01/c0001s0001t01.nii.gz");
                string csv = t.File("meta.csv");
                File.WriteAllText(csv, "A,B\n1,2\n");
                var r = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = csv });
                Assert.Null(r.KeyColumn);
                Assert.Single(r.Warnings);
                Assert.Contains("-KeyColumn", r.Warnings[0]);
                Assert.False(r.Subjects[0].HasMetadata);
            }
        }

        [Fact]
        public void BidsSubjectsJoinWithOrWithoutPrefix()
        {
            using (var t = new TempDir())
            {
                Touch(t.Path, "Training/R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
                              "Training/R001/sub-r001s002/ses-1/anat/sub-r001s002_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz");
                string tsv = t.File("participants.tsv");
                File.WriteAllText(tsv, "participant_id\tSession\tLesion Volume\nsub-r001s001\t1\t1234.5\nr001s002\t1\tn/a\n");
                var r = DatasetScanner.Scan(t.Path, new DatasetScanOptions { MetadataPath = tsv });
                Assert.Equal("ParticipantId", r.KeyColumn);
                Assert.Equal(1234.5, r.Subjects[0].GetMetadata("LesionVolume"));
                Assert.True(r.Subjects[1].HasMetadata);
                Assert.Null(r.Subjects[1].GetMetadata("LesionVolume"));
            }
        }

        [Theory]
        [InlineData("031768", "31768")]
        [InlineData(" C0001S0002 ", "c0001s0002")]
        [InlineData("000", "0")]
        public void KeyNormalization(string input, string expected) => Assert.Equal(expected, MetadataJoin.NormalizeKey(input));

        [Fact]
        public void NumericKeysNormalize()
        {
            Assert.Equal("31768", MetadataJoin.NormalizeKey(31768));
            Assert.Equal("31768", MetadataJoin.NormalizeKey(31768.0));
            Assert.Null(MetadataJoin.NormalizeKey(null));
            Assert.Null(MetadataJoin.NormalizeKey("  "));
        }
    }
}
