using System.Buffers;
using System.Collections.Concurrent;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// A message the relay holds until its recipient ACKs it. The envelope is copied once, from the
/// transport's buffer (which is reused) into pooled memory; the copy is reference-counted so
/// that a message being written to one connection survives an ACK that arrives on another.
/// When the last reference goes, the buffer returns to its pool and this object to a pool of
/// its own, so holding a message allocates nothing in steady state.
/// </summary>
public sealed class HeldMessage
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<HeldMessage> Pool = new();

    private byte[] _buffer = [];
    private int _references;

    private HeldMessage()
    {
    }

    /// <summary>The relay's id for this message.</summary>
    public ulong RelayMessageId { get; private set; }

    /// <summary>The authenticated sender (stamped by the relay, never taken from the client).</summary>
    public Identity Sender { get; private set; }

    /// <summary>Whether the sender asked for sealed-sender delivery (no sender on DELIVER).</summary>
    public bool SealedSender { get; private set; }

    /// <summary>Envelope length in bytes.</summary>
    public int Length { get; private set; }

    /// <summary>When the relay accepted it (Stopwatch ticks), for forwarding latency.</summary>
    public long AcceptedTimestamp { get; private set; }

    /// <summary>The envelope; valid while the caller holds a reference.</summary>
    public ReadOnlySpan<byte> Envelope => _buffer.AsSpan(0, Length);

    internal static HeldMessage Hold(ulong relayMessageId, Identity sender, bool sealedSender, in ReadOnlySequence<byte> envelope)
    {
        var message = Pool.TryDequeue(out var pooled) ? pooled : new HeldMessage();
        message.RelayMessageId = relayMessageId;
        message.Sender = sender;
        message.SealedSender = sealedSender;
        message.Length = (int)envelope.Length;
        message._buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, message.Length));
        envelope.CopyTo(message._buffer);
        message.AcceptedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        Volatile.Write(ref message._references, 1);
        return message;
    }

    internal void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Gives back a reference taken by <see cref="IMailboxStore.TakePending"/>; with the last one the memory and this object go back to their pools.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(this);
        }
    }
}
