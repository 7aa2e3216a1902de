using Perf.Load.Shards;

namespace Perf.Load.Tests.Shards;

/// <summary><c>--shard I/N</c>: contiguous slices that add up to the whole run, each keeping its place in the whole schedule.</summary>
public sealed class ShardPlanTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(100_000, 6)]
    [InlineData(7, 7)]
    [InlineData(5, 1)]
    public void The_slices_cover_every_item_once_in_order(int total, int shards)
    {
        var next = 0;
        for (var i = 0; i < shards; i++)
        {
            var plan = new ShardPlan(i, shards);
            Assert.Equal(next, plan.FirstOf(total));
            Assert.InRange(plan.CountOf(total), total / shards, (total / shards) + 1);
            next += plan.CountOf(total);
        }

        Assert.Equal(total, next);
    }

    [Fact]
    public void A_slice_of_the_scenario_has_its_share_of_the_rate_and_its_place_in_the_whole()
    {
        var whole = new LoadScenario { Connections = 10, RatePerSecond = 1000 };

        var slice = new ShardPlan(2, 3).Slice(whole);

        Assert.Equal(4, slice.Connections); // connections 6 to 9
        Assert.Equal(400, slice.RatePerSecond, 9);
        Assert.Equal(new ConnectionSlice(6, 10, 1000), slice.Slice);
        Assert.Null(slice.Validate());
        Assert.NotNull((slice with { Connections = 5 }).Validate()); // 6 + 5 > 10
    }

    [Theory]
    [InlineData("0/4", 0, 4)]
    [InlineData("3/4", 3, 4)]
    [InlineData("0/1", 0, 1)]
    public void A_shard_parses_and_prints_back(string text, int index, int count)
    {
        Assert.True(ShardPlan.TryParse(text, out var shard, out var error), error);
        Assert.Equal(new ShardPlan(index, count), shard);
        Assert.Equal(text, shard!.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("4/4")]
    [InlineData("0/0")]
    [InlineData("-1/4")]
    [InlineData("1/4/8")]
    [InlineData("a/b")]
    [InlineData("0/5000")]
    public void Anything_else_is_refused_with_one_line(string? text)
    {
        Assert.False(ShardPlan.TryParse(text, out var shard, out var error));
        Assert.Null(shard);
        Assert.StartsWith("--shard ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }
}
