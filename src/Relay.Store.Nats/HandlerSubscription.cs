using System.Buffers;
using NATS.Client.Core;
using Relay.Protocol.Threading;

namespace Relay.Store.Nats;

/// <summary>
/// A NATS subscription that hands each message to a callback on the connection's reader thread,
/// without a channel or a copy: for answers and advisories the store handles at once.
/// </summary>
internal sealed class HandlerSubscription(INatsConnection connection, string subject, HandlerSubscription.Handler handler)
    : NatsSubBase(connection, connection.SubscriptionManager, subject, null, null)
{
    /// <summary>What to do with one message; must not block.</summary>
    public delegate void Handler(string subject, string? replyTo, in ReadOnlySequence<byte> payload);

    /// <inheritdoc />
    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        // What the answer wakes (the SEND's connection answering ACCEPTED, a recipient whose held
        // messages were read) runs here once the handler is done, not on the thread pool.
        using (ReadBatchWakes.Enter())
        {
            handler(subject, replyTo, payloadBuffer);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override void TryComplete()
    {
        // Nothing is buffered.
    }
}
