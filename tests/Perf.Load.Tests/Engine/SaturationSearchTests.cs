using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;
using Perf.Results.Model;

namespace Perf.Load.Tests.Engine;

public sealed class SaturationSearchTests
{
    private static readonly SaturationOptions ShortSteps = new(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(200), GrowthFactor: 2, MaxSteps: 2, Refinements: 0);

    [Fact]
    public async Task Steps_that_meet_the_slo_raise_the_rate_and_the_last_good_rate_is_the_maximum()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var slo = Slo.Parse("p99=2s");
        var search = new SaturationSearch(new LoadScenario { Connections = 2, RatePerSecond = 100, MessageSize = 64 }, slo, ShortSteps);

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
        var slo = Slo.Parse("p50=1us");
        var search = new SaturationSearch(new LoadScenario { Connections = 1, RatePerSecond = 100, MessageSize = 64 }, slo, ShortSteps);

        var result = await search.RunAsync(_ => Task.FromResult<ILoadTarget>(new EchoTarget(server.EndPoint)), null, CancellationToken.None);

        Assert.Single(result.Steps);
        Assert.False(result.Steps[0].Passed);
        Assert.Equal(0, result.MaxSustainableRate);
        Assert.Contains("over the 1 us limit", result.StopReason, StringComparison.Ordinal);
    }
}
