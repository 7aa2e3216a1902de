using System.Buffers;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// A message the relay holds until its recipient ACKs it. The envelope is copied once, from the
/// transport's buffer (which is reused) into pooled memory; the copy is reference-counted so
/// that a message being written to one connection survives an ACK that arrives on another.
/// </summary>
public sealed class HeldMessage
{
    private readonly byte[] _buffer;
    private int _references = 1;

    internal HeldMessage(ulong relayMessageId, Identity sender, bool sealedSender, in ReadOnlySequence<byte> envelope)
    {
        RelayMessageId = relayMessageId;
        Sender = sender;
        SealedSender = sealedSender;
        Length = (int)envelope.Length;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Length));
        envelope.CopyTo(_buffer);
        AcceptedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>The relay's id for this message.</summary>
    public ulong RelayMessageId { get; }

    /// <summary>The authenticated sender (stamped by the relay, never taken from the client).</summary>
    public Identity Sender { get; }

    /// <summary>Whether the sender asked for sealed-sender delivery (no sender on DELIVER).</summary>
    public bool SealedSender { get; }

    /// <summary>Envelope length in bytes.</summary>
    public int Length { get; }

    /// <summary>When the relay accepted it (Stopwatch ticks), for forwarding latency.</summary>
    public long AcceptedTimestamp { get; }

    /// <summary>The envelope; valid while the caller holds a reference.</summary>
    public ReadOnlySpan<byte> Envelope => _buffer.AsSpan(0, Length);

    internal void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Gives back a reference taken by <see cref="RelayRouter.TakePending"/>; the memory returns to the pool with the last one.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
