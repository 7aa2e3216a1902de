using System.Buffers;
using System.Buffers.Text;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Publishing;

/// <summary>
/// The publishes of one relay node awaiting JetStream's answer: a ring of reusable slots, each
/// answered on its own reply subject under one wildcard subscription (<c>_RA.&lt;node&gt;.&gt;</c>),
/// so a SEND costs no request object, timer or JSON parser. Reservation numbers grow, so the
/// timeout sweep walks only from the oldest publish still waiting.
/// </summary>
internal sealed class PendingPublishes
{
    private const int Size = 32_768; // a power of two: publishes in flight on one node at most
    private readonly PendingPublish[] _slots = new PendingPublish[Size];
    private long _next;
    private long _sweptUpTo;

    private readonly JetStreamMetrics _metrics;

    public PendingPublishes(string inbox, JetStreamMetrics metrics)
    {
        Inbox = inbox;
        _metrics = metrics;
        for (var i = 0; i < Size; i++)
        {
            _slots[i] = new PendingPublish(inbox, i);
        }
    }

    /// <summary>The reply subjects' prefix (<c>_RA.&lt;node&gt;</c>).</summary>
    public string Inbox { get; }

    /// <summary>Takes a slot for a new publish; <c>null</c> when the ring is full of waiting publishes.</summary>
    public PendingPublish? Reserve()
    {
        var number = Interlocked.Increment(ref _next) - 1;
        var slot = _slots[number & (Size - 1)];
        if (!slot.TryReserve(number))
        {
            return null;
        }

        _metrics.PublishStarted();
        return slot;
    }

    /// <summary>
    /// Completes the publish that <paramref name="replySubject"/> (<c>INBOX.slot.epoch</c>) names
    /// with JetStream's <paramref name="payload"/>; false for a late or unknown answer. The
    /// awaiting SEND continues on this thread (it only queues its answer frame).
    /// </summary>
    public bool Answer(string replySubject, in ReadOnlySequence<byte> payload)
    {
        if (!TryParseSlot(replySubject, out var index, out var epoch))
        {
            return false;
        }

        var slot = _slots[index];
        var outcome = PubAck.Read(payload);
        var started = slot.Started; // read before the answer frees the slot for reuse
        if (!slot.TryAnswer(epoch, outcome))
        {
            return false;
        }

        _metrics.PublishEnded(started, outcome.IsAccepted);
        return true;
    }

    /// <summary>Gives up a publish that could not be handed to NATS at all.</summary>
    public void Abandon(PendingPublish slot)
    {
        var started = slot.Started;
        if (slot.TryAbandon())
        {
            _metrics.PublishEnded(started, stored: false);
        }
    }

    /// <summary>Refuses (<c>StoreUnavailable</c>) every publish that started before <paramref name="startedBefore"/> and is still waiting; returns how many.</summary>
    public int AbandonOlderThan(long startedBefore)
    {
        lock (_slots)
        {
            return AbandonFromOldest(startedBefore);
        }
    }

    /// <summary>Refuses every waiting publish (the NATS connection dropped: their answers would come, if at all, on a connection that may have lost them).</summary>
    public int AbandonAll() => AbandonOlderThan(long.MaxValue);

    // Called under the lock: the sweep's cursor moves from the oldest publish maybe still waiting.
    private int AbandonFromOldest(long startedBefore)
    {
        var abandoned = 0;
        var next = Volatile.Read(ref _next);
        var number = Volatile.Read(ref _sweptUpTo);
        for (; number < next; number++)
        {
            var slot = _slots[number & (Size - 1)];
            if (slot.Number != number || !slot.IsWaiting)
            {
                continue; // answered (and maybe reused since)
            }

            if (slot.Started >= startedBefore)
            {
                break; // younger ones follow
            }

            var started = slot.Started;
            if (slot.TryAbandon())
            {
                _metrics.PublishEnded(started, stored: false);
                abandoned++;
            }
        }

        Volatile.Write(ref _sweptUpTo, number);
        return abandoned;
    }

    private bool TryParseSlot(string replySubject, out int index, out int epoch)
    {
        index = 0;
        epoch = 0;
        var tail = replySubject.AsSpan();
        if (!tail.StartsWith(Inbox, StringComparison.Ordinal) || tail.Length <= Inbox.Length + 1 || tail[Inbox.Length] != '.')
        {
            return false;
        }

        tail = tail[(Inbox.Length + 1)..];
        var dot = tail.IndexOf('.');
        Span<byte> ascii = stackalloc byte[24];
        if (dot <= 0 || tail.Length > ascii.Length
            || System.Text.Encoding.ASCII.GetBytes(tail, ascii) != tail.Length
            || !Utf8Parser.TryParse(ascii[..dot], out index, out var indexLength) || indexLength != dot
            || !Utf8Parser.TryParse(ascii[(dot + 1)..tail.Length], out epoch, out var epochLength) || epochLength != tail.Length - dot - 1)
        {
            return false;
        }

        return (uint)index < Size;
    }
}
