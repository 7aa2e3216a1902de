using Perf.Load.Os;

namespace Perf.Load.Tests.Os;

public sealed class CpuSetTests
{
    [Theory]
    [InlineData("0", "0", 1)]
    [InlineData("1,3", "1,3", 2)]
    [InlineData("3,1,2", "1-3", 3)]
    [InlineData("0-3,6", "0-3,6", 5)]
    [InlineData(" 2 , 0-1 ", "0-2", 3)]
    [InlineData("5,5,5", "5", 1)]
    public void Lists_parse_to_their_canonical_form(string text, string canonical, int count)
    {
        Assert.True(CpuSet.TryParse(text, out var set, out var error), error);

        Assert.Equal(canonical, set!.ToString());
        Assert.Equal(count, set.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("-1")]
    [InlineData("3-1")]
    [InlineData("1,,2")]
    [InlineData("0-5000")]
    [InlineData("1024")]
    public void Bad_lists_are_refused_with_a_message(string text)
    {
        Assert.False(CpuSet.TryParse(text, out var set, out var error));

        Assert.Null(set);
        Assert.Contains(text.Length == 0 ? "CPU list" : text, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Subsets_and_overlaps()
    {
        var all = CpuSet.Of(0, 1, 2, 3);

        Assert.True(CpuSet.Of(1, 3).IsSubsetOf(all));
        Assert.False(CpuSet.Of(3, 4).IsSubsetOf(all));
        Assert.True(CpuSet.Of(3, 4).Overlaps(all));
        Assert.False(CpuSet.Of(4, 5).Overlaps(all));
        Assert.Equal(CpuSet.Of(2, 1), CpuSet.Of(1, 2));
    }

    [Fact]
    public void A_mask_round_trips()
    {
        var set = CpuSet.Of(0, 63, 64, 1023);

        Assert.Equal(set, CpuSet.FromMask(set.ToMask()));
        Assert.Null(CpuSet.FromMask(new ulong[16]));
    }
}
