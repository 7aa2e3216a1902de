using System.Net;
using Perf.Load.Engine;
using Perf.Load.Output;
using Perf.Load.Probes;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Recording;

/// <summary>The per-minute series, with a one-second minute: one entry per interval of the measured window, adding up to the run's totals.</summary>
public sealed class LoadSeriesTests
{
    [Fact]
    public async Task A_run_has_one_series_entry_per_interval_and_they_add_up_to_its_totals()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var scenario = new LoadScenario
        {
            Connections = 2,
            RatePerSecond = 200,
            MessageSize = 64,
            Duration = TimeSpan.FromSeconds(3),
            Warmup = TimeSpan.FromMilliseconds(500),
            SeriesInterval = TimeSpan.FromSeconds(1),
        };
        await using var target = new EchoTarget(server.EndPoint);
        var probe = new CountingProbe();

        var run = await new OpenLoopRunner(scenario, hooks: new LoadRunHooks { Probe = probe }).RunAsync(target, null, CancellationToken.None);
        var entries = SeriesResults.Entries(run)!;

        Assert.Equal([0, 1, 2], entries.Select(e => e.Index));
        Assert.Equal([0.0, 1.0, 2.0], entries.Select(e => e.StartS));
        Assert.All(entries, e => Assert.Equal(1.0, e.Seconds));
        Assert.Equal(run.Recorders.Sent, entries.Sum(e => e.Sent));
        Assert.Equal(run.Recorders.Delivered, entries.Sum(e => e.Delivered));
        Assert.Equal(run.Recorders.Total(LoadStage.EndToEnd).TotalCount, entries.Sum(e => e.Count));
        Assert.All(entries, e => Assert.InRange(e.Sent, 200 - 2, 200 + 2)); // the schedule's arithmetic, not timing
        Assert.All(entries, e => Assert.Equal(0, e.Lost));

        // One reading as the window opened, one at the end of each entry; the entries carry their
        // end's figures and the collections and pauses between their two readings.
        Assert.Equal(4, probe.Reads);
        Assert.Equal([1_000_001L, 1_000_002, 1_000_003], entries.Select(e => e.RssBytes!.Value));
        Assert.All(entries, e => Assert.Equal(1L, e.Gen2Collections));
        Assert.All(entries, e => Assert.Equal(10.0, e.GcPauseMs!.Value, 6));
    }

    [Fact]
    public void Intervals_a_late_sampler_missed_are_closed_at_the_end_and_keep_their_counts()
    {
        var series = new LoadSeries(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        series.Open(start);
        series.CountSent(start + (System.Diagnostics.Stopwatch.Frequency / 2));
        series.CountSent(start + (System.Diagnostics.Stopwatch.Frequency * 3 / 2));
        series.CountSent(start + (System.Diagnostics.Stopwatch.Frequency * 5 / 2));
        series.CloseInterval(); // the sampler closed the first, then starved past the window's end

        series.CloseRemaining();

        Assert.Equal(3, series.Closed);
        Assert.Equal([1L, 1, 1], Enumerable.Range(0, 3).Select(i => series[i].Sent));
        series.CloseRemaining();
        Assert.Equal(3, series.Closed);
    }

    [Fact]
    public void A_window_shorter_than_one_interval_has_no_series_and_a_trailing_part_of_a_second_or_more_is_an_entry()
    {
        Assert.Equal(0, new LoadSeries(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(59)).Count);
        Assert.Equal(2, new LoadSeries(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(120.5)).Count);
        Assert.Equal(3, new LoadSeries(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(121)).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoadSeries(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Counts_go_to_the_interval_of_their_time_and_late_ones_to_the_last()
    {
        var series = new LoadSeries(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var second = System.Diagnostics.Stopwatch.Frequency;
        series.Open(10 * second);

        series.CountSent((10 * second) + 1);
        series.CountSent((11 * second) + 1);
        series.CountDelivered((11 * second) + 1);
        series.CountRejected(30 * second); // during the drain
        series.CountSent(9 * second); // warm-up: not counted
        series.CloseInterval();
        series.CloseInterval();

        Assert.Equal((1L, 0L, 0L), (series[0].Sent, series[0].Delivered, series[0].Rejected));
        Assert.Equal((1L, 1L, 1L), (series[1].Sent, series[1].Delivered, series[1].Rejected));
    }

    // Memory that grows a byte per reading, one gen-2 collection and 10 ms of pause between readings.
    private sealed class CountingProbe : ITargetProbe
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Task<TargetSnapshot> ReadAsync(CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _reads) - 1;
            return Task.FromResult(new TargetSnapshot(1_000_000 + n, 100, 5_000_000, n, n * 0.010, null));
        }
    }
}
