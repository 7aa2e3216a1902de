using NATS.Client.Core;
using NATS.Client.JetStream;
using Perf.Load.Processes;
using Perf.Testing;
using Perf.Testing.Nats;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Xunit.Abstractions;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// On a real 3-node NATS cluster (JetStream, replicas 3), while Bob stays connected to his relay
/// node: the NATS node leading the mailbox stream dies (JetStream elects another, which republishes
/// from then on), or the NATS node Bob's relay node is connected to dies (it reconnects elsewhere
/// and reads what was stored meanwhile). Either way every message accepted for Bob reaches his live
/// connection. The node to kill is chosen from the cluster's state, so every run asserts.
/// </summary>
public sealed class NatsNodeLossTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task When_the_stream_leaders_nats_node_dies_a_connected_recipient_still_gets_everything_accepted()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var cluster = await NatsCluster.StartAsync(3, CancellationToken.None);
        var urls = cluster.Urls.Split(',');
        using var relayKey = X25519KeyPair.Generate();

        // The stream exists once a relay node has started; the relay nodes under test avoid its leader's NATS node.
        await using (await JetStreamRelayNode.StartAsync(cluster.Urls, relayKey, replicas: 3))
        {
        }

        var leader = await StreamLeaderAsync(urls[0]);
        var others = string.Join(',', urls.Where((_, i) => i != leader));
        await using var nodeA = await JetStreamRelayNode.StartAsync(others, relayKey, replicas: 3);
        await using var nodeB = await JetStreamRelayNode.StartAsync(others, relayKey, replicas: 3);

        var readsBefore = nodeB.Store.Metrics.ReadsStarted;
        var disconnectsBefore = nodeB.Store.Disconnects;
        var killed = await RunThroughAsync(nodeA, nodeB, () => cluster.KillAsync(leader));

        // Bob's node stayed connected; the leader-elected advisory made it read his mailbox again.
        Assert.Equal(disconnectsBefore, nodeB.Store.Disconnects);
        await Eventually.TrueAsync(() => nodeB.Store.Metrics.ReadsStarted > readsBefore + 1, "a read after the new leader's advisory");
        var newLeader = await StreamLeaderAsync(others.Split(',')[0]);
        Assert.NotEqual(leader, newLeader);
        output.WriteLine($"stream leader n{leader} killed; n{newLeader} leads; {killed}");
    }

    [SkippableFact]
    public async Task When_the_nats_node_of_the_recipients_relay_dies_the_relay_reconnects_and_delivers_what_was_stored_meanwhile()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var cluster = await NatsCluster.StartAsync(3, CancellationToken.None);
        var urls = cluster.Urls.Split(',');
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeB = await JetStreamRelayNode.StartAsync(cluster.Urls, relayKey, replicas: 3);
        var bobsNats = int.Parse(nodeB.Store.ServerName!.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        await using var nodeA = await JetStreamRelayNode.StartAsync(string.Join(',', urls.Where((_, i) => i != bobsNats)), relayKey, replicas: 3);
        var readsBefore = 0L;
        var disconnectsBefore = nodeB.Store.Disconnects;

        var killed = await RunThroughAsync(nodeA, nodeB, async () =>
        {
            readsBefore = nodeB.Store.Metrics.ReadsStarted;
            var killed = await cluster.KillAsync(bobsNats);

            // The sends that follow are stored while Bob's relay node is off NATS: their republished copies never reach it.
            await Eventually.TrueAsync(() => nodeB.Store.Disconnects > disconnectsBefore, "Bob's relay node noticed", seconds: 5);
            return killed;
        });

        Assert.NotEqual($"n{bobsNats}", nodeB.Store.ServerName);
        Assert.True(nodeB.Store.Metrics.ReadsStarted > readsBefore, "the relay node read its live recipients' mailboxes again after reconnecting");
        output.WriteLine($"n{bobsNats} (Bob's relay's NATS node) killed; it reconnected to {nodeB.Store.ServerName}; {killed}");
    }

    // Alice (node A) sends to Bob (node B) before, through and after `fault`: sends refused while
    // JetStream recovers are sent again; every one accepted must reach Bob's same connection.
    private static async Task<string> RunThroughAsync(JetStreamRelayNode nodeA, JetStreamRelayNode nodeB, Func<Task<bool>> fault)
    {
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await nodeA.ConnectAsync(aliceKey);
        await using var bob = await nodeB.ConnectAsync(bobKey);
        var accepted = new HashSet<ulong>();
        var refused = 0;
        var id = 0UL;
        async Task SendUntilAcceptedAsync(TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            RelayFrame answer;
            while ((answer = await alice.SendAsync(++id, bobKey, BitConverter.GetBytes(id))).Type != FrameType.Accepted)
            {
                Assert.Equal((byte)RejectReason.StoreUnavailable, answer.Code);
                Assert.True(DateTime.UtcNow < deadline, "JetStream took no message within 30 s of losing one of three nodes");
                refused++;
                await Task.Delay(100);
            }

            accepted.Add(answer.RelayMessageId);
        }

        for (var i = 0; i < 10; i++)
        {
            await SendUntilAcceptedAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(await fault());
        var faulted = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 30; i++)
        {
            await SendUntilAcceptedAsync(TimeSpan.FromSeconds(30));
        }

        var delivered = new HashSet<ulong>();
        while (!accepted.IsSubsetOf(delivered))
        {
            var frame = await bob.ExpectAsync(FrameType.Deliver, seconds: 30);
            delivered.Add(frame.RelayMessageId);
            bob.Ack(frame.RelayMessageId);
        }

        await bob.FlushAsync();
        return $"{accepted.Count} accepted ({refused} refused while JetStream recovered), all delivered to the same connection within {faulted.Elapsed.TotalSeconds:F1} s of the fault";
    }

    // The node ("nI") leading the mailbox stream.
    private static async Task<int> StreamLeaderAsync(string url)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = url });
        var js = new NatsJSContext(nats);
        for (var attempt = 0; ; attempt++)
        {
            var stream = await js.GetStreamAsync("RELAY_MAILBOXES");
            if (stream.Info.Cluster?.Leader is { Length: > 1 } name)
            {
                return int.Parse(name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.True(attempt < 100, "the mailbox stream has no leader");
            await Task.Delay(100);
        }
    }
}
