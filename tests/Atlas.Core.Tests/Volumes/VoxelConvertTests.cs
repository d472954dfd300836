using Atlas.Core.Volumes;
using Xunit;

namespace Atlas.Core.Tests.Volumes
{
    public class VoxelConvertTests
    {
        // AllZero tests four vectors at a time, then single vectors, then bytes: a single non-zero byte anywhere (in
        // an unrolled block, a lone vector, the tail), at any offset of the span into its array, is found.
        [Fact]
        public void AllZero_finds_a_single_byte_anywhere()
        {
            var a = new byte[700];
            for (int offset = 0; offset < 3; offset++)
                for (int length = 0; length <= 600; length += length < 140 ? 1 : 37)
                {
                    Assert.True(VoxelConvert.AllZero(a, offset, length));
                    for (int p = 0; p < length; p++)
                    {
                        a[offset + p] = 1;
                        Assert.False(VoxelConvert.AllZero(a, offset, length), "length " + length + ", byte " + p + ", offset " + offset);
                        a[offset + p] = 0;
                    }
                    // Bytes just outside the span do not count.
                    if (offset > 0) { a[offset - 1] = 1; }
                    a[offset + length] = 1;
                    Assert.True(VoxelConvert.AllZero(a, offset, length));
                    if (offset > 0) a[offset - 1] = 0;
                    a[offset + length] = 0;
                }
        }
    }
}
