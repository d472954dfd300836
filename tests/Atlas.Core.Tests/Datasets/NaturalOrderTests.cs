using System.Collections.Generic;
using Atlas.Core.Datasets;
using Xunit;

namespace Atlas.Core.Tests.Datasets
{
    public class NaturalOrderTests
    {
        [Fact]
        public void MaskRanksSortByValue()
        {
            var names = new List<string>
            {
                "c0001s0001t01_LesionSmooth_10.nii.gz", "c0001s0001t01_LesionSmooth_2.nii.gz",
                "c0001s0001t01_LesionSmooth.nii.gz", "c0001s0001t01_LesionSmooth_1.nii.gz",
                "c0001s0001t01_LesionSmooth_11.nii.gz",
            };
            names.Sort(NaturalOrder.Instance);
            Assert.Equal(new[]
            {
                "c0001s0001t01_LesionSmooth.nii.gz", "c0001s0001t01_LesionSmooth_1.nii.gz",
                "c0001s0001t01_LesionSmooth_2.nii.gz", "c0001s0001t01_LesionSmooth_10.nii.gz",
                "c0001s0001t01_LesionSmooth_11.nii.gz",
            }, names);
        }

        [Theory]
        [InlineData("a2", "a10", -1)]
        [InlineData("a10", "a2", 1)]
        [InlineData("a02", "a2", 1)]      // same value: fewer leading zeros first
        [InlineData("a2b", "a2c", -1)]
        [InlineData("A1", "a1", -1)]      // case only breaks ties (ordinal)
        [InlineData("b1", "A2", 1)]       // letters compare case-insensitively first
        [InlineData("x", "x1", -1)]       // a prefix first
        [InlineData("sub-99", "sub-100", -1)]
        [InlineData("same", "same", 0)]
        public void ComparesDigitRunsByValue(string x, string y, int sign)
        {
            Assert.Equal(sign, System.Math.Sign(NaturalOrder.Instance.Compare(x, y)));
            Assert.Equal(-sign, System.Math.Sign(NaturalOrder.Instance.Compare(y, x)));
        }
    }
}
