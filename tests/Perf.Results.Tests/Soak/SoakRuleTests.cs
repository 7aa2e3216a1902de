using Perf.Results.Model;
using Perf.Results.Soak;

namespace Perf.Results.Tests.Soak;

/// <summary>The soak rule on synthetic readings: each broken rule is one line, a flat clean run passes.</summary>
public sealed class SoakRuleTests
{
    private static readonly SoakRuleOptions Options = new();

    [Fact]
    public void A_flat_run_that_lost_nothing_passes()
    {
        var verdict = Judge(SeriesFixture.Minutes(30, i => 300_000_000 + ((i % 2) * 1_000_000L)), first: 1000, last: 1400, lost: 0);

        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
        Assert.Empty(verdict.Failures);
        Assert.Equal(300, verdict.WindowS);
    }

    [Fact]
    public void Memory_growing_past_the_bound_fails_with_one_line()
    {
        // Growing 0.5 MB a minute, 30 MB/h, from 300 MB as the warm-up ends (minute 4 ends at 300 s): 10 %/h.
        var verdict = Judge(SeriesFixture.Minutes(30, i => 298_000_000 + (500_000L * i)), first: 1000, last: 1000, lost: 0);

        Assert.False(verdict.Passed);
        var failure = Assert.Single(verdict.Failures);
        Assert.StartsWith("memory: resident set grew 10", failure, StringComparison.Ordinal);
        Assert.Contains("bound 5 %/h", failure, StringComparison.Ordinal);
        Assert.Equal(10, verdict.RssPercentPerHour!.Value, 6);
    }

    [Fact]
    public void Growth_just_under_the_bound_passes()
    {
        // 4.8 %/h.
        var verdict = Judge(SeriesFixture.Minutes(30, i => 300_000_000 + (240_000L * i)), first: 1000, last: 1000, lost: 0);

        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
    }

    [Fact]
    public void Any_loss_fails()
    {
        var verdict = Judge(SeriesFixture.Minutes(30, _ => 300_000_000), first: 1000, last: 1000, lost: 1);

        Assert.Equal("loss: 1 message(s) lost (bound 0)", Assert.Single(verdict.Failures));
    }

    [Theory]
    [InlineData(1000, 1500, true)]
    [InlineData(1000, 1501, false)]
    [InlineData(0, 10, false)]
    public void The_last_windows_p99_may_be_at_most_one_and_a_half_times_the_first(double first, double last, bool passes)
    {
        var verdict = Judge(SeriesFixture.Minutes(30, _ => 300_000_000), first, last, lost: 0);

        Assert.Equal(passes, verdict.Passed);
        if (!passes)
        {
            Assert.StartsWith("latency: p99 of the last 300 s", Assert.Single(verdict.Failures), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_broken_rule_is_its_own_line()
    {
        var verdict = Judge(SeriesFixture.Minutes(30, i => 300_000_000 + (5_000_000L * i)), first: 1000, last: 9000, lost: 7);

        Assert.Equal(3, verdict.Failures.Count);
    }

    [Fact]
    public void A_run_too_short_for_a_slope_or_without_memory_readings_fails_saying_why()
    {
        var tooShort = SoakRule.Evaluate(new SoakReading(null, 60, 1000, 1000, 0), Options);
        var unread = Judge(SeriesFixture.Minutes(30, _ => 0).Select(e => e with { RssBytes = null }).ToList(), 1000, 1000, 0);

        Assert.StartsWith("memory: too short to fit a slope", Assert.Single(tooShort.Failures), StringComparison.Ordinal);
        Assert.StartsWith("memory: the target's resident set was not read", Assert.Single(unread.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void The_warm_up_and_window_are_at_most_half_a_short_run()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Options.WarmupFor(TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromMinutes(1), Options.WarmupFor(TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.FromMinutes(1), Options.WindowFor(TimeSpan.FromMinutes(2)));
        Assert.NotNull(new SoakRuleOptions { MaxP99Ratio = 0.5 }.Validate());
        Assert.NotNull(new SoakRuleOptions { MaxRssPercentPerHour = double.NaN }.Validate());
        Assert.Null(Options.Validate());
    }

    private static SoakVerdict Judge(IReadOnlyList<SeriesEntry> series, double first, double last, long lost) =>
        SoakRule.Evaluate(new SoakReading(SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds), Options.Window.TotalSeconds, first, last, lost), Options);
}
