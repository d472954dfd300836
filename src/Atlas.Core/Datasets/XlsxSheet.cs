using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using MiniExcelLibs;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// The first worksheet of an .xlsx file as rows of cells, read with MiniExcel (Apache-2.0, a
    /// maintained streaming OpenXML reader with no native parts). Kept in its own class so the
    /// MiniExcel assembly is loaded only when a workbook is actually read.
    /// </summary>
    internal static class XlsxSheet
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static List<object[]> Read(string path)
        {
            var rows = new List<object[]>();
            foreach (var r in MiniExcel.Query(path, useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                if (!(r is IDictionary<string, object> cells)) continue;
                int width = 0;
                foreach (var k in cells.Keys) width = Math.Max(width, ColumnIndex(k) + 1);
                var row = new object[width];
                foreach (var kv in cells)
                {
                    int c = ColumnIndex(kv.Key);
                    if (c >= 0) row[c] = kv.Value;
                }
                rows.Add(row);
            }
            return rows;
        }

        /// <summary>A → 0, B → 1, Z → 25, AA → 26.</summary>
        internal static int ColumnIndex(string letters)
        {
            int n = 0;
            foreach (char ch in letters)
            {
                char u = char.ToUpperInvariant(ch);
                if (u < 'A' || u > 'Z') return -1;
                n = n * 26 + (u - 'A' + 1);
            }
            return n - 1;
        }
    }
}
