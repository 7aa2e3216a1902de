using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Load.Targets;
using Perf.Load.Processes;
using Perf.Load.Targets.Nats;
using Relay.Crypto.Aead;

namespace Perf.Load.Tests.Targets;

/// <summary>The NATS target against a real nats-server started for the test (skipped, with the reason, where none is installed).</summary>
public sealed class NatsTargetTests
{
    [SkippableFact]
    public async Task A_short_run_through_nats_seals_delivers_and_opens_every_message()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var server = await NatsServerProcess.StartAsync(CancellationToken.None);
        await using var target = new NatsTarget(server.Url, AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
        var scenario = new LoadScenario { Connections = 3, RatePerSecond = 300, MessageSize = 256, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromMilliseconds(300) };

        var result = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        var r = result.Recorders;

        Assert.True(r.Sent > 0);
        Assert.Equal(r.Sent, r.Delivered + r.Rejected + result.Lost);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, r.Errors);
        Assert.Equal(0, r.Duplicates);
        Assert.Equal(r.Sent, r.Total(LoadStage.Seal).TotalCount);
        Assert.Equal(r.Delivered, r.Total(LoadStage.Open).TotalCount);
        Assert.Equal(r.Delivered, r.Total(LoadStage.EndToEnd).TotalCount);
    }

    [Fact]
    public async Task An_unreachable_nats_server_is_a_target_error_saying_how_to_fix_it()
    {
        var port = LoopbackPort.Free();
        await using var target = new NatsTarget($"nats://127.0.0.1:{port}", AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);

        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => new OpenLoopRunner(new LoadScenario { Connections = 1 }).RunAsync(target, null, CancellationToken.None));

        Assert.Contains("nats-server", ex.Message, StringComparison.Ordinal);
    }
}
