using System.Buffers;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Publishing;

/// <summary>
/// The SENDs of one relay node handed to JetStream and awaiting its answer (<see cref="RequestSlots{T}"/>
/// answered on <c>_RA.&lt;node&gt;.&gt;</c>), so a SEND costs no request object, timer or JSON
/// parser; each one is counted in the store's publish metrics.
/// </summary>
internal sealed class PendingPublishes(string inbox, JetStreamMetrics metrics)
{
    private static readonly SendOutcome Unavailable = SendOutcome.Refused(RejectReason.StoreUnavailable);
    private readonly RequestSlots<SendOutcome> _slots = new(inbox, 32_768); // publishes in flight on one node at most

    /// <summary>The reply subjects' prefix.</summary>
    public string Inbox => _slots.Inbox;

    /// <summary>Takes a slot for a new publish; <c>null</c> when the ring is full of waiting publishes.</summary>
    public RequestSlot<SendOutcome>? Reserve()
    {
        var slot = _slots.Reserve();
        if (slot is not null)
        {
            metrics.PublishStarted();
        }

        return slot;
    }

    /// <summary>
    /// Completes the publish <paramref name="replySubject"/> names with JetStream's
    /// <paramref name="payload"/>; false for a late or unknown answer. The awaiting SEND continues on
    /// this thread (it only queues its answer frame).
    /// </summary>
    public bool Answer(string replySubject, in ReadOnlySequence<byte> payload)
    {
        var slot = _slots.Find(replySubject, out var epoch);
        if (slot is null)
        {
            return false;
        }

        var outcome = PubAck.Read(payload);
        var started = slot.Started; // read before the answer frees the slot for reuse
        if (!slot.TryAnswer(epoch, outcome))
        {
            return false;
        }

        metrics.PublishEnded(started, outcome.IsAccepted);
        return true;
    }

    /// <summary>Gives up a publish that could not be handed to NATS at all.</summary>
    public void Abandon(RequestSlot<SendOutcome> slot)
    {
        var started = slot.Started;
        if (slot.TryAbandon(Unavailable))
        {
            metrics.PublishEnded(started, stored: false);
        }
    }

    /// <summary>Refuses (<c>StoreUnavailable</c>) every publish that started before <paramref name="startedBefore"/> and is still waiting; returns how many.</summary>
    public int AbandonOlderThan(long startedBefore) =>
        _slots.AbandonOlderThan(startedBefore, Unavailable, started => metrics.PublishEnded(started, stored: false));

    /// <summary>Refuses every waiting publish (the NATS connection dropped: their answers would come, if at all, on a connection that may have lost them).</summary>
    public int AbandonAll() => AbandonOlderThan(long.MaxValue);
}
