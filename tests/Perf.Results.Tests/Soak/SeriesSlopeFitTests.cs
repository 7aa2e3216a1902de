using Perf.Results.Soak;

namespace Perf.Results.Tests.Soak;

/// <summary>Slopes per hour after the warm-up, on series whose growth is known.</summary>
public sealed class SeriesSlopeFitTests
{
    [Fact]
    public void A_steady_growth_after_a_warm_up_spike_is_its_own_slope()
    {
        // 200 MB that grows 1 MB a minute, after a first five minutes of filling pools (+50 MB each).
        var series = SeriesFixture.Minutes(30, i => i < 4 ? 50_000_000L * (i + 1) : 200_000_000 + (1_000_000L * (i - 4)));

        var slopes = SeriesSlopeFit.Fit(series, warmupS: 300)!;

        // Entries ending at 300 s (minute 4) and after: 26 points.
        Assert.Equal(26, slopes.Points);
        Assert.Equal(60_000_000, slopes.RssBytes!.Value, 3);
        Assert.Equal(30.0, slopes.RssPercent!.Value, 6); // 60 MB/h of the 200 MB at the warm-up's end
        Assert.Equal(0, slopes.GcHeapBytes!.Value, 6);
        Assert.Equal(0, slopes.Handles!.Value, 6);
        Assert.Equal(0, slopes.P99Us, 6);
        Assert.Equal(0, slopes.Lost, 6);
    }

    [Fact]
    public void Without_a_warm_up_every_entry_counts()
    {
        var series = SeriesFixture.Minutes(10, i => 100_000_000 + (500_000L * i), p99: i => 1000 + (10 * i));

        var slopes = SeriesSlopeFit.Fit(series, warmupS: 0)!;

        Assert.Equal(10, slopes.Points);
        Assert.Equal(30_000_000, slopes.RssBytes!.Value, 3);
        Assert.Equal(600, slopes.P99Us, 6); // 10 us a minute
    }

    [Fact]
    public void Unread_memory_has_no_slope_and_a_too_short_series_none_at_all()
    {
        var series = SeriesFixture.Minutes(5, _ => 0).Select(e => e with { RssBytes = null }).ToList();

        Assert.Null(SeriesSlopeFit.Fit(series, 0)!.RssPercent);
        Assert.Null(SeriesSlopeFit.Fit(SeriesFixture.Minutes(5, _ => 1), warmupS: 290));
    }
}
