using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Targets;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;
using Perf.Results.Model;

namespace Perf.Load.Tests.Engine;

public sealed class FindMaxSearchTests
{
    private static readonly FindMaxOptions ShortSteps = new(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(200), GrowthFactor: 2, MaxSteps: 2, Refinements: 0, WarmUpStep: false);

    [Fact]
    public async Task A_search_runs_rising_steps_and_reports_the_best_passing_rate()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var search = new FindMaxSearch(new LoadScenario { Connections = 2, RatePerSecond = 100, MessageSize = 64 }, Slo.Parse("p99=2s"), ShortSteps);

        var result = await search.RunAsync(_ => Task.FromResult<ILoadTarget>(new EchoTarget(server.EndPoint)), null, CancellationToken.None);

        // Timing decides pass or fail on a shared machine; the bookkeeping must hold either way.
        Assert.InRange(result.Steps.Count, 1, 2);
        Assert.Equal(100, result.Steps[0].OfferedRate);
        var best = result.Steps.Where(s => s.Passed).Select(s => s.OfferedRate).DefaultIfEmpty(0).Max();
        Assert.Equal(best, result.MaxSustainableRate);
        Assert.All(result.Steps, s => Assert.Equal(0, s.Lost));
    }

    [Fact]
    public void A_step_within_the_slo_with_everything_delivered_passes()
    {
        var step = FindMaxSearch.Judge(1000, Run(1000, delivered: 5000, latencyMicros: 2000, lagMicros: 10), Slo.Parse("p99=5ms"));
        Assert.True(step.Passed, step.Reason);
        Assert.Null(step.Reason);
    }

    [Fact]
    public void A_step_over_the_slo_fails_and_says_by_how_much()
    {
        var step = FindMaxSearch.Judge(1000, Run(1000, delivered: 5000, latencyMicros: 9000, lagMicros: 10), Slo.Parse("p99=5ms"));
        Assert.False(step.Passed);
        Assert.Contains("over the 5000 µs limit", step.Reason, StringComparison.Ordinal);
        Assert.False(step.GeneratorBound);
    }

    [Fact]
    public void A_step_with_refused_messages_fails_even_within_the_slo()
    {
        var step = FindMaxSearch.Judge(1000, Run(1000, delivered: 4000, latencyMicros: 100, lagMicros: 10), Slo.Parse("p99=5ms"));
        Assert.False(step.Passed);
        Assert.Contains("0 lost and 1000 rejected", step.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_where_the_generator_lagged_is_blamed_on_the_generator()
    {
        var step = FindMaxSearch.Judge(1000, Run(1000, delivered: 5000, latencyMicros: 9000, lagMicros: 20_000), Slo.Parse("p99=5ms"));
        Assert.False(step.Passed);
        Assert.True(step.GeneratorBound);
        Assert.Contains("generator fell behind", step.Reason, StringComparison.Ordinal);
    }

    // A 5-second step at the given rate, with every message at the given latency and lag.
    private static LoadRunResult Run(double rate, int delivered, long latencyMicros, long lagMicros)
    {
        var recorders = new LoadRecorders();
        var ticksPerMicro = System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        for (var i = 0; i < (int)(rate * 5); i++)
        {
            recorders.CountSent();
            recorders.Record(LoadStage.GeneratorLag, lagMicros * ticksPerMicro);
        }

        for (var i = 0; i < delivered; i++)
        {
            recorders.CountDelivered();
            recorders.Record(LoadStage.EndToEnd, latencyMicros * ticksPerMicro);
        }

        for (var i = delivered; i < (int)(rate * 5); i++)
        {
            recorders.CountRejected();
        }

        recorders.TakeInterval();
        return new LoadRunResult("echo", LoadStages.None, new LoadScenario { RatePerSecond = rate }, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), (long)(rate * 5), recorders);
    }
}
