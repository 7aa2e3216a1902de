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
        : this(type, clientMessageId, relayMessageId, identity, flags, code, envelope, default)
    {
    }

    /// <summary>Creates a frame with a delivery token (SEALED_SEND).</summary>
    public RelayFrame(FrameType type, ulong clientMessageId, ulong relayMessageId, Identity identity, byte flags, byte code, ReadOnlySequence<byte> envelope, DeliveryToken token)
    {
        Token = token;
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

    /// <summary>SEND, SEALED_SEND, MAILBOX_SEND, SET_DELIVERY_VERIFIER, ACCEPTED, REJECTED: the sender's message id. CERTIFICATE_REQUEST, CERTIFICATE, OPEN_MAILBOX: the request id. PING/PONG: the opaque value.</summary>
    public ulong ClientMessageId { get; }

    /// <summary>DELIVER, ACK, ACCEPTED: the relay's message id. OPEN_MAILBOX, MAILBOX_SEND: the mailbox's expiry (see <see cref="MailboxExpiry"/>).</summary>
    public ulong RelayMessageId { get; }

    /// <summary>OPEN_MAILBOX, MAILBOX_SEND: the mailbox's expiry, Unix seconds (the field <see cref="RelayMessageId"/> holds).</summary>
    public ulong MailboxExpiry => RelayMessageId;

    /// <summary>SEND, SEALED_SEND: the recipient. DELIVER: the sender (empty when sealed-sender). CERTIFICATE: the relay's Ed25519 signing key. MAILBOX_SEND: the mailbox's fetch verifier.</summary>
    public Identity Identity { get; }

    /// <summary>DELIVER: flags (<see cref="FrameCodec.SealedSenderFlag"/>).</summary>
    public byte Flags { get; }

    /// <summary>REJECTED: the <see cref="RejectReason"/>. ERROR: the <see cref="FrameError"/>.</summary>
    public byte Code { get; }

    /// <summary>SEND and DELIVER: the E2E envelope. SEALED_SEND: the sealed-sender envelope. MAILBOX_SEND: the conversation envelope. CERTIFICATE: the certificate. SET_DELIVERY_VERIFIER: the 32-byte verifier. OPEN_MAILBOX: the fetch credential (32, secret) then the send verifier (32). ERROR: the UTF-8 reason.</summary>
    public ReadOnlySequence<byte> Envelope { get; }

    /// <summary>SEALED_SEND: the recipient's delivery token. MAILBOX_SEND: the mailbox's send token.</summary>
    public DeliveryToken Token { get; }
}
