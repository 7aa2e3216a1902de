using Perf.Load.Targets.Relay;

namespace Perf.Load.Tests.Targets;

/// <summary>
/// The outbox of a sender to a slow consumer: a refused envelope is sent again, byte for byte,
/// after a pause; what comes after it waits unsealed until the relay has taken it; what is still
/// there when the scheduler stops is given up and counted. Sequences step by the connection count
/// (3 here), as the runner numbers them.
/// </summary>
public sealed class SenderOutboxTests
{
    private const int Connections = 3;

    [Fact]
    public void Without_refusals_nothing_is_held_and_nothing_sent_twice()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);

        for (var k = 0; k < 2 * SenderOutbox.Window; k++)
        {
            var sequence = Sequence(k);
            Assert.False(outbox.MustHold());
            sender.Send(sequence, 0, measured: true);
            outbox.Pump(sender);
            outbox.OnAccepted(sequence);
        }

        Assert.Empty(sender.Resent);
        Assert.Equal(0, outbox.HeldCount);
        Assert.Equal(0, outbox.Close(sender));
        Assert.Empty(sender.Dropped);
    }

    [Fact]
    public async Task A_refused_envelope_goes_again_unchanged_after_a_pause_and_what_came_after_it_waits_then_goes_in_order()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);
        sender.Send(Sequence(0), 0, measured: true);
        sender.Send(Sequence(1), 0, measured: true);

        Assert.True(outbox.OnRefused(Sequence(1)));
        outbox.OnAccepted(Sequence(0));
        for (var k = 2; k < 40; k++)
        {
            Assert.True(outbox.MustHold());
            outbox.Hold(Sequence(k), intendedTicks: k, measured: true);
        }

        // Not at once: the relay's mailbox is full, and the retry waits its pause.
        outbox.Pump(sender);
        Assert.Empty(sender.Resent);
        await Task.Delay(150);
        outbox.Pump(sender);
        var (resentSequence, resentBytes) = Assert.Single(sender.Resent);
        Assert.Equal(Sequence(1), resentSequence);
        Assert.Equal(RecordingSender.EnvelopeOf(Sequence(1)), resentBytes);

        // Sent again but not yet answered: the held still wait.
        outbox.Pump(sender);
        Assert.Equal(2, sender.Sent.Count);

        outbox.OnAccepted(Sequence(1));
        outbox.Pump(sender);
        Assert.Equal(2 + SenderOutbox.ReleasePerPump, sender.Sent.Count);
        var answered = 2;
        while (outbox.HeldCount > 0)
        {
            foreach (var (sequence, _) in sender.Sent.Skip(answered))
            {
                outbox.OnAccepted(sequence);
            }

            answered = sender.Sent.Count;
            outbox.Pump(sender);
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(Sequence), sender.Sent.Select(s => s.Sequence));
        Assert.Equal(Enumerable.Range(2, 38).Select(k => (long)k), sender.Sent.Skip(2).Select(s => s.IntendedTicks));
        Assert.False(outbox.MustHold());
    }

    [Fact]
    public void Nearly_a_window_awaiting_answers_holds_new_messages_and_held_ones_go_only_while_few_await_answers()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);
        var k = 0;
        for (; !outbox.MustHold(); k++)
        {
            sender.Send(Sequence(k), k, measured: true);
        }

        // Sending more would reuse the slot of a message that may yet be refused.
        Assert.Equal(SenderOutbox.Window - SenderOutbox.ReleasePerPump, k);
        Assert.Equal(k, outbox.InFlight);
        for (var held = k; held < k + 100; held++)
        {
            outbox.Hold(Sequence(held), held, measured: true);
        }

        outbox.Pump(sender);
        Assert.Equal(k, sender.Sent.Count);

        // Answers down to a few awaiting: the held go, 16 a pump, until that many await again.
        for (var answered = 0; answered < k - SenderOutbox.ReleaseInFlight + 1; answered++)
        {
            outbox.OnAccepted(Sequence(answered));
        }

        Assert.Equal(SenderOutbox.ReleaseInFlight - 1, outbox.InFlight);
        outbox.Pump(sender);
        Assert.Equal(SenderOutbox.ReleaseInFlight, outbox.InFlight);
        outbox.Pump(sender);
        Assert.Equal(SenderOutbox.ReleaseInFlight, outbox.InFlight);
        Assert.Equal(k + 1, sender.Sent.Count);
        Assert.Equal(Enumerable.Range(0, sender.Sent.Count).Select(Sequence), sender.Sent.Select(s => s.Sequence));
    }

    [Fact]
    public async Task A_retry_refused_again_waits_twice_as_long()
    {
        var (outbox, sender) = await RefusedOnceAndRetriedAsync();

        // Refused again: the next pause is 200 ms, so after 120 ms it has not gone yet.
        Assert.True(outbox.OnRefused(Sequence(0)));
        outbox.Pump(sender);
        await Task.Delay(120);
        outbox.Pump(sender);
        Assert.Single(sender.Resent);
        await Task.Delay(300);
        outbox.Pump(sender);
        Assert.Equal(2, sender.Resent.Count);
        Assert.All(sender.Resent, r => Assert.Equal(Sequence(0), r.Sequence));
    }

    [Fact]
    public void Closing_gives_up_what_is_refused_or_held_and_counts_the_measured()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);
        sender.Send(Sequence(0), 10, measured: false); // warm-up
        sender.Send(Sequence(1), 11, measured: true);
        outbox.OnRefused(Sequence(0));
        outbox.OnRefused(Sequence(1));
        outbox.Hold(Sequence(2), 12, measured: true);
        outbox.Hold(Sequence(3), 13, measured: true);

        Assert.Equal(3, outbox.Close(sender));

        Assert.Equal([(Sequence(0), false), (Sequence(1), true), (Sequence(2), true), (Sequence(3), true)], sender.Dropped);
        Assert.Equal([10L, 11, 12, 13], sender.DroppedIntended); // each counted where it was counted sent
        Assert.Equal(0, outbox.HeldCount);
        // A refusal after the close is the caller's to count.
        Assert.False(outbox.OnRefused(Sequence(1)));
    }

    [Fact]
    public void A_refusal_of_an_envelope_no_longer_kept_is_the_callers_to_count()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);
        sender.Send(Sequence(0), 0, measured: true);
        sender.Send(Sequence(SenderOutbox.Window), 0, measured: true); // the same slot, one window later

        Assert.False(outbox.OnRefused(Sequence(0)));
        Assert.False(outbox.MustHold());
        Assert.True(outbox.OnRefused(Sequence(SenderOutbox.Window)));
        Assert.True(outbox.MustHold());
    }

    [Fact]
    public async Task A_retry_whose_answer_left_with_a_churned_connection_no_longer_holds_the_outbox()
    {
        var (outbox, _) = await RefusedOnceAndRetriedAsync();
        Assert.True(outbox.MustHold());

        outbox.OnReconnected();

        Assert.False(outbox.MustHold());
    }

    // Message 0 sent, refused, and sent again after the first pause (100 ms): its answer is awaited.
    private static async Task<(SenderOutbox Outbox, RecordingSender Sender)> RefusedOnceAndRetriedAsync()
    {
        var outbox = new SenderOutbox(Connections);
        var sender = new RecordingSender(outbox);
        sender.Send(Sequence(0), 0, measured: true);
        Assert.True(outbox.OnRefused(Sequence(0)));
        outbox.Pump(sender);
        await Task.Delay(150);
        outbox.Pump(sender);
        Assert.Single(sender.Resent);
        return (outbox, sender);
    }

    private static long Sequence(int k) => ((long)k * Connections) + 1;

    // Sends by recording, and keeps each envelope (its bytes derived from its sequence) as the relay target does.
    private sealed class RecordingSender(SenderOutbox outbox) : IOutboxSender
    {
        public List<(long Sequence, long IntendedTicks)> Sent { get; } = [];

        public List<(long Sequence, byte[] Envelope)> Resent { get; } = [];

        public List<(long Sequence, bool Measured)> Dropped { get; } = [];

        public List<long> DroppedIntended { get; } = [];

        public static byte[] EnvelopeOf(long sequence) => BitConverter.GetBytes(sequence * 7919);

        public void Send(long sequence, long intendedTicks, bool measured)
        {
            Sent.Add((sequence, intendedTicks));
            outbox.Remember(sequence, EnvelopeOf(sequence), intendedTicks, measured);
        }

        public void Resend(long sequence, ReadOnlySpan<byte> envelope) => Resent.Add((sequence, envelope.ToArray()));

        void IOutboxSender.Dropped(long sequence, long intendedTicks, bool measured)
        {
            Dropped.Add((sequence, measured));
            DroppedIntended.Add(intendedTicks);
        }
    }
}
