using System;
using System.Collections.Generic;

namespace Atlas.Core.Datasets
{
    /// <summary>
    /// File names in "natural" order: runs of digits compare by value, so <c>_LesionSmooth_2</c> comes
    /// before <c>_LesionSmooth_10</c> (the rank order of ATLAS mask names); other characters compare
    /// ordinally, case-insensitively first and then by case, so the order is total and the same everywhere.
    /// </summary>
    public sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new NaturalOrder();

        public int Compare(string x, string y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x == null) return -1;
            if (y == null) return 1;
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsDigit(x[i]) && char.IsDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (si < x.Length && x[si] == '0') si++;
                    while (sj < y.Length && y[sj] == '0') sj++;
                    int ei = si, ej = sj;
                    while (ei < x.Length && char.IsDigit(x[ei])) ei++;
                    while (ej < y.Length && char.IsDigit(y[ej])) ej++;
                    int len = (ei - si).CompareTo(ej - sj);          // more significant digits: larger
                    if (len != 0) return len;
                    int digits = string.CompareOrdinal(x, si, y, sj, ei - si);
                    if (digits != 0) return digits;
                    int zeros = (si - i).CompareTo(sj - j);          // equal values: fewer leading zeros first
                    if (zeros != 0) return zeros;
                    i = ei; j = ej;
                    continue;
                }
                int c = char.ToUpperInvariant(x[i]).CompareTo(char.ToUpperInvariant(y[j]));
                if (c != 0) return c;
                i++; j++;
            }
            int rest = (x.Length - i).CompareTo(y.Length - j);
            return rest != 0 ? rest : string.CompareOrdinal(x, y);
        }
    }
}
