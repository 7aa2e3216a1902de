using System.Net;
using Perf.Load.Engine;
using Perf.Load.Shards;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Shards;

/// <summary>The engine's slice of a schedule: shards started together send, between them, exactly the whole run's messages.</summary>
public sealed class ShardScheduleTests
{
    [Fact]
    public async Task Three_shards_with_a_common_start_schedule_exactly_the_messages_of_the_unsharded_run()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var whole = new LoadScenario { Connections = 5, RatePerSecond = 500, MessageSize = 64, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromMilliseconds(500) };
        LoadRunResult unsharded;
        await using (var target = new EchoTarget(server.EndPoint))
        {
            unsharded = await new OpenLoopRunner(whole).RunAsync(target, null, CancellationToken.None);
        }

        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var shards = await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            await using var target = new EchoTarget(server.EndPoint);
            return await new OpenLoopRunner(new ShardPlan(i, 3).Slice(whole)) { StartGate = _ => Task.FromResult(start) }.RunAsync(target, null, CancellationToken.None);
        }));

        // Schedule arithmetic, not timing: each connection keeps its phase, rate and seed.
        Assert.Equal(unsharded.Scheduled, shards.Sum(s => s.Scheduled));
        Assert.Equal(unsharded.Recorders.Sent, shards.Sum(s => s.Recorders.Sent));
        Assert.Equal(unsharded.Recorders.Delivered, shards.Sum(s => s.Recorders.Delivered));
        Assert.Equal(0, unsharded.Lost + shards.Sum(s => s.Lost));
        Assert.All(shards, s => Assert.InRange(s.Recorders.Sent, 1, unsharded.Recorders.Sent / 2));
    }
}
