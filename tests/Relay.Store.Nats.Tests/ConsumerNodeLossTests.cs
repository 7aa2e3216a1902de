using NATS.Client.Core;
using NATS.Client.JetStream;
using Perf.Load.Processes;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Xunit.Abstractions;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// On a real 3-node NATS cluster (JetStream, replicas 3): the NATS node that holds a recipient's
/// consumer dies while the relay's own NATS connection, to another node, stays up. No reconnect
/// tells the relay; the recipient must still get what is sent to it afterwards.
/// </summary>
public sealed class ConsumerNodeLossTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_recipient_whose_consumer_died_with_its_nats_node_still_gets_new_messages()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var cluster = await NatsCluster.StartAsync(3, CancellationToken.None);
        var firstNode = cluster.Urls.Split(',')[0];
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(firstNode, relayKey, replicas: 3);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);
        await using var observer = new NatsConnection(new NatsOpts { Url = firstNode });
        var js = new NatsJSContext(observer);

        // Bob connects until his consumer sits on a node other than the relay's own (n0).
        Relay.Client.RelayClientConnection? bob = null;
        var holder = -1;
        for (var attempt = 0; attempt < 12 && holder <= 0; attempt++)
        {
            if (bob is not null)
            {
                await bob.DisposeAsync();
                await Task.Delay(300);
            }

            bob = await node.ConnectAsync(bobKey);
            Assert.Equal(FrameType.Accepted, (await alice.SendAsync((ulong)attempt + 1, bobKey, [1])).Type);
            bob.Ack((await bob.ExpectAsync(FrameType.Deliver)).RelayMessageId);
            await bob.FlushAsync();
            holder = await ConsumerNodeAsync(js);
        }

        Skip.If(holder <= 0, "twelve consumers in a row were placed on the relay's own NATS node");
        await using var _ = bob!;
        Assert.True(await cluster.KillAsync(holder));
        var killed = System.Diagnostics.Stopwatch.StartNew();

        // Sends are refused while JetStream elects new leaders; then one is held and must arrive.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var id = 100UL;
        RelayFrame accepted;
        while ((accepted = await alice.SendAsync(id++, bobKey, [7, 7])).Type != FrameType.Accepted)
        {
            Assert.Equal((byte)RejectReason.StoreUnavailable, accepted.Code);
            Assert.True(DateTime.UtcNow < deadline, "JetStream did not take a message within 30 s of losing one of three nodes");
            await Task.Delay(200);
        }

        var acceptedAfter = killed.Elapsed;

        // Earlier messages may come again first (their ACK's delete raced the reconnects).
        RelayFrame delivered;
        do
        {
            delivered = await bob!.ExpectAsync(FrameType.Deliver, seconds: 30);
        }
        while (delivered.RelayMessageId != accepted.RelayMessageId);
        output.WriteLine($"consumer on n{holder} killed; a send was accepted after {acceptedAfter.TotalSeconds:F1} s and delivered after {killed.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(new byte[] { 7, 7 }, System.Buffers.BuffersExtensions.ToArray(delivered.Envelope));
    }

    // The node ("nI") leading the newest watch consumer of the mailbox stream, or -1.
    private static async Task<int> ConsumerNodeAsync(NatsJSContext js)
    {
        DateTimeOffset newest = default;
        var leader = -1;
        await foreach (var consumer in js.ListConsumersAsync("RELAY_MAILBOXES", CancellationToken.None))
        {
            var info = consumer.Info;
            if (info.Name.StartsWith("watch-", StringComparison.Ordinal) && info.Created > newest && info.Cluster?.Leader is { Length: > 1 } name)
            {
                newest = info.Created;
                leader = int.Parse(name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return leader;
    }
}
