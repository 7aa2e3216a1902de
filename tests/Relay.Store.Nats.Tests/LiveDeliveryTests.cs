using Perf.Testing;
using Perf.Testing.Nats;
using System.Buffers;
using NATS.Client.Core;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// Live delivery on a real nats-server: a recipient connecting while messages are stored for it,
/// one moving between relay nodes mid-stream, what an online recipient costs NATS, and republished
/// copies that are forged or arrive after a gap.
/// </summary>
public sealed class LiveDeliveryTests
{
    [SkippableFact]
    public async Task A_recipient_connecting_while_messages_are_stored_for_it_gets_every_one_once_and_in_order()
    {
        const int Messages = 300;
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeA = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeB = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await nodeA.ConnectAsync(aliceKey);

        // Alice streams; Bob connects to the other node a third of the way in (held messages are
        // read while new ones are republished to his fresh subscription).
        var sender = new Sender(alice, bobKey);
        var sending = sender.SendAsync(Messages, pauseEvery: 10);
        await Eventually.TrueAsync(() => sender.AcceptedCount >= Messages / 3, "a third accepted");
        await using var bob = await nodeB.ConnectAsync(bobKey);
        await sending;

        var delivered = await ReceiveAsync(bob, sender.Accepted.Count, ack: true);

        Assert.Equal(Messages, sender.Accepted.Count);
        Assert.Equal(sender.Accepted.Order(), delivered); // each once, in stream order
        await bob.ExpectNothingPendingAsync();
    }

    [SkippableFact]
    public async Task A_recipient_moving_nodes_mid_stream_gets_everything_accepted_and_what_it_acked_is_removed()
    {
        const int Messages = 200;
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeA = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeB = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeC = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await nodeA.ConnectAsync(aliceKey);
        var sender = new Sender(alice, bobKey);
        var sending = sender.SendAsync(Messages, pauseEvery: 5);

        // On node B Bob takes (and ACKs) what comes for a while, then leaves mid-stream; his node
        // removes what he ACKed; he comes back on node C while Alice still sends.
        List<ulong> first;
        await using (var bob = await nodeB.ConnectAsync(bobKey))
        {
            await Eventually.TrueAsync(() => sender.AcceptedCount >= Messages / 4, "a quarter accepted");
            first = await ReceiveAsync(bob, Messages / 4, ack: true);
        }

        await Eventually.TrueAsync(() => nodeB.Store.Metrics.Watches == 0 && nodeB.Store.Metrics.PendingRemovals == 0 && nodeB.Store.Metrics.Removed >= first.Count, "node B removed what Bob ACKed there");
        await using var again = await nodeC.ConnectAsync(bobKey);
        await sending;
        var rest = new List<ulong>();
        var missing = sender.Accepted.Except(first).ToHashSet();
        while (missing.Count > 0)
        {
            var frame = await again.ExpectAsync(FrameType.Deliver);
            rest.Add(frame.RelayMessageId);
            missing.Remove(frame.RelayMessageId);
            again.Ack(frame.RelayMessageId);
        }

        await again.FlushAsync();
        Assert.Equal(rest.Order(), rest); // in order on the new connection
        Assert.Empty(rest.Intersect(first)); // nothing ACKed came again
        Assert.Equal(Messages, first.Count + rest.Count);
        await again.ExpectNothingPendingAsync();

        // And node C removes the rest once Bob leaves.
        await again.DisposeAsync();
        var bobMailbox = nodeC.Store.Subjects.Mailbox(new Identity(bobKey.PublicKey));
        await Eventually.TrueAsync(async () => await MailboxStreamProbe.MessagesOnAsync(nats.Url, bobMailbox) == 0, "Bob's mailbox empty");
    }

    [SkippableFact]
    public async Task Online_recipients_hold_a_subscription_each_and_no_consumer_and_leave_nothing_behind()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        var keys = Enumerable.Range(0, 30).Select(_ => X25519KeyPair.Generate()).ToList();
        var clients = new List<RelayClientConnection>();
        foreach (var key in keys)
        {
            clients.Add(await node.ConnectAsync(key));
        }

        await using var observer = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NATS.Client.JetStream.NatsJSContext(observer);
        await Eventually.TrueAsync(() => node.Store.Metrics.Watches == keys.Count && node.Store.Metrics.ReadsStarted == keys.Count, "every recipient subscribed and read");
        var consumers = 0;
        await foreach (var _ in js.ListConsumersAsync("RELAY_MAILBOXES"))
        {
            consumers++;
        }

        Assert.Equal(0, consumers);

        // The subscription is the presence: NATS routes to it while the recipient is online here...
        var live = node.Store.Subjects.Live(new Identity(keys[0].PublicKey));
        Assert.True(await MailboxStreamProbe.HasInterestAsync(observer, live));

        // ...and it goes with the last connection.
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Eventually.TrueAsync(() => node.Store.Metrics.Watches == 0, "every recipient gone");
        await Eventually.TrueAsync(async () => !await MailboxStreamProbe.HasInterestAsync(observer, live), "the subscription gone");
        Assert.Equal(0, node.Store.Mailboxes);
        keys.ForEach(k => k.Dispose());
    }

    [SkippableFact]
    public async Task A_forged_copy_for_another_identity_is_ignored_and_one_after_a_gap_makes_the_node_read_the_stream_without_holding_delivery()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await node.ConnectAsync(aliceKey);
        await using var bob = await node.ConnectAsync(bobKey);
        var bobId = new Identity(bobKey.PublicKey);
        var first = await alice.SendAsync(1, bobKey, [1]);
        Assert.Equal(first.RelayMessageId, (await bob.ExpectAsync(FrameType.Deliver)).RelayMessageId);

        await using var forger = new NatsConnection(new NatsOpts { Url = nats.Url });
        var stored = new byte[StoredMessage.HeaderLength + 1];
        StoredMessage.Write(stored, new Identity(aliceKey.PublicKey), false, new ReadOnlySequence<byte>([9]));
        var subjects = node.Store.Subjects;

        // Claims to be Alice's mailbox, sent where Bob's node listens: never reaches Bob.
        await forger.PublishAsync(subjects.Live(bobId), stored, headers: Headers(subjects.Mailbox(new Identity(aliceKey.PublicKey)), first.RelayMessageId + 1, first.RelayMessageId));

        // Bob's own subject, linked to a message that does not exist: a gap; the node reads the stream, finds nothing, drops it.
        await forger.PublishAsync(subjects.Live(bobId), stored, headers: Headers(subjects.Mailbox(bobId), 1_000_000, 999_999));
        await Eventually.TrueAsync(() => node.Store.Metrics.GapsRead >= 1 && node.Store.Metrics.ReadsStarted >= 3, "the gap read");
        await bob.ExpectNothingPendingAsync();

        // Delivery goes on: the next real message is not held behind the forged one.
        var next = await alice.SendAsync(2, bobKey, [2]);
        var delivered = await bob.ExpectAsync(FrameType.Deliver);
        Assert.Equal(next.RelayMessageId, delivered.RelayMessageId);
        Assert.Equal(new byte[] { 2 }, delivered.Envelope.ToArray());
    }

    internal static async Task<List<ulong>> ReceiveAsync(RelayClientConnection client, int count, bool ack)
    {
        var ids = new List<ulong>();
        while (ids.Count < count)
        {
            var frame = await client.ExpectAsync(FrameType.Deliver);
            ids.Add(frame.RelayMessageId);
            if (ack)
            {
                client.Ack(frame.RelayMessageId);
            }
        }

        await client.FlushAsync();
        return ids;
    }

    private static NatsHeaders Headers(string storedSubject, ulong sequence, ulong last) => new()
    {
        ["Nats-Stream"] = "RELAY_MAILBOXES",
        ["Nats-Subject"] = storedSubject,
        ["Nats-Sequence"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Nats-Last-Sequence"] = last.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Sends to a recipient in a stream, pipelined, and keeps the relay ids of what was ACCEPTED.</summary>
    internal sealed class Sender(RelayClientConnection client, X25519KeyPair recipient)
    {
        private readonly List<ulong> _accepted = [];

        public int AcceptedCount
        {
            get
            {
                lock (_accepted)
                {
                    return _accepted.Count;
                }
            }
        }

        public List<ulong> Accepted
        {
            get
            {
                lock (_accepted)
                {
                    return [.. _accepted];
                }
            }
        }

        public async Task SendAsync(int messages, int pauseEvery)
        {
            var answers = ReadAnswersAsync(messages);
            for (var i = 0; i < messages; i++)
            {
                client.Send((ulong)i + 1, new Identity(recipient.PublicKey), BitConverter.GetBytes(i));
                if (i % pauseEvery == pauseEvery - 1)
                {
                    await client.FlushAsync();
                    await Task.Delay(2);
                }
            }

            await client.FlushAsync();
            await answers;
        }

        private async Task ReadAnswersAsync(int messages)
        {
            for (var i = 0; i < messages; i++)
            {
                var frame = await client.ExpectAsync(FrameType.Accepted, seconds: 30);
                lock (_accepted)
                {
                    _accepted.Add(frame.RelayMessageId);
                }
            }
        }
    }
}
