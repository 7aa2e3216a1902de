using Perf.Testing.Allocations;
using System.Buffers;
using System.Security.Cryptography;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Protocol.Tests.Routing;

public sealed class RelayRouterTests
{
    private static readonly Identity Alice = new(RandomNumberGenerator.GetBytes(32));
    private static readonly Identity Bob = new(RandomNumberGenerator.GetBytes(32));

    private static ReadOnlySequence<byte> Bytes(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    private static List<(ulong Id, Identity Sender, string Text)> Pull(RelayRouter router, Identity identity, ulong after = 0)
    {
        var buffer = new HeldMessage?[100];
        var count = router.TakePending(identity, after, buffer);
        var result = new List<(ulong, Identity, string)>();
        for (var i = 0; i < count; i++)
        {
            result.Add((buffer[i]!.RelayMessageId, buffer[i]!.Sender, System.Text.Encoding.UTF8.GetString(buffer[i]!.Envelope)));
            buffer[i]!.Release();
        }

        return result;
    }

    [Fact]
    public void A_send_is_held_for_the_recipient_with_the_sender_stamped_and_woken()
    {
        var router = new RelayRouter(new MailboxLimits());
        var bob = new CountingSubscriber();
        router.Attach(Bob, bob);

        var outcome = router.Send(Alice, Bob, Bytes("hi"));

        Assert.True(outcome.IsAccepted);
        Assert.Equal(1, bob.Wakes);
        Assert.Equal([(outcome.RelayMessageId, Alice, "hi")], Pull(router, Bob));
        Assert.Empty(Pull(router, Alice));
    }

    [Fact]
    public void An_offline_recipient_gets_its_messages_on_connecting_and_until_it_acks()
    {
        var router = new RelayRouter(new MailboxLimits());
        var first = router.Send(Alice, Bob, Bytes("one")).RelayMessageId;
        router.Send(Alice, Bob, Bytes("two"));
        var bob = new CountingSubscriber();

        router.Attach(Bob, bob);

        Assert.Equal(1, bob.Wakes);
        Assert.Equal(["one", "two"], Pull(router, Bob).ConvertAll(m => m.Text));
        router.Detach(Bob, bob);
        Assert.True(router.Ack(Bob, first));
        // A new connection (a reconnect after a drop) sees what was never acknowledged.
        Assert.Equal(["two"], Pull(router, Bob).ConvertAll(m => m.Text));
        Assert.Equal(["two"], Pull(router, Bob, after: first).ConvertAll(m => m.Text));
        Assert.Empty(Pull(router, Bob, after: ulong.MaxValue - 1));
    }

    [Fact]
    public void An_ack_counts_only_from_the_recipient_and_only_once()
    {
        var router = new RelayRouter(new MailboxLimits());
        var id = router.Send(Alice, Bob, Bytes("x")).RelayMessageId;

        Assert.False(router.Ack(Alice, id));
        Assert.False(router.Ack(Bob, id + 1000));
        Assert.True(router.Ack(Bob, id));
        Assert.False(router.Ack(Bob, id));
        Assert.Equal(0, router.Depth(Bob));
        Assert.Equal(1, router.Acknowledged);
    }

    [Fact]
    public void A_full_mailbox_rejects_by_count_and_by_bytes_never_drops()
    {
        var byCount = new RelayRouter(new MailboxLimits { MaxMessages = 2 });
        Assert.True(byCount.Send(Alice, Bob, Bytes("1")).IsAccepted);
        Assert.True(byCount.Send(Alice, Bob, Bytes("2")).IsAccepted);
        var third = byCount.Send(Alice, Bob, Bytes("3"));
        Assert.Equal((false, RejectReason.MailboxFull), (third.IsAccepted, third.Reason));
        Assert.Equal(2, byCount.Depth(Bob));

        var byBytes = new RelayRouter(new MailboxLimits { MaxBytes = 10 });
        Assert.True(byBytes.Send(Alice, Bob, Bytes("123456")).IsAccepted);
        Assert.Equal(RejectReason.MailboxFull, byBytes.Send(Alice, Bob, Bytes("123456")).Reason);
        Assert.Equal(1, byBytes.Rejected);
    }

    [Fact]
    public void The_empty_identity_is_not_a_recipient()
    {
        var router = new RelayRouter(new MailboxLimits());
        Assert.Equal(RejectReason.RecipientInvalid, router.Send(Alice, default, Bytes("x")).Reason);
    }

    [Fact]
    public void A_message_taken_by_a_writer_survives_an_ack_until_released()
    {
        var router = new RelayRouter(new MailboxLimits());
        var id = router.Send(Alice, Bob, Bytes("still here")).RelayMessageId;
        var taken = new HeldMessage?[1];
        router.TakePending(Bob, 0, taken);

        router.Ack(Bob, id);
        router.Send(Alice, Bob, Bytes("reuses pool memory"));

        Assert.Equal("still here", System.Text.Encoding.UTF8.GetString(taken[0]!.Envelope));
        taken[0]!.Release();
    }

    [Fact]
    public void Many_senders_on_many_threads_each_message_held_once_and_acked_once()
    {
        const int Identities = 50;
        const int PerSender = 100;
        var router = new RelayRouter(new MailboxLimits());
        var ids = new Identity[Identities];
        for (var i = 0; i < Identities; i++)
        {
            ids[i] = new Identity(RandomNumberGenerator.GetBytes(32));
        }

        Parallel.For(0, Identities, i =>
        {
            for (var m = 0; m < PerSender; m++)
            {
                Assert.True(router.Send(ids[i], ids[(i + 1) % Identities], Bytes($"{i}:{m}")).IsAccepted);
            }
        });

        var total = 0;
        Parallel.For(0, Identities, i =>
        {
            var messages = Pull(router, ids[i]);
            Assert.Equal(PerSender, messages.Count);
            var expectedSender = ids[(i + Identities - 1) % Identities];
            foreach (var (id, sender, _) in messages)
            {
                Assert.Equal(expectedSender, sender);
                Assert.True(router.Ack(ids[i], id));
            }

            Interlocked.Add(ref total, messages.Count);
        });

        Assert.Equal(Identities * PerSender, total);
        Assert.Equal(Identities * PerSender, router.Accepted);
        Assert.Equal(Identities * PerSender, router.Acknowledged);
        Assert.Equal(0, router.Held);
    }

    private sealed class CountingSubscriber : ISubscriber
    {
        public int Wakes;

        public void MessagesAvailable() => Interlocked.Increment(ref Wakes);
    }
}

public sealed class RelayRouterAllocationTests
{
    [Fact]
    public void Holding_delivering_and_acknowledging_a_message_allocates_nothing_in_steady_state()
    {
        var router = new RelayRouter(new MailboxLimits());
        var alice = new Identity(RandomNumberGenerator.GetBytes(32));
        var bob = new Identity(RandomNumberGenerator.GetBytes(32));
        var envelope = new ReadOnlySequence<byte>(new byte[256]);
        var pulled = new HeldMessage?[1];
        ulong cursor = 0;
        void Cycle()
        {
            var id = router.Send(alice, bob, envelope).RelayMessageId;
            router.TakePending(bob, cursor, pulled);
            cursor = pulled[0]!.RelayMessageId;
            pulled[0]!.Release();
            router.Ack(bob, id);
        }

        Allocations.AssertNone(Cycle, warmUpCalls: 100);
    }
}

public sealed class MemoryMailboxStoreTests
{
    private static readonly ReadOnlySequence<byte> Envelope = new(new byte[32]);

    [Fact]
    public void Mailboxes_of_identities_that_went_away_are_forgotten_so_memory_does_not_grow_with_identities_seen()
    {
        var router = new RelayRouter(new MailboxLimits());
        var sender = new Identity(RandomNumberGenerator.GetBytes(32));
        var pulled = new HeldMessage?[1];
        for (var i = 0; i < 10_000; i++)
        {
            // Each identity is sent one message, connects, takes and ACKs it, and leaves.
            var identity = new Identity(RandomNumberGenerator.GetBytes(32));
            var id = router.Send(sender, identity, Envelope).RelayMessageId;
            var connection = new Subscriber();
            router.Attach(identity, connection);
            Assert.Equal(1, router.TakePending(identity, 0, pulled));
            pulled[0]!.Release();
            Assert.True(router.Ack(identity, id));
            router.Detach(identity, connection);
        }

        Assert.Equal(0, router.Mailboxes);
        Assert.Equal(0, router.Held);
    }

    [Fact]
    public void Messages_past_the_age_limit_expire_and_their_empty_mailboxes_go_while_connected_ones_stay()
    {
        var store = new MemoryMailboxStore(new MailboxLimits { MaxAge = TimeSpan.FromHours(1) });
        var router = new RelayRouter(store);
        var sender = new Identity(RandomNumberGenerator.GetBytes(32));
        var online = new Identity(RandomNumberGenerator.GetBytes(32));
        router.Attach(online, new Subscriber());
        for (var i = 0; i < 1000; i++)
        {
            router.Send(sender, new Identity(RandomNumberGenerator.GetBytes(32)), Envelope);
        }

        var twoHoursLater = System.Diagnostics.Stopwatch.GetTimestamp() + (2 * 3600 * System.Diagnostics.Stopwatch.Frequency);
        Assert.Equal(0, router.Sweep()); // an hour is far off
        Assert.Equal(1001, router.Mailboxes);

        Assert.Equal(1000, store.Sweep(twoHoursLater));
        Assert.Equal(1, router.Mailboxes); // the connected identity's (empty) mailbox stays
        Assert.Equal(0, router.Held);
        var fresh = router.Send(sender, online, Envelope).RelayMessageId;
        Assert.True(router.Ack(online, fresh));
    }

    [Fact]
    public void The_in_flight_cap_counts_what_was_taken_up_to_the_cursor_and_says_when_it_stopped()
    {
        var router = new RelayRouter(new MailboxLimits());
        var sender = new Identity(RandomNumberGenerator.GetBytes(32));
        var bob = new Identity(RandomNumberGenerator.GetBytes(32));
        var ids = Enumerable.Range(0, 5).Select(_ => router.Send(sender, bob, Envelope).RelayMessageId).ToArray();
        var into = new HeldMessage?[10];

        Assert.Equal(2, router.TakePending(bob, 0, 2, into, out var capped));
        Assert.True(capped);
        Assert.Equal(0, router.TakePending(bob, ids[1], 2, into.AsSpan(2), out capped));
        Assert.True(capped);
        router.Ack(bob, ids[0]);
        Assert.Equal(1, router.TakePending(bob, ids[1], 2, into.AsSpan(2), out capped));
        Assert.Equal(ids[2], into[2]!.RelayMessageId);
        Assert.Equal(2, router.TakePending(bob, ids[2], 10, into.AsSpan(3), out capped));
        Assert.False(capped);
        foreach (var message in into)
        {
            message?.Release();
        }
    }

    [Fact]
    public void A_durable_stores_cache_takes_stored_ids_in_order_and_names_its_oldest_unacknowledged_one()
    {
        var alice = new Identity(RandomNumberGenerator.GetBytes(32));
        var bob = new Identity(RandomNumberGenerator.GetBytes(32));
        var cache = new MemoryMailboxStore(new MailboxLimits());
        Assert.Null(cache.OldestHeld(bob));

        Assert.True(cache.HoldStored(bob, 10, alice, false, Envelope));
        Assert.True(cache.HoldStored(bob, 12, alice, false, Envelope));
        Assert.False(cache.HoldStored(bob, 11, alice, false, Envelope)); // ids must grow: a repeat or a late one is refused
        Assert.Equal(10UL, cache.OldestHeld(bob));

        Assert.True(cache.Ack(bob, 12));
        Assert.Equal(10UL, cache.OldestHeld(bob)); // an ACK out of order leaves the oldest one held
        Assert.True(cache.Ack(bob, 10));
        Assert.Null(cache.OldestHeld(bob));
        Assert.Null(cache.OldestHeld(alice));
    }

    [Fact]
    public void Relay_ids_of_a_new_store_are_above_those_an_earlier_one_gave()
    {
        var sender = new Identity(RandomNumberGenerator.GetBytes(32));
        var bob = new Identity(RandomNumberGenerator.GetBytes(32));
        var before = new RelayRouter(new MailboxLimits());
        ulong last = 0;
        for (var i = 0; i < 5000; i++)
        {
            last = before.Send(sender, bob, Envelope).RelayMessageId;
        }

        Thread.Sleep(2);
        var after = new RelayRouter(new MailboxLimits()).Send(sender, bob, Envelope).RelayMessageId;

        Assert.True(after > last, $"{after} <= {last}");
    }

    private sealed class Subscriber : ISubscriber
    {
        public void MessagesAvailable()
        {
        }
    }
}
