using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Atlas.Core.Bids;
using Atlas.Core.Text;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Bids
{
    public class BidsTextTests
    {
        [Fact]
        public void Json_escapes_strings_and_writes_numbers_in_invariant_culture()
        {
            var old = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma must not leak into JSON
            try
            {
                var o = new JsonObject
                {
                    { "s", "a\"b\\c\nd\te\u0001f/é" },
                    { "n", 1.5 },
                    { "i", 3 },
                    { "big", 3.0 },
                    { "list", new object[] { 1, "x", null, true } },
                    { "nested", new JsonObject { { "k", false } } },
                    { "empty", new JsonObject() },
                    { "nan", double.NaN },
                };
                Assert.Equal(
                    "{\n" +
                    "  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001f/é\",\n" +
                    "  \"n\": 1.5,\n" +
                    "  \"i\": 3,\n" +
                    "  \"big\": 3,\n" +
                    "  \"list\": [1, \"x\", null, true],\n" +
                    "  \"nested\": {\n" +
                    "    \"k\": false\n" +
                    "  },\n" +
                    "  \"empty\": {},\n" +
                    "  \"nan\": null\n" +
                    "}\n", OrderedJson.Serialize(o));
                Assert.Equal("[\n  {\n    \"a\": 0.1\n  }\n]\n", OrderedJson.Serialize(new[] { new JsonObject { { "a", 0.1 } } }));
                Assert.Equal("1.5", BidsTable.Cell(1.5));
            }
            finally { CultureInfo.CurrentCulture = old; }
        }

        [Fact]
        public void Json_output_parses_back_with_System_Text_Json()
        {
            string s = OrderedJson.Serialize(new JsonObject { { "q", "\"\\\u2028\u0000" }, { "v", new[] { "a", "b" } } });
            using (var doc = System.Text.Json.JsonDocument.Parse(s))
            {
                Assert.Equal("\"\\\u2028\u0000", doc.RootElement.GetProperty("q").GetString());
                Assert.Equal(2, doc.RootElement.GetProperty("v").GetArrayLength());
            }
        }

        [Theory]
        [InlineData("c0001s0002t01", "c0001s0002")]
        [InlineData("c0011s0004t02", "c0011s0004")]
        [InlineData("c0001s0002", "c0001s0002")]
        [InlineData("031768", "031768")]     // INDI ids keep every digit, leading zero included
        [InlineData("031768_t01", "031768")]
        [InlineData("sub-r001s001", "r001s001")]
        [InlineData("sub-r001s001_ses-1", "r001s001")]
        [InlineData("site 3/sub_07", "site3sub07")]
        [InlineData("---", null)]
        public void Default_labels(string id, string label)
        {
            Assert.Equal(label, BidsNames.DefaultSubjectLabel(new AtlasSubject { SubjectId = id }));
        }

        [Fact]
        public void Label_from_cohort_and_subject_when_there_is_no_id()
        {
            Assert.Equal("c0003s0010", BidsNames.DefaultSubjectLabel(new AtlasSubject { Cohort = "c0003", Subject = "s0010" }));
        }

        [Theory]
        [InlineData("StrokesLhCortical", "strokes_lh_cortical")]
        [InlineData("PrimaryStrokeLocationHemisphere", "primary_stroke_location_hemisphere")]
        [InlineData("Pvh", "pvh")]
        [InlineData("INDI Site ID", "indi_site_id")]
        [InlineData("INDISiteID", "indi_site_id")]
        [InlineData("# Lesions LH Subcortical", "lesions_lh_subcortical")]
        [InlineData("DaysPostStroke", "days_post_stroke")]
        [InlineData("T1Scanner2", "t1_scanner2")]
        public void Snake_case_column_names(string name, string expected) => Assert.Equal(expected, BidsNames.SnakeCase(name));

        [Theory]
        [InlineData("3T", 3.0)]
        [InlineData("1.5 T", 1.5)]
        [InlineData("3 tesla", 3.0)]
        [InlineData("unknown", null)]
        [InlineData("300", null)]
        public void Field_strength_from_the_sheet(string value, double? tesla) => Assert.Equal(tesla, BidsDatasetTexts.ParseTesla(value));

        [Fact]
        public void Tsv_cells_have_no_tabs_or_line_breaks()
        {
            Assert.Equal("a b c", BidsTable.Cell("a\tb\nc"));
            Assert.Equal("n/a", BidsTable.Cell(null));
            Assert.Equal("n/a", BidsTable.Cell("  "));
            Assert.Equal("200", BidsTable.Cell(200.0));
            Assert.Equal("true", BidsTable.Cell(true));
        }
    }
}
