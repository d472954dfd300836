using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    public class MetadataTests
    {
        [Theory]
        [InlineData("# Strokes LH Cortical", "StrokesLhCortical")]
        [InlineData("# Strokes LH subcortical", "StrokesLhSubcortical")]
        [InlineData("Primary Stroke Location Hemisphere", "PrimaryStrokeLocationHemisphere")]
        [InlineData("INDI Site ID", "IndiSiteId")]
        [InlineData("Stroke type", "StrokeType")]
        [InlineData("PVH", "Pvh")]
        [InlineData("# Lesions LH Cortical and White Matter", "LesionsLhCorticalAndWhiteMatter")]
        [InlineData("participant_id", "ParticipantId")]
        [InlineData("LesionVolume", "LesionVolume")]
        [InlineData("  Days  Post-Stroke ", "DaysPostStroke")]
        public void FriendlyNames(string header, string expected) => Assert.Equal(expected, MetadataTable.FriendlyName(header));

        [Fact]
        public void CsvQuotesBomAndEmbeddedBreaks()
        {
            var rows = DelimitedText.Parse("\uFEFFa,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\r\n,,\n", ',');
            Assert.Equal(3, rows.Count);
            Assert.Equal(new[] { "a", "b", "c" }, rows[0]);
            Assert.Equal(new[] { "1", "x, \"y\"", "two\nlines" }, rows[1]);
            Assert.Equal(new[] { "", "", "" }, rows[2]);
            Assert.Equal(';', DelimitedText.GuessCsvDelimiter("a;b;c\n1;2;3"));
            Assert.Equal(',', DelimitedText.GuessCsvDelimiter("a,b;c\n"));
        }

        [Fact]
        public void SemicolonCsvReadsDecimalCommas()
        {
            // What Excel writes as CSV where the comma is the decimal mark (de-DE, fr-FR …).
            using (var t = new TempDir())
            {
                string p = t.File("eu.csv");
                File.WriteAllText(p, "Subject ID;Lesion Volume;Age;Note\n"
                    + "c0001s0001;1200,5;61;1,234,5\n"
                    + "c0001s0002;-0,25;70;1.234,5\n"
                    + "c0001s0003;3;55;left, basal ganglia\n");
                var m = MetadataTable.Load(p);
                Assert.Equal(1200.5, m.Rows[0][1]);
                Assert.Equal(-0.25, m.Rows[1][1]);
                Assert.Equal(3.0, m.Rows[2][1]);       // the column has fractions: double throughout
                Assert.Equal(61, m.Rows[0][2]);
                Assert.Equal("1,234,5", m.Rows[0][3]); // not one decimal comma: text
                Assert.Equal("1.234,5", m.Rows[1][3]);
                Assert.Equal("left, basal ganglia", m.Rows[2][3]);
            }
            // A comma-delimited CSV never has decimal commas (they would be delimiters), and a quoted "1,5" there stays text.
            using (var t = new TempDir())
            {
                string p = t.File("us.csv");
                File.WriteAllText(p, "Subject ID,Value\nc0001s0001,\"1,5\"\n");
                Assert.Equal("1,5", MetadataTable.Load(p).Rows[0][1]);
            }
        }

        [Fact]
        public void TypesColumnsAndKeepsHeaders()
        {
            using (var t = new TempDir())
            {
                string p = t.File("m.csv");
                File.WriteAllText(p, "Subject ID,Session,# Strokes LH Cortical,Lesion Volume,Stroke type,PVH,Notes\n"
                    + "c0001s0001,t01,1,1200,Ischemic,2,\n"
                    + "c0001s0002,t01,0,15.5,Hemorrhagic,n/a,text\n"
                    + "c0001s0003,t01,3,7,,NA,\n");
                var m = MetadataTable.Load(p);
                Assert.Equal(new[] { "SheetSubjectId", "SheetSession", "StrokesLhCortical", "LesionVolume", "StrokeType", "Pvh", "Notes" }, m.Names);
                Assert.Equal("# Strokes LH Cortical", m.Headers[2]);
                Assert.Equal(3, m.Rows.Count);
                // A whole-number column is int; a column with any fraction is double throughout.
                Assert.IsType<int>(m.Rows[0][2]);
                Assert.Equal(3, m.Rows[2][2]);
                Assert.IsType<double>(m.Rows[0][3]);
                Assert.Equal(1200.0, m.Rows[0][3]);
                Assert.Equal(15.5, m.Rows[1][3]);
                Assert.Null(m.Rows[2][4]);
                Assert.Equal(2, m.Rows[0][5]);
                Assert.Null(m.Rows[1][5]);
                Assert.Null(m.Rows[2][5]);
                Assert.Null(m.Rows[0][6]);
                Assert.Equal("t01", m.Rows[0][1]);
                Assert.Equal(2, m.IndexOf("# Strokes LH Cortical"));
                Assert.Equal(2, m.IndexOf("strokeslhcortical"));
                Assert.False(m.Aliases.ContainsKey("StrokeType"));
                Assert.Equal(-1, m.IndexOf("Hemisphere"));
            }
        }

        [Fact]
        public void AliasesPointAtTheirColumns()
        {
            var m = new MetadataTable(null, new[] { "Primary Stroke Location Hemisphere", "Fazekas PVH", "DWMH", "Vascular territory" },
                new List<object[]> { new object[] { "Left", "1", "2", "MCA" } });
            Assert.Equal("PrimaryStrokeLocationHemisphere", m.Aliases["Hemisphere"]);
            Assert.Equal("FazekasPvh", m.Aliases["Pvh"]);
            Assert.False(m.Aliases.ContainsKey("Dwmh"));     // already the column's own name
            Assert.Equal(0, m.IndexOf("Hemisphere"));
        }

        [Fact]
        public void TsvAndXlsxGiveTheSameTable()
        {
            using (var t = new TempDir())
            {
                string tsv = t.File("m.tsv");
                File.WriteAllText(tsv, "INDI Subject ID\t# Strokes RH Cortical\tStroke type\n31768\t2\tIschemic\n31769\t\tHemorrhagic\n");
                string xlsx = t.File("m.xlsx");
                MinimalXlsx.Write(xlsx, new[]
                {
                    new object[] { "INDI Subject ID", "# Strokes RH Cortical", "Stroke type" },
                    new object[] { 31768.0, 2.0, "Ischemic" },
                    new object[] { 31769.0, null, "Hemorrhagic" },
                });
                foreach (var p in new[] { tsv, xlsx })
                {
                    var m = MetadataTable.Load(p);
                    Assert.Equal(new[] { "IndiSubjectId", "StrokesRhCortical", "StrokeType" }, m.Names);
                    Assert.Equal(2, m.Rows.Count);
                    Assert.Equal(31768, m.Rows[0][0]);
                    Assert.Equal(2, m.Rows[0][1]);
                    Assert.Null(m.Rows[1][1]);
                    Assert.Equal("Hemorrhagic", m.Rows[1][2]);
                }
            }
        }

        [Fact]
        public void UnknownExtensionIsRefused()
        {
            using (var t = new TempDir())
            {
                string p = t.File("m.ods");
                File.WriteAllText(p, "x");
                Assert.Contains(p, Assert.Throws<ArgumentException>(() => MetadataTable.Load(p)).Message);
                Assert.Throws<FileNotFoundException>(() => MetadataTable.Load(t.File("none.csv")));
            }
        }

        [Fact]
        public void What_is_not_a_sheet_is_refused_naming_it()
        {
            using (var t = new TempDir())
            {
                // A folder, an image: the wrong argument.
                Assert.Contains(t.Path, Assert.Throws<ArgumentException>(() => MetadataTable.Load(t.Path)).Message);
                string nii = t.File("t1.nii.gz");
                File.WriteAllBytes(nii, new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 });
                Assert.Contains(nii, Assert.Throws<ArgumentException>(() => MetadataTable.Load(nii)).Message);
                // A sheet's name, not a sheet's content: unreadable data.
                string prose = t.File("notes.txt");
                File.WriteAllText(prose, "Notes on the scans\nall were defaced\n");
                Assert.Contains(prose, Assert.Throws<InvalidDataException>(() => MetadataTable.Load(prose)).Message);
                string binary = t.File("renamed.csv");
                File.WriteAllBytes(binary, new byte[] { 92, 1, 0, 0, 44, 0, 3, 10, 1, 2 });
                Assert.Contains(binary, Assert.Throws<InvalidDataException>(() => MetadataTable.Load(binary)).Message);
                string book = t.File("broken.xlsx");
                File.WriteAllText(book, "this is not a zip");
                Assert.Contains(book, Assert.Throws<InvalidDataException>(() => MetadataTable.Load(book)).Message);
            }
        }
    }

    /// <summary>
    /// A minimal .xlsx written by hand (zip of the OpenXML parts; strings shared, numbers plain), so the
    /// reader is tested against a file our reader library did not write.
    /// </summary>
    internal static class MinimalXlsx
    {
        public static void Write(string path, object[][] rows)
        {
            var shared = new List<string>();
            var sheet = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
            for (int r = 0; r < rows.Length; r++)
            {
                sheet.Append("<row r=\"").Append(r + 1).Append("\">");
                for (int c = 0; c < rows[r].Length; c++)
                {
                    var v = rows[r][c];
                    if (v == null) continue;
                    string cell = ((char)('A' + c)).ToString() + (r + 1);
                    if (v is string s)
                    {
                        int idx = shared.IndexOf(s);
                        if (idx < 0) { idx = shared.Count; shared.Add(s); }
                        sheet.Append("<c r=\"").Append(cell).Append("\" t=\"s\"><v>").Append(idx).Append("</v></c>");
                    }
                    else
                        sheet.Append("<c r=\"").Append(cell).Append("\"><v>").Append(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)).Append("</v></c>");
                }
                sheet.Append("</row>");
            }
            sheet.Append("</sheetData></worksheet>");
            var sst = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"")
                .Append(shared.Count).Append("\" uniqueCount=\"").Append(shared.Count).Append("\">");
            foreach (var s in shared) sst.Append("<si><t>").Append(System.Security.SecurityElement.Escape(s)).Append("</t></si>");
            sst.Append("</sst>");

            using (var fs = File.Create(path))
            using (var zip = new ZipArchive(fs, ZipArchiveMode.Create))
            {
                void Part(string name, string xml)
                {
                    var e = zip.CreateEntry(name);
                    using (var w = new StreamWriter(e.Open(), new UTF8Encoding(false))) w.Write(xml);
                }
                Part("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                    + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                    + "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>");
                Part("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
                Part("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                    + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
                Part("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                    + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
                Part("xl/worksheets/sheet1.xml", sheet.ToString());
                Part("xl/sharedStrings.xml", sst.ToString());
            }
        }
    }
}
