using Perf.Testing;
using Perf.Testing.Nats;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Tests;

/// <summary>The JetStream store against a real nats-server -js: held, delivered, acknowledged, limits, outages, and nodes that form one relay.</summary>
public sealed class JetStreamStoreTests
{
    [SkippableFact]
    public async Task A_message_sent_through_one_node_reaches_a_recipient_connected_to_another_live_and_after_being_offline()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeA = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeB = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();

        // Offline: held in JetStream through node A, delivered when Bob connects to node B.
        await using var alice = await nodeA.ConnectAsync(aliceKey);
        var offline = await alice.SendAsync(1, bobKey, [1, 1]);
        Assert.Equal(FrameType.Accepted, offline.Type);
        await using var bob = await nodeB.ConnectAsync(bobKey);
        var first = await bob.ExpectAsync(FrameType.Deliver);
        Assert.Equal(offline.RelayMessageId, first.RelayMessageId);
        Assert.Equal(new Identity(aliceKey.PublicKey), first.Identity);

        // Live: Bob is connected to node B; Alice sends through node A; no reconnect, no poll.
        var live = await alice.SendAsync(2, bobKey, [2, 2]);
        var second = await bob.ExpectAsync(FrameType.Deliver);
        Assert.Equal(live.RelayMessageId, second.RelayMessageId);
        Assert.Equal(new byte[] { 2, 2 }, System.Buffers.BuffersExtensions.ToArray(second.Envelope));
        Assert.True(second.RelayMessageId > first.RelayMessageId, "relay ids are stream sequences, unique across nodes");

        // And back: Bob answers through node B, Alice (on node A) gets it.
        Assert.Equal(FrameType.Accepted, (await bob.SendAsync(3, aliceKey, [3])).Type);
        Assert.Equal(new Identity(bobKey.PublicKey), (await alice.ExpectAsync(FrameType.Deliver)).Identity);
    }

    [SkippableFact]
    public async Task An_acked_message_is_gone_from_jetstream_and_an_unacked_one_comes_again_on_any_node()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeA = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeB = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using (var alice = await nodeA.ConnectAsync(aliceKey))
        {
            await alice.SendAsync(1, bobKey, [1]);
            await alice.SendAsync(2, bobKey, [2]);
        }

        ulong acked;
        await using (var bob = await nodeA.ConnectAsync(bobKey))
        {
            acked = (await bob.ExpectAsync(FrameType.Deliver)).RelayMessageId;
            await bob.ExpectAsync(FrameType.Deliver);
            bob.Ack(acked);
            await bob.FlushAsync();
            await bob.ExpectNothingPendingAsync();
            await Eventually.TrueAsync(() => nodeA.Store.Metrics.PendingPublishes == 0 && nodeA.Server.Router.Acknowledged == 1, "the ACK applied");
        }

        // The removal is asynchronous to the ACK (batched, sent at the latest when Bob's connection leaves).
        var bobMailbox = nodeA.Store.Subjects.Mailbox(new Identity(bobKey.PublicKey));
        await Eventually.TrueAsync(async () => await MailboxStreamProbe.MessagesOnAsync(nats.Url, bobMailbox) == 1, "the ACKed message removed");
        await using var again = await nodeB.ConnectAsync(bobKey);
        var redelivered = await again.ExpectAsync(FrameType.Deliver);
        Assert.NotEqual(acked, redelivered.RelayMessageId);
        Assert.Equal(new byte[] { 2 }, System.Buffers.BuffersExtensions.ToArray(redelivered.Envelope));
        await again.ExpectNothingPendingAsync();
    }

    [SkippableFact]
    public async Task A_full_mailbox_in_jetstream_is_rejected_mailbox_full()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey, new MailboxLimits { MaxMessages = 2 });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);

        Assert.Equal(FrameType.Accepted, (await alice.SendAsync(1, bobKey, [1])).Type);
        Assert.Equal(FrameType.Accepted, (await alice.SendAsync(2, bobKey, [2])).Type);
        var third = await alice.SendAsync(3, bobKey, [3]);

        Assert.Equal(FrameType.Rejected, third.Type);
        Assert.Equal((byte)RejectReason.MailboxFull, third.Code);
    }

    [SkippableFact]
    public async Task With_nats_gone_sends_are_rejected_store_unavailable_and_the_relay_recovers_when_it_returns()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);
        await using var bob = await node.ConnectAsync(bobKey);
        Assert.Equal(FrameType.Accepted, (await alice.SendAsync(1, bobKey, [1])).Type);
        var before = await bob.ExpectAsync(FrameType.Deliver);
        bob.Ack(before.RelayMessageId);
        await bob.FlushAsync();

        await nats.KillAsync();
        var refused = await alice.SendAsync(2, bobKey, [2]);
        Assert.Equal(FrameType.Rejected, refused.Type);
        Assert.Equal((byte)RejectReason.StoreUnavailable, refused.Code);

        await nats.RestartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var id = 3UL;
        while ((await alice.SendAsync(id, bobKey, [3])).Type != FrameType.Accepted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the relay did not recover within 15 s of NATS returning");
            await Task.Delay(200);
            id++;
        }

        // Bob's watch came back too: the message sent after recovery reaches his live connection.
        // The refused one may come first: refused means "not confirmed", and the NATS client can
        // still hand a publish it had buffered to the server once it is back (at least once).
        var body = System.Buffers.BuffersExtensions.ToArray((await bob.ExpectAsync(FrameType.Deliver, 20)).Envelope);
        if (body.SequenceEqual(new byte[] { 2 }))
        {
            body = System.Buffers.BuffersExtensions.ToArray((await bob.ExpectAsync(FrameType.Deliver, 20)).Envelope);
        }

        Assert.Equal(new byte[] { 3 }, body);
    }
}

/// <summary>Runs alone: OpenTelemetry listens to every meter of these names in the process.</summary>
[CollectionDefinition(nameof(MetersCollection), DisableParallelization = true)]
public sealed class MetersCollection;

/// <summary>The store's own figures beside the relay's at /metrics.</summary>
[Collection(nameof(MetersCollection))]
public sealed class JetStreamMetricsTests
{
    [SkippableFact]
    public async Task The_store_exports_publish_latency_and_pending_acks_at_metrics()
    {
        await using var nats = await JetStreamServer.StartAsync();
        await using var store = await JetStreamMailboxStore.ConnectAsync(new JetStreamStoreOptions { Url = nats.Url });
        using var relayKey = X25519KeyPair.Generate();
        await using var server = await Relay.Server.RelayServer.StartAsync(new Relay.Server.RelayOptions
        {
            TcpEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            WebSocketEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            WebSocketSecret = new byte[32],
            StaticKey = relayKey,
            Store = store,
            PrometheusMetrics = true,
            ExportedMeters = [JetStreamMetrics.MeterName],
        });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using (var alice = await Relay.Client.RelayClientConnection.ConnectTcpAsync(server.TcpEndPoint, aliceKey, new Relay.Client.RelayClientOptions { RelayKey = relayKey.PublicKey.ToArray() }, CancellationToken.None))
        {
            Assert.Equal(FrameType.Accepted, (await alice.SendAsync(1, bobKey, [1])).Type);
        }

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://{server.WebSocketEndPoint}/metrics"));

        Assert.Contains("relay_store_publish_latency_microseconds_bucket", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^relay_store_publish_latency_microseconds_count(\{[^}]*\})? 1( |$)", text);
        Assert.Matches(@"(?m)^relay_store_publish_latency_microseconds_bucket\{[^}]*le=""1000000""\} ", text); // bounds up to 1 s in µs
        Assert.Contains("relay_store_pending_acks", text, StringComparison.Ordinal);
        Assert.Contains("relay_messages_accepted_total", text, StringComparison.Ordinal);
    }
}
