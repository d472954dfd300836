using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    /// <summary>Measure-AtlasDataset's engine: the paper's Tables 1 and 2 from metadata, worked by hand.</summary>
    public class DatasetTablesTests
    {
        private static AtlasSubject Scan(string cohort, string id, int? lhc, int? lhs, int? rhc, int? rhs, object other = null)
        {
            var s = new AtlasSubject { Cohort = cohort, SubjectId = id, ScanId = id, HasMetadata = true };
            void Put(string name, string header, object v) { s.Metadata[name] = v; s.MetadataHeaders[name] = header; }
            Put("StrokesLhCortical", "# Strokes LH Cortical", lhc);
            Put("StrokesLhSubcortical", "# Strokes LH Subcortical", lhs);
            Put("StrokesRhCortical", "# Strokes RH Cortical", rhc);
            Put("StrokesRhSubcortical", "# Strokes RH Subcortical", rhs);
            Put("OtherLocation", "Other Location", other);
            Put("Notes", "Notes", "see other sheet");   // not a count, though its text says "other": only its header is looked at
            return s;
        }

        [Fact]
        public void CountsScansForTable1AndLesionsForTable2()
        {
            var warnings = new List<string>();
            var rows = DatasetTables.FromMetadata(new[]
            {
                Scan("c0010", "c0010s0001t01", 0, 1, 0, 0),               // one lesion, left
                Scan("c0010", "c0010s0002t01", 0, 0, 1, 0),               // one lesion, right
                Scan("c0010", "c0010s0003t01", 0, 0, 0, 0, "Brainstem"),  // one lesion elsewhere, named in words
                Scan("c0002", "c0002s0001t01", 1, 1, 0, 2, 1),            // five lesions: several
                Scan("c0002", "c0002s0002t01", 0, 0, 0, 0, "No"),         // no lesion counted: Scans only
                Scan("c0002", "c0002s0003t01", 1, null, 0, 0),            // a missing count: Scans only, and named
            }, warnings);
            // Cohorts in natural order (c0002 before c0010), then Total.
            Assert.Equal(new[] { "c0002", "c0010", "Total" }, rows.Select(r => r.Cohort).ToArray());
            var a = rows[0]; var b = rows[1]; var t = rows[2];
            Assert.Equal((3, 0, 0, 0, 1), (a.Scans, a.OneLesionLeft, a.OneLesionRight, a.OneLesionOther, a.MultipleLesions));
            Assert.Equal((1, 0, 1, 2, 1), (a.CorticalLeft.Value, a.CorticalRight.Value, a.SubcorticalLeft.Value, a.SubcorticalRight.Value, a.OtherLesions.Value));
            Assert.Equal((3, 1, 1, 1, 0), (b.Scans, b.OneLesionLeft, b.OneLesionRight, b.OneLesionOther, b.MultipleLesions));
            Assert.Equal((0, 1, 1, 0, 1), (b.CorticalLeft.Value, b.CorticalRight.Value, b.SubcorticalLeft.Value, b.SubcorticalRight.Value, b.OtherLesions.Value));
            Assert.Equal((6, 1, 1, 1, 1), (t.Scans, t.OneLesionLeft, t.OneLesionRight, t.OneLesionOther, t.MultipleLesions));
            // 5 + 3 = 8 lesions: 62.5 % and 37.5 %.
            Assert.Equal(62.5, a.PercentOfLesions);
            Assert.Equal(37.5, b.PercentOfLesions);
            Assert.Equal(100, t.PercentOfLesions);
            var w = Assert.Single(warnings);
            Assert.Contains("c0002s0003t01", w);
            Assert.DoesNotContain("c0002s0002t01", w);
        }

        [Fact]
        public void A_scan_without_a_row_counts_in_Scans_only()
        {
            var warnings = new List<string>();
            var rows = DatasetTables.FromMetadata(new[] { new AtlasSubject { Cohort = "c0001", SubjectId = "c0001s0001t01", ScanId = "c0001s0001t01" } }, warnings);
            Assert.Equal(1, rows[0].Scans);
            Assert.Equal(0, rows[0].OneLesionLeft + rows[0].OneLesionRight + rows[0].OneLesionOther + rows[0].MultipleLesions);
            Assert.Equal(0, rows[0].PercentOfLesions);
            Assert.Contains("c0001s0001t01", Assert.Single(warnings));
        }
    }
}
