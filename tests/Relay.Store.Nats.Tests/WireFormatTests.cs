using Perf.Testing.Bytes;
using System.Buffers;
using System.Text;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Store.Nats.Live;
using Relay.Store.Nats.Publishing;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Tests;

/// <summary>What the store reads off NATS without a JSON parser: publish answers, republish headers, reply subjects; malformed or hostile input is refused, never misread.</summary>
public sealed class WireFormatTests
{
    [Theory]
    [InlineData("{\"stream\":\"RELAY_MAILBOXES\", \"seq\":42}", 42UL)]
    [InlineData("{\"stream\":\"RELAY_MAILBOXES\", \"domain\":\"hub\", \"seq\":7}", 7UL)]
    [InlineData("{\"stream\":\"S\", \"seq\":18446744073709551615, \"duplicate\":true}", ulong.MaxValue)]
    public void A_publish_answer_with_a_sequence_is_held_under_it(string json, ulong sequence)
    {
        var outcome = PubAck.Read(Bytes(json));

        Assert.True(outcome.IsAccepted);
        Assert.Equal(sequence, outcome.RelayMessageId);
    }

    [Theory]
    [InlineData("{\"error\":{\"code\":503,\"err_code\":10077,\"description\":\"maximum messages per subject exceeded\"},\"stream\":\"S\",\"seq\":0}", RejectReason.MailboxFull)]
    [InlineData("{\"error\":{\"code\":503,\"err_code\":10077,\"description\":\"maximum bytes exceeded\"},\"stream\":\"S\",\"seq\":0}", RejectReason.MailboxFull)]
    [InlineData("{\"error\":{\"code\":503,\"err_code\":10077,\"description\":\"maximum messages exceeded\"},\"stream\":\"S\",\"seq\":0}", RejectReason.MailboxFull)]
    [InlineData("{\"error\":{\"code\":500,\"err_code\":10077,\"description\":\"insufficient resources\"},\"stream\":\"S\",\"seq\":9}", RejectReason.StoreUnavailable)]
    [InlineData("", RejectReason.StoreUnavailable)] // a 503 "no responders" status: no stream took the subject
    [InlineData("{\"stream\":\"S\"}", RejectReason.StoreUnavailable)]
    [InlineData("{\"stream\":\"S\", \"seq\":0}", RejectReason.StoreUnavailable)]
    [InlineData("{\"stream\":\"S\", \"seq\":-1}", RejectReason.StoreUnavailable)]
    [InlineData("{\"stream\":\"S\", \"seq\":99999999999999999999999}", RejectReason.StoreUnavailable)]
    [InlineData("garbage", RejectReason.StoreUnavailable)]
    public void Anything_but_a_stored_answer_is_refused_with_its_reason(string json, RejectReason reason)
    {
        var outcome = PubAck.Read(Bytes(json));

        Assert.False(outcome.IsAccepted);
        Assert.Equal(reason, outcome.Reason);
    }

    [Fact]
    public void An_oversized_answer_is_refused_without_reading_it()
    {
        var outcome = PubAck.Read(new ReadOnlySequence<byte>(new byte[100_000]));

        Assert.Equal(RejectReason.StoreUnavailable, outcome.Reason);
    }

    [Fact]
    public void Republish_headers_give_subject_sequence_and_the_link_to_the_previous_message()
    {
        var headers = "NATS/1.0\r\nNats-Stream: RELAY_MAILBOXES\r\nNats-Subject: relay.mbox.ab\r\nNats-Sequence: 12\r\nNats-Last-Sequence: 9\r\n\r\n"u8;

        Assert.True(Republished.TryRead(headers, out var republished));

        Assert.Equal("relay.mbox.ab", Encoding.ASCII.GetString(republished.Subject));
        Assert.Equal(12UL, republished.Sequence);
        Assert.Equal(9UL, republished.LastSequence);
    }

    [Fact]
    public void Republish_headers_split_across_buffers_read_the_same()
    {
        var bytes = Encoding.ASCII.GetBytes("NATS/1.0\r\nNats-Stream: S\r\nNats-Subject: relay.mbox.cd\r\nNats-Sequence: 5\r\nNats-Last-Sequence: 0\r\n\r\n");
        var sequence = Split(bytes, 17);
        Span<byte> scratch = stackalloc byte[512];

        Assert.True(Republished.TryRead(sequence, scratch, out var republished));

        Assert.Equal((5UL, 0UL), (republished.Sequence, republished.LastSequence));
        Assert.Equal("relay.mbox.cd", Encoding.ASCII.GetString(republished.Subject));
        Assert.False(Republished.TryRead(Split(new byte[600], 300), scratch, out _)); // larger than the scratch: refused
    }

    [Theory]
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: 12\r\n\r\n")] // no link
    [InlineData("NATS/1.0\r\nNats-Sequence: 12\r\nNats-Last-Sequence: 9\r\n\r\n")] // no subject
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: 12x\r\nNats-Last-Sequence: 9\r\n\r\n")]
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: 0\r\nNats-Last-Sequence: 0\r\n\r\n")]
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: 9\r\nNats-Last-Sequence: 9\r\n\r\n")] // a link must point back
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: \r\nNats-Last-Sequence: 1\r\n\r\n")]
    [InlineData("NATS/1.0\r\nNats-Subject: s\r\nNats-Sequence: 5")] // truncated
    [InlineData("")]
    public void Malformed_republish_headers_are_refused(string headers)
    {
        Assert.False(Republished.TryRead(Encoding.ASCII.GetBytes(headers), out _));
    }

    [Fact]
    public void A_read_answer_gives_the_message_its_sequence_and_whose_mailbox_it_is()
    {
        var subjects = new MailboxSubjects("relay.mbox", "S");
        var bob = new Identity(Enumerable.Repeat((byte)0xB0, 32).ToArray());
        var json = $"{{\"type\":\"io.nats.jetstream.api.v1.stream_msg_get_response\",\"message\":{{\"subject\":\"{subjects.Mailbox(bob)}\",\"seq\":41,\"hdrs\":\"TkFUUy8xLjANCg==\",\"data\":\"{Convert.ToBase64String([1, 2, 3])}\",\"time\":\"2026-12-05T10:00:00Z\"}}}}";

        var read = HeldMessageReads.Parse(Bytes(json), subjects);

        Assert.Equal((HeldReadKind.Found, 41UL, bob), (read.Kind, read.Sequence, read.Recipient));
        Assert.Equal(new byte[] { 1, 2, 3 }, read.Buffer.AsSpan(0, read.Length).ToArray());
        ArrayPool<byte>.Shared.Return(read.Buffer!);
    }

    [Theory]
    [InlineData("{\"type\":\"t\",\"error\":{\"code\":404,\"err_code\":10037,\"description\":\"no message found\"}}", true)]
    [InlineData("{\"type\":\"t\",\"error\":{\"code\":503,\"err_code\":10008,\"description\":\"JetStream system temporarily unavailable\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"subject\":\"other.subject\",\"seq\":4,\"data\":\"AQ==\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"subject\":\"relay.mbox.B0B0\",\"seq\":4,\"data\":\"AQ==\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"seq\":4,\"data\":\"AQ==\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"subject\":\"SUBJECT\",\"seq\":\"4\",\"data\":\"AQ==\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"subject\":\"SUBJECT\",\"seq\":4,\"data\":\"not base64!\"}}", false)]
    [InlineData("{\"type\":\"t\",\"message\":{\"subject\":\"SUBJECT\",\"seq\":4,\"data\":\"AQ==\"", false)] // truncated
    [InlineData("[]", false)]
    [InlineData("", false)]
    public void A_read_answer_that_is_not_a_message_of_a_mailbox_is_none_or_a_failure(string json, bool noMessage)
    {
        var subjects = new MailboxSubjects("relay.mbox", "S");
        var mailbox = subjects.Mailbox(new Identity(Enumerable.Repeat((byte)0xB0, 32).ToArray()));

        var read = HeldMessageReads.Parse(Bytes(json.Replace("SUBJECT", mailbox, StringComparison.Ordinal)), subjects);

        Assert.Equal(noMessage ? HeldReadKind.None : HeldReadKind.Failed, read.Kind);
        Assert.Null(read.Buffer);
    }

    [Fact]
    public void A_mailbox_subject_matches_only_its_own_identity()
    {
        var subjects = new MailboxSubjects("relay.mbox", "RELAY_MAILBOXES");
        var alice = new Identity(Enumerable.Repeat((byte)0xA1, 32).ToArray());
        var bob = new Identity(Enumerable.Repeat((byte)0xB0, 32).ToArray());
        var aliceSubject = subjects.Mailbox(alice);

        Assert.Equal("relay.mbox." + string.Concat(Enumerable.Repeat("a1", 32)), aliceSubject);
        Assert.Equal("_RL.RELAY_MAILBOXES." + string.Concat(Enumerable.Repeat("b0", 32)), subjects.Live(bob));
        Assert.True(subjects.IsMailboxOf(Encoding.ASCII.GetBytes(aliceSubject), alice));
        Assert.False(subjects.IsMailboxOf(Encoding.ASCII.GetBytes(aliceSubject), bob));
        Assert.False(subjects.IsMailboxOf(Encoding.ASCII.GetBytes(aliceSubject.ToUpperInvariant()), alice));
        Assert.False(subjects.IsMailboxOf(Encoding.ASCII.GetBytes("relay.mboxx" + aliceSubject[10..]), alice));
        Assert.False(subjects.IsMailboxOf(Encoding.ASCII.GetBytes(aliceSubject + "00"), alice));
        Assert.False(subjects.IsMailboxOf(Encoding.ASCII.GetBytes(aliceSubject[..^2] + "zz"), alice));
        Assert.Same(aliceSubject, subjects.Mailbox(alice)); // built once
    }

    [Fact]
    public async Task A_publish_is_answered_on_its_slots_reply_subject_and_only_once()
    {
        using var metrics = new JetStreamMetrics(() => 0);
        var publishes = new PendingPublishes("_RA.node", metrics);
        var slot = publishes.Reserve()!;
        var answer = slot.Task;

        Assert.Matches(@"^_RA\.node\.\d+\.\d+$", slot.ReplyTo);
        Assert.False(publishes.Answer("_RA.other." + slot.ReplyTo["_RA.node.".Length..], Bytes("{\"seq\":5}")));
        Assert.True(publishes.Answer(slot.ReplyTo, Bytes("{\"stream\":\"S\", \"seq\":5}")));
        Assert.False(publishes.Answer(slot.ReplyTo, Bytes("{\"stream\":\"S\", \"seq\":6}"))); // a repeat

        Assert.True(answer.IsCompletedSuccessfully);
        Assert.Equal(SendOutcome.Held(5), await answer);
        Assert.Equal(0, metrics.PendingPublishes);
    }

    [Fact]
    public async Task A_late_answer_to_an_abandoned_publish_is_not_taken_for_the_slots_next_one()
    {
        using var metrics = new JetStreamMetrics(() => 0);
        var publishes = new PendingPublishes("_RA.node", metrics);
        var first = publishes.Reserve()!;
        var oldReply = first.ReplyTo;
        var firstAnswer = first.Task;

        Assert.Equal(1, publishes.AbandonAll());
        Assert.Equal(RejectReason.StoreUnavailable, (await firstAnswer).Reason);

        // Reuse the same slot: the ring wraps around to it.
        RequestSlot<SendOutcome>? again = null;
        var others = new List<ValueTask<SendOutcome>>();
        while (again is null || !ReferenceEquals(again, first))
        {
            again = publishes.Reserve()!;
            others.Add(again.Task);
        }

        Assert.NotEqual(oldReply, first.ReplyTo);
        Assert.False(publishes.Answer(oldReply, Bytes("{\"seq\":77}")));
        Assert.True(publishes.Answer(first.ReplyTo, Bytes("{\"seq\":78}")));
        Assert.Equal(78UL, (await others[^1]).RelayMessageId);
    }

    [Theory]
    [InlineData("_RA.node")]
    [InlineData("_RA.node.")]
    [InlineData("_RA.node.1")]
    [InlineData("_RA.node.x.0")]
    [InlineData("_RA.node.1.y")]
    [InlineData("_RA.node.99999999.0")]
    [InlineData("_RA.node.-1.0")]
    [InlineData("_RA.node.1.0.0")]
    [InlineData("_RA.node.1.0000000000000000000000000000")]
    public void Malformed_reply_subjects_are_ignored(string subject)
    {
        using var metrics = new JetStreamMetrics(() => 0);
        var publishes = new PendingPublishes("_RA.node", metrics);
        var slot = publishes.Reserve()!;

        Assert.False(publishes.Answer(subject, Bytes("{\"seq\":5}")));
        Assert.False(slot.Task.IsCompleted);
    }

    [Fact]
    public void Stored_messages_split_across_buffers_read_as_written()
    {
        var sender = new Identity(Enumerable.Repeat((byte)7, 32).ToArray());
        var stored = new byte[StoredMessage.HeaderLength + 3];
        StoredMessage.Write(stored, sender, false, new ReadOnlySequence<byte>([1, 2, 3]));

        Assert.True(StoredMessage.TryRead(Split(stored, 5), out var readSender, out var sealedSender, out var envelope));

        Assert.Equal(sender, readSender);
        Assert.False(sealedSender);
        Assert.Equal(new byte[] { 1, 2, 3 }, envelope.ToArray());
        Assert.False(StoredMessage.TryRead(Split(stored[..20], 5), out _, out _, out _)); // truncated
        stored[0] = 2;
        Assert.False(StoredMessage.TryRead(new ReadOnlySequence<byte>(stored), out _, out _, out _)); // another version
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    // Two pieces, cut at `at`: what a socket read can hand over.
    private static ReadOnlySequence<byte> Split(byte[] bytes, int at) => SegmentedSequence.Of(bytes.AsMemory(0, at), bytes.AsMemory(at));
}
