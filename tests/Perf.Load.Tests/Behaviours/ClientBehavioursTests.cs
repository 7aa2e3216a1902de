using Perf.Load.Behaviours;

namespace Perf.Load.Tests.Behaviours;

/// <summary>Which recipients read slowly, and the flags' ranges.</summary>
public sealed class ClientBehavioursTests
{
    [Theory]
    [InlineData(5, 100, 5)]
    [InlineData(5, 10, 1)] // half a connection rounds up to one
    [InlineData(1, 10, 1)] // any share above 0 is at least one
    [InlineData(50, 3, 2)]
    [InlineData(100, 4, 4)]
    [InlineData(0, 100, 0)]
    public void The_slow_consumers_are_the_share_rounded_and_spread_over_the_connections(double percent, int connections, int expected)
    {
        var behaviours = new ClientBehaviours { SlowConsumerPercent = percent };

        var slow = Enumerable.Range(0, connections).Where(c => behaviours.IsSlowConsumer(c, connections)).ToList();

        Assert.Equal(expected, behaviours.SlowConsumerCount(connections));
        Assert.Equal(expected, slow.Count);
        if (expected > 1)
        {
            // Evenly spread: gaps differ by at most one.
            var gaps = slow.Zip(slow.Skip(1), (a, b) => b - a).ToList();
            Assert.True(gaps.Max() - gaps.Min() <= 1, string.Join(",", slow));
        }
    }

    [Theory]
    [InlineData(-1, 0, 0, "--churn")]
    [InlineData(0, 101, 0, "--slow-consumers")]
    [InlineData(0, 0, double.NaN, "--vanishing")]
    public void Out_of_range_shares_name_their_flag(double churn, double slow, double vanishing, string flag)
    {
        var problem = new ClientBehaviours { ChurnPercentPerMinute = churn, SlowConsumerPercent = slow, VanishingPercentPerMinute = vanishing }.Validate();

        Assert.StartsWith(flag, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_off_and_valid()
    {
        Assert.False(ClientBehaviours.None.Any);
        Assert.Null(ClientBehaviours.None.Validate());
        Assert.Equal(4096, ClientBehaviours.None.SlowConsumerBytesPerSecond);
        Assert.StartsWith("--slow-consumer-rate", new ClientBehaviours { SlowConsumerBytesPerSecond = 10 }.Validate(), StringComparison.Ordinal);
    }
}
