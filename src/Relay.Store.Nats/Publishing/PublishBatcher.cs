using System.Buffers;
using NATS.Client.Core;
using Relay.Protocol.Routing;
using Relay.Protocol.Threading;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Publishing;

/// <summary>
/// A node's publishes held for <see cref="JetStreamStoreOptions.PublishWindow"/> and handed to
/// NATS.Net together (<see cref="SendWindow{T}"/>), so they leave in one socket write and
/// nats-server (and this node's NATS reader, which gets their answers and republished copies back
/// together) wakes once per batch instead of once per message: at a steady rate those wake-ups
/// are most of what a JetStream publish costs (docs/relay.md, "Durable mailboxes"). Sending when
/// the previous batch is answered instead (no timer) was measured to batch nothing at 5,000
/// msgs/s, where a round trip is shorter than the gap between messages.
/// </summary>
internal sealed class PublishBatcher : IDisposable
{
    private readonly NatsConnection _connection;
    private readonly Action<RequestSlot<SendOutcome>, Exception> _failed;
    private readonly SendWindow<Queued> _window;

    /// <param name="connection">Where the publishes go.</param>
    /// <param name="window">How long the first publish of a batch waits for others.</param>
    /// <param name="failed">Called for a publish NATS.Net refused, or one still queued at disposal.</param>
    public PublishBatcher(NatsConnection connection, TimeSpan window, Action<RequestSlot<SendOutcome>, Exception> failed)
    {
        _connection = connection;
        _failed = failed;
        _window = new SendWindow<Queued>(window, Send, Refuse, "relay-publish-window");
    }

    /// <summary>How many publishes left in batches so far, and in how many batches.</summary>
    public (long Publishes, long Batches) Sent => _window.Sent;

    /// <summary>
    /// Queues <paramref name="buffer"/>[..<paramref name="length"/>] (pooled) for <paramref name="subject"/>,
    /// answered on <paramref name="slot"/>'s reply subject as it is now; the buffer goes back to the
    /// pool once NATS.Net has it.
    /// </summary>
    public void Enqueue(string subject, byte[] buffer, int length, RequestSlot<SendOutcome> slot) =>
        _window.Enqueue(new Queued(subject, buffer, length, slot, slot.Number, slot.ReplyTo));

    /// <summary>Stops at once; what is still queued is refused through the failure callback.</summary>
    public void Dispose() => _window.Dispose();

    private bool Send(Queued queued)
    {
        // Given up meanwhile (timeout, lost connection): its SEND was refused, so it is not stored either.
        if (queued.Slot.Number != queued.Number || !queued.Slot.IsWaiting)
        {
            ArrayPool<byte>.Shared.Return(queued.Buffer);
            return false;
        }

        PooledPublish.Send(_connection, queued.Subject, queued.Buffer, queued.Length, queued.Slot, queued.ReplyTo, _failed);
        return true;
    }

    private void Refuse(Queued queued)
    {
        ArrayPool<byte>.Shared.Return(queued.Buffer);
        _failed(queued.Slot, new ObjectDisposedException(nameof(PublishBatcher), "the store is closing"));
    }

    private readonly record struct Queued(string Subject, byte[] Buffer, int Length, RequestSlot<SendOutcome> Slot, long Number, string ReplyTo);
}
