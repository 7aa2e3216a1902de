using Perf.Testing;
using Perf.Testing.Nats;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// With a publish window the node holds its publishes briefly and sends them together: every SEND
/// is still ACCEPTED only once stored and delivered once, in order, and the publishes leave in
/// fewer batches than messages (what saves nats-server its wake-ups).
/// </summary>
public sealed class PublishWindowTests
{
    private const int Messages = 100;

    [SkippableFact]
    public async Task Sends_in_a_burst_leave_in_batches_and_each_is_accepted_once_stored_and_delivered_once_in_order()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey, publishWindow: TimeSpan.FromMilliseconds(5));
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);
        var bob = new Identity(bobKey.PublicKey);

        for (var i = 1; i <= Messages; i++)
        {
            alice.Send((ulong)i, bob, [(byte)i]);
        }

        await alice.FlushAsync();
        var relayIds = new HashSet<ulong>();
        for (var i = 0; i < Messages; i++)
        {
            var accepted = await alice.ExpectAsync(FrameType.Accepted);
            Assert.True(relayIds.Add(accepted.RelayMessageId), "each SEND has its own stream sequence");
        }

        // Nothing ACKed yet: every ACCEPTED message is in the stream.
        Assert.Equal((ulong)Messages, await MailboxStreamProbe.MessagesOnAsync(nats.Url, node.Store.Subjects.Mailbox(bob)));
        var (publishes, batches) = node.Store.Batched;
        Assert.Equal(Messages, publishes);
        Assert.InRange(batches, 1, Messages / 4);

        await using var recipient = await node.ConnectAsync(bobKey);
        for (var i = 1; i <= Messages; i++)
        {
            var deliver = await recipient.ExpectAsync(FrameType.Deliver);
            Assert.Equal(new[] { (byte)i }, System.Buffers.BuffersExtensions.ToArray(deliver.Envelope));
            Assert.Contains(deliver.RelayMessageId, relayIds);
        }

        await recipient.ExpectNothingPendingAsync();
    }

    [SkippableFact]
    public async Task Without_a_window_nothing_is_batched()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);

        Assert.Equal(FrameType.Accepted, (await alice.SendAsync(1, bobKey, [1])).Type);
        Assert.Equal(default, node.Store.Batched);
    }
}
