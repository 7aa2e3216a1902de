using System.Diagnostics;
using Perf.Testing.Folders;
using Perf.Testing.Processes;
using Perf.Testing.Relays;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Perf.Integration.Tests.Relay;

/// <summary><c>perf relay --store nats://...</c> as its own process: kill -9 loses no accepted message; NATS unreachable at start is one line and exit 2.</summary>
public sealed class PerfRelayStoreTests(Xunit.Abstractions.ITestOutputHelper output) : TempFolder
{
    [SkippableFact]
    public async Task Messages_accepted_for_an_offline_recipient_survive_kill_9_of_the_relay_and_are_delivered_after_a_restart()
    {
        const int Messages = 50;
        await using var nats = await JetStreamServer.StartAsync();
        var keyFile = Path.Combine(Folder, "relay.key");
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        var accepted = new HashSet<ulong>();
        var killed = new Stopwatch();
        await using (var relay = await PerfBinary.StartRelayAsync("--key", keyFile, "--store", nats.Url))
        {
            var alice = await RelayClientConnection.ConnectTcpAsync(relay.TcpEndPoint, aliceKey, new RelayClientOptions { RelayKey = relay.RelayKey }, CancellationToken.None);
            for (var i = 0; i < Messages; i++)
            {
                alice.Send((ulong)i, new Identity(bobKey.PublicKey), BitConverter.GetBytes(i));
            }

            await alice.FlushAsync();
            while (accepted.Count < Messages)
            {
                accepted.Add((await alice.ExpectAsync(FrameType.Accepted)).RelayMessageId);
            }

            killed = Stopwatch.StartNew();
            await relay.KillAsync(); // -9 right after the last ACCEPTED: no graceful anything
            await alice.DisposeAsync();
        }

        var killedAfter = killed.Elapsed;
        await using var restarted = await PerfBinary.StartRelayAsync("--key", keyFile, "--store", nats.Url);
        var listeningAfter = killed.Elapsed;
        await using var bob = await RelayClientConnection.ConnectTcpAsync(restarted.TcpEndPoint, bobKey, new RelayClientOptions { RelayKey = restarted.RelayKey }, CancellationToken.None);
        var delivered = new List<int>();
        for (var i = 0; i < Messages; i++)
        {
            var frame = await bob.ExpectAsync(FrameType.Deliver);
            Assert.Contains(frame.RelayMessageId, accepted);
            delivered.Add(BitConverter.ToInt32(System.Buffers.BuffersExtensions.ToArray(frame.Envelope)));
        }

        Assert.Equal(Enumerable.Range(0, Messages), delivered); // all, in order
        await bob.ExpectNothingPendingAsync();
        output.WriteLine($"accepted {accepted.Count}, killed -9 in {killedAfter.TotalMilliseconds:F0} ms, restarted relay listening after {listeningAfter.TotalSeconds:F2} s, delivered {delivered.Count} of {Messages} in order {killed.Elapsed.TotalSeconds - listeningAfter.TotalSeconds:F2} s after that");
    }

    [SkippableFact]
    public async Task Perf_relay_with_nats_unreachable_prints_one_line_and_exits_2()
    {
        var (exitCode, error) = await PerfBinary.RunAsync("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--store", "nats://127.0.0.1:1");

        Assert.Equal(2, exitCode);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("perf relay: --store: cannot reach NATS at nats://127.0.0.1:1", lines[0], StringComparison.Ordinal);
    }
}
