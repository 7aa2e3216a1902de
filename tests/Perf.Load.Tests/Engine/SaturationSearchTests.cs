using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Engine;

public sealed class SaturationSearchTests
{
    private static readonly SaturationOptions ShortSteps = new(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(200), GrowthFactor: 2, MaxSteps: 2, Refinements: 0);

    [Theory]
    [InlineData("p99=5ms", 99, 5_000)]
    [InlineData("p99.9=20ms", 99.9, 20_000)]
    [InlineData("p50=250us", 50, 250)]
    [InlineData("p90=1s", 90, 1_000_000)]
    public void Slos_parse_percentile_and_limit(string text, double percentile, long micros)
    {
        Assert.True(LatencySlo.TryParse(text, out var slo, out _));
        Assert.Equal(percentile, slo!.Percentile);
        Assert.Equal(micros, slo.LimitMicroseconds);
    }

    [Theory]
    [InlineData("99=5ms")]
    [InlineData("p100=5ms")]
    [InlineData("p99=5")]
    [InlineData("p99=-1ms")]
    [InlineData("p99")]
    public void Malformed_slos_are_refused_with_an_example(string text)
    {
        Assert.False(LatencySlo.TryParse(text, out _, out var error));
        Assert.Contains("e.g.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_that_meet_the_slo_raise_the_rate_and_the_last_good_rate_is_the_maximum()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        LatencySlo.TryParse("p99=2s", out var slo, out _);
        var search = new SaturationSearch(new LoadScenario { Connections = 2, RatePerSecond = 100, MessageSize = 64 }, slo!, ShortSteps);

        var result = await search.RunAsync(_ => Task.FromResult<ILoadTarget>(new EchoTarget(server.EndPoint)), null, CancellationToken.None);

        Assert.Equal(2, result.Steps.Count);
        Assert.All(result.Steps, s => Assert.True(s.Passed, s.Reason));
        Assert.Equal(100, result.Steps[0].OfferedRate);
        Assert.Equal(200, result.Steps[1].OfferedRate);
        Assert.Equal(200, result.MaxSustainableRate);
        Assert.Contains("still met the SLO", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_over_the_slo_stops_the_search_and_says_why()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        // 1 us cannot be met over loopback TCP: the first step must fail on latency.
        LatencySlo.TryParse("p50=1us", out var slo, out _);
        var search = new SaturationSearch(new LoadScenario { Connections = 1, RatePerSecond = 100, MessageSize = 64 }, slo!, ShortSteps);

        var result = await search.RunAsync(_ => Task.FromResult<ILoadTarget>(new EchoTarget(server.EndPoint)), null, CancellationToken.None);

        Assert.Single(result.Steps);
        Assert.False(result.Steps[0].Passed);
        Assert.Equal(0, result.MaxSustainableRate);
        Assert.Contains("over the 1 us limit", result.StopReason, StringComparison.Ordinal);
    }
}
