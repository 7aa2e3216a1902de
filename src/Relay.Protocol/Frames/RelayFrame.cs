using System.Buffers;

namespace Relay.Protocol.Frames;

/// <summary>
/// One parsed relay frame. Which fields are meaningful depends on <see cref="Type"/>;
/// <see cref="Envelope"/> (and an ERROR's reason) are slices of the parsed input, not copies,
/// valid only while that input is.
/// </summary>
public readonly struct RelayFrame
{
    /// <summary>Creates a frame.</summary>
    public RelayFrame(FrameType type, ulong clientMessageId, ulong relayMessageId, Identity identity, byte flags, byte code, ReadOnlySequence<byte> envelope)
    {
        Type = type;
        ClientMessageId = clientMessageId;
        RelayMessageId = relayMessageId;
        Identity = identity;
        Flags = flags;
        Code = code;
        Envelope = envelope;
    }

    /// <summary>The frame's type.</summary>
    public FrameType Type { get; }

    /// <summary>SEND, ACCEPTED, REJECTED: the sender's message id. PING/PONG: the opaque value.</summary>
    public ulong ClientMessageId { get; }

    /// <summary>DELIVER, ACK, ACCEPTED: the relay's message id.</summary>
    public ulong RelayMessageId { get; }

    /// <summary>SEND: the recipient. DELIVER: the sender (empty when sealed-sender).</summary>
    public Identity Identity { get; }

    /// <summary>DELIVER: flags (<see cref="FrameCodec.SealedSenderFlag"/>).</summary>
    public byte Flags { get; }

    /// <summary>REJECTED: the <see cref="RejectReason"/>. ERROR: the <see cref="FrameError"/>.</summary>
    public byte Code { get; }

    /// <summary>SEND and DELIVER: the E2E envelope. ERROR: the UTF-8 reason.</summary>
    public ReadOnlySequence<byte> Envelope { get; }
}
