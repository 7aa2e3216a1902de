using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Relay.Protocol.Frames;

//  Relay frames (all integers big-endian); one frame per transport message.
//  type  name      fields after the type byte
//  0x01  SEND      client_id u64, recipient 32, envelope_len u32, envelope
//  0x02  DELIVER   relay_id u64, flags u8 (bit0 sealed sender), [sender 32 unless sealed], envelope_len u32, envelope
//  0x03  ACK       relay_id u64
//  0x04  ACCEPTED  client_id u64, relay_id u64
//  0x05  REJECTED  client_id u64, reason u8
//  0x06  PING      value u64
//  0x07  PONG      value u64
//  0x08  ERROR     code u8, reason_len u8, reason (UTF-8)
//  0x09  CERTIFICATE_REQUEST    request_id u64
//  0x0A  CERTIFICATE            request_id u64, signing_key 32, certificate_len u16, certificate
//  0x0B  SEALED_SEND            client_id u64, recipient 32, delivery_token 16, envelope_len u32, envelope
//  0x0C  SET_DELIVERY_VERIFIER  client_id u64, verifier 32
//  0x0D  OPEN_MAILBOX           request_id u64, fetch_credential 32, send_verifier 32, expiry u64
//  0x0E  MAILBOX_SEND           client_id u64, fetch_verifier 32, expiry u64, send_token 16, envelope_len u32, envelope

/// <summary>
/// Reads and writes relay frames: <see cref="TryRead"/> over a <see cref="ReadOnlySequence{T}"/>
/// with a <see cref="SequenceReader{T}"/>, the writers into an <see cref="IBufferWriter{T}"/>.
/// Neither allocates. Every malformed input gives a specific <see cref="FrameError"/>, never an
/// exception. The layout is in docs/protocol.md.
/// </summary>
public static class FrameCodec
{
    /// <summary>DELIVER flag: the envelope is sealed-sender; no sender identity follows.</summary>
    public const byte SealedSenderFlag = 0x01;

    /// <summary>Bytes of a SEND frame around its envelope.</summary>
    public const int SendOverhead = 1 + 8 + Identity.Size + 4;

    /// <summary>Bytes of a SEALED_SEND frame around its envelope.</summary>
    public const int SealedSendOverhead = 1 + 8 + Identity.Size + DeliveryToken.Size + 4;

    /// <summary>Bytes of a MAILBOX_SEND frame around its envelope.</summary>
    public const int MailboxSendOverhead = 1 + 8 + Identity.Size + 8 + DeliveryToken.Size + 4;

    /// <summary>Bytes of an OPEN_MAILBOX frame.</summary>
    public const int OpenMailboxSize = 1 + 8 + MailboxCredentialsSize + 8;

    /// <summary>Bytes of OPEN_MAILBOX's fetch credential and send verifier together (its <see cref="RelayFrame.Envelope"/>).</summary>
    public const int MailboxCredentialsSize = 32 + VerifierSize;

    /// <summary>Bytes of a delivery-token verifier (SET_DELIVERY_VERIFIER).</summary>
    public const int VerifierSize = 32;

    /// <summary>Largest certificate a CERTIFICATE frame may carry.</summary>
    public const int MaxCertificateBytes = 1024;

    /// <summary>Bytes of a DELIVER frame around its envelope (with a sender).</summary>
    public const int DeliverOverhead = 1 + 8 + 1 + Identity.Size + 4;

    /// <summary>Parses one whole frame from <paramref name="input"/> (a transport message).</summary>
    // Long on purpose: one switch with a short case per frame type, read like the table in
    // docs/protocol.md, over one SequenceReader on this frame's stack (a ref struct: the cases
    // would each take it and eight outputs by ref if split), on every frame the relay reads.
    public static FrameError TryRead(in ReadOnlySequence<byte> input, FrameLimits limits, out RelayFrame frame)
    {
        ArgumentNullException.ThrowIfNull(limits);
        frame = default;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryRead(out var typeByte))
        {
            return FrameError.Truncated;
        }

        var type = (FrameType)typeByte;
        ulong first = 0, second = 0;
        Identity identity = default;
        byte flags = 0, code = 0;
        var payload = ReadOnlySequence<byte>.Empty;
        DeliveryToken token = default;
        switch (type)
        {
            case FrameType.SealedSend:
                if (!TryReadU64(ref reader, out first) || !TryReadIdentity(ref reader, out identity) || !TryReadToken(ref reader, out token))
                {
                    return FrameError.Truncated;
                }

                var sealedError = TryReadEnvelope(ref reader, limits.MaxEnvelopeBytes, out payload);
                if (sealedError != FrameError.None)
                {
                    return sealedError;
                }

                break;
            case FrameType.MailboxSend:
                if (!TryReadU64(ref reader, out first) || !TryReadIdentity(ref reader, out identity) || !TryReadU64(ref reader, out second) || !TryReadToken(ref reader, out token))
                {
                    return FrameError.Truncated;
                }

                var mailboxError = TryReadEnvelope(ref reader, limits.MaxEnvelopeBytes, out payload);
                if (mailboxError != FrameError.None)
                {
                    return mailboxError;
                }

                break;
            case FrameType.OpenMailbox:
                if (!TryReadU64(ref reader, out first) || reader.Remaining < MailboxCredentialsSize)
                {
                    return FrameError.Truncated;
                }

                payload = input.Slice(reader.Position, MailboxCredentialsSize);
                reader.Advance(MailboxCredentialsSize);
                if (!TryReadU64(ref reader, out second))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.CertificateRequest:
                if (!TryReadU64(ref reader, out first))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.Certificate:
                if (!TryReadU64(ref reader, out first) || !TryReadIdentity(ref reader, out identity) || !reader.TryReadBigEndian(out short signedCertificateLength))
                {
                    return FrameError.Truncated;
                }

                var certificateLength = (ushort)signedCertificateLength;
                if (certificateLength > MaxCertificateBytes)
                {
                    return FrameError.EnvelopeTooLarge;
                }

                if (reader.Remaining < certificateLength)
                {
                    return FrameError.Truncated;
                }

                payload = input.Slice(reader.Position, certificateLength);
                reader.Advance(certificateLength);
                break;
            case FrameType.SetDeliveryVerifier:
                if (!TryReadU64(ref reader, out first) || reader.Remaining < VerifierSize)
                {
                    return FrameError.Truncated;
                }

                payload = input.Slice(reader.Position, VerifierSize);
                reader.Advance(VerifierSize);
                break;
            case FrameType.Send:
                if (!TryReadU64(ref reader, out first) || !TryReadIdentity(ref reader, out identity))
                {
                    return FrameError.Truncated;
                }

                var sendError = TryReadEnvelope(ref reader, limits.MaxEnvelopeBytes, out payload);
                if (sendError != FrameError.None)
                {
                    return sendError;
                }

                break;
            case FrameType.Deliver:
                if (!TryReadU64(ref reader, out second) || !reader.TryRead(out flags))
                {
                    return FrameError.Truncated;
                }

                if ((flags & ~SealedSenderFlag) != 0)
                {
                    return FrameError.BadFlags;
                }

                if ((flags & SealedSenderFlag) == 0 && !TryReadIdentity(ref reader, out identity))
                {
                    return FrameError.Truncated;
                }

                var deliverError = TryReadEnvelope(ref reader, limits.MaxEnvelopeBytes, out payload);
                if (deliverError != FrameError.None)
                {
                    return deliverError;
                }

                break;
            case FrameType.Ack:
                if (!TryReadU64(ref reader, out second))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.Accepted:
                if (!TryReadU64(ref reader, out first) || !TryReadU64(ref reader, out second))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.Rejected:
                if (!TryReadU64(ref reader, out first) || !reader.TryRead(out code))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.Ping or FrameType.Pong:
                if (!TryReadU64(ref reader, out first))
                {
                    return FrameError.Truncated;
                }

                break;
            case FrameType.Error:
                if (!reader.TryRead(out code) || !reader.TryRead(out var reasonLength))
                {
                    return FrameError.Truncated;
                }

                if (reasonLength > limits.MaxReasonBytes)
                {
                    return FrameError.ReasonTooLong;
                }

                if (reader.Remaining < reasonLength)
                {
                    return FrameError.Truncated;
                }

                payload = input.Slice(reader.Position, reasonLength);
                reader.Advance(reasonLength);
                break;
            default:
                return FrameError.UnknownType;
        }

        if (!reader.End)
        {
            return FrameError.TrailingBytes;
        }

        frame = new RelayFrame(type, first, second, identity, flags, code, payload, token);
        return FrameError.None;
    }

    /// <summary>Writes a SEND frame.</summary>
    public static void WriteSend(IBufferWriter<byte> output, ulong clientMessageId, Identity recipient, ReadOnlySpan<byte> envelope)
    {
        var span = Begin(output, FrameType.Send, SendOverhead + envelope.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        recipient.CopyTo(span[9..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[41..], (uint)envelope.Length);
        envelope.CopyTo(span[45..]);
        output.Advance(SendOverhead + envelope.Length);
    }

    /// <summary>Writes a SEALED_SEND frame: a sealed-sender envelope for <paramref name="recipient"/> with its delivery token.</summary>
    public static void WriteSealedSend(IBufferWriter<byte> output, ulong clientMessageId, Identity recipient, DeliveryToken token, ReadOnlySpan<byte> envelope)
    {
        var span = Begin(output, FrameType.SealedSend, SealedSendOverhead + envelope.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        recipient.CopyTo(span[9..]);
        token.CopyTo(span[41..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[57..], (uint)envelope.Length);
        envelope.CopyTo(span[61..]);
        output.Advance(SealedSendOverhead + envelope.Length);
    }

    /// <summary>
    /// Writes a MAILBOX_SEND frame: a conversation envelope for the mailbox that
    /// <paramref name="fetchVerifier"/>, <paramref name="expiry"/> and <paramref name="sendToken"/> name
    /// (the relay derives its address from them).
    /// </summary>
    /// <exception cref="ArgumentException">The fetch verifier is not 32 bytes.</exception>
    public static void WriteMailboxSend(IBufferWriter<byte> output, ulong clientMessageId, ReadOnlySpan<byte> fetchVerifier, ulong expiry, DeliveryToken sendToken, ReadOnlySpan<byte> envelope)
    {
        if (fetchVerifier.Length != Identity.Size)
        {
            throw new ArgumentException("a fetch verifier is 32 bytes", nameof(fetchVerifier));
        }

        var span = Begin(output, FrameType.MailboxSend, MailboxSendOverhead + envelope.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        fetchVerifier.CopyTo(span[9..]);
        BinaryPrimitives.WriteUInt64BigEndian(span[41..], expiry);
        sendToken.CopyTo(span[49..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[65..], (uint)envelope.Length);
        envelope.CopyTo(span[69..]);
        output.Advance(MailboxSendOverhead + envelope.Length);
    }

    /// <summary>Writes an OPEN_MAILBOX frame: the mailbox's fetch credential (secret), the send verifier it takes, and its expiry.</summary>
    /// <exception cref="ArgumentException">The credential or the verifier is not 32 bytes.</exception>
    public static void WriteOpenMailbox(IBufferWriter<byte> output, ulong requestId, ReadOnlySpan<byte> fetchCredential, ReadOnlySpan<byte> sendVerifier, ulong expiry)
    {
        if (fetchCredential.Length != 32 || sendVerifier.Length != VerifierSize)
        {
            throw new ArgumentException("an OPEN_MAILBOX carries a 32-byte fetch credential and a 32-byte send verifier");
        }

        var span = Begin(output, FrameType.OpenMailbox, OpenMailboxSize);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], requestId);
        fetchCredential.CopyTo(span[9..]);
        sendVerifier.CopyTo(span[41..]);
        BinaryPrimitives.WriteUInt64BigEndian(span[73..], expiry);
        output.Advance(OpenMailboxSize);
    }

    /// <summary>Writes a CERTIFICATE_REQUEST frame.</summary>
    public static void WriteCertificateRequest(IBufferWriter<byte> output, ulong requestId) => WriteU64Frame(output, FrameType.CertificateRequest, requestId);

    /// <summary>Writes a CERTIFICATE frame: the relay's Ed25519 signing key and a certificate (at most 1024 bytes).</summary>
    /// <exception cref="ArgumentException">The signing key is not 32 bytes or the certificate is over 1024 bytes.</exception>
    public static void WriteCertificate(IBufferWriter<byte> output, ulong requestId, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> certificate)
    {
        if (signingKey.Length != Identity.Size || certificate.Length > MaxCertificateBytes)
        {
            throw new ArgumentException("a CERTIFICATE frame carries a 32-byte signing key and at most 1024 bytes of certificate");
        }

        var size = 1 + 8 + Identity.Size + 2 + certificate.Length;
        var span = Begin(output, FrameType.Certificate, size);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], requestId);
        signingKey.CopyTo(span[9..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[41..], (ushort)certificate.Length);
        certificate.CopyTo(span[43..]);
        output.Advance(size);
    }

    /// <summary>Writes a SET_DELIVERY_VERIFIER frame (a 32-byte verifier).</summary>
    /// <exception cref="ArgumentException">The verifier is not 32 bytes.</exception>
    public static void WriteSetDeliveryVerifier(IBufferWriter<byte> output, ulong clientMessageId, ReadOnlySpan<byte> verifier)
    {
        if (verifier.Length != VerifierSize)
        {
            throw new ArgumentException("a delivery-token verifier is 32 bytes", nameof(verifier));
        }

        var span = Begin(output, FrameType.SetDeliveryVerifier, 1 + 8 + VerifierSize);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        verifier.CopyTo(span[9..]);
        output.Advance(1 + 8 + VerifierSize);
    }

    /// <summary>Writes a DELIVER frame; an empty <paramref name="sender"/> with <paramref name="sealedSender"/> writes no sender.</summary>
    public static void WriteDeliver(IBufferWriter<byte> output, ulong relayMessageId, Identity sender, bool sealedSender, ReadOnlySpan<byte> envelope)
    {
        var size = DeliverOverhead - (sealedSender ? Identity.Size : 0) + envelope.Length;
        var span = Begin(output, FrameType.Deliver, size);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], relayMessageId);
        span[9] = sealedSender ? SealedSenderFlag : (byte)0;
        var offset = 10;
        if (!sealedSender)
        {
            sender.CopyTo(span[offset..]);
            offset += Identity.Size;
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[offset..], (uint)envelope.Length);
        envelope.CopyTo(span[(offset + 4)..]);
        output.Advance(size);
    }

    /// <summary>Writes an ACK frame.</summary>
    public static void WriteAck(IBufferWriter<byte> output, ulong relayMessageId) => WriteU64Frame(output, FrameType.Ack, relayMessageId);

    /// <summary>Writes an ACCEPTED frame.</summary>
    public static void WriteAccepted(IBufferWriter<byte> output, ulong clientMessageId, ulong relayMessageId)
    {
        var span = Begin(output, FrameType.Accepted, 17);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        BinaryPrimitives.WriteUInt64BigEndian(span[9..], relayMessageId);
        output.Advance(17);
    }

    /// <summary>Writes a REJECTED frame.</summary>
    public static void WriteRejected(IBufferWriter<byte> output, ulong clientMessageId, RejectReason reason)
    {
        var span = Begin(output, FrameType.Rejected, 10);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], clientMessageId);
        span[9] = (byte)reason;
        output.Advance(10);
    }

    /// <summary>Writes a PING frame.</summary>
    public static void WritePing(IBufferWriter<byte> output, ulong value) => WriteU64Frame(output, FrameType.Ping, value);

    /// <summary>Writes a PONG frame.</summary>
    public static void WritePong(IBufferWriter<byte> output, ulong value) => WriteU64Frame(output, FrameType.Pong, value);

    /// <summary>Writes an ERROR frame; the reason is cut to 200 bytes of ASCII-safe UTF-8.</summary>
    public static void WriteError(IBufferWriter<byte> output, FrameError code, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Span<byte> text = stackalloc byte[200];
        var length = Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, 200 / 3)), text);
        var span = Begin(output, FrameType.Error, 3 + length);
        span[1] = (byte)code;
        span[2] = (byte)length;
        text[..length].CopyTo(span[3..]);
        output.Advance(3 + length);
    }

    private static Span<byte> Begin(IBufferWriter<byte> output, FrameType type, int size)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(size);
        span[0] = (byte)type;
        return span;
    }

    private static void WriteU64Frame(IBufferWriter<byte> output, FrameType type, ulong value)
    {
        var span = Begin(output, type, 9);
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
        output.Advance(9);
    }

    private static bool TryReadU64(ref SequenceReader<byte> reader, out ulong value)
    {
        var ok = reader.TryReadBigEndian(out long signed);
        value = (ulong)signed;
        return ok;
    }

    private static bool TryReadIdentity(ref SequenceReader<byte> reader, out Identity identity)
    {
        Span<byte> bytes = stackalloc byte[Identity.Size];
        if (!reader.TryCopyTo(bytes))
        {
            identity = default;
            return false;
        }

        reader.Advance(Identity.Size);
        identity = new Identity(bytes);
        return true;
    }

    private static bool TryReadToken(ref SequenceReader<byte> reader, out DeliveryToken token)
    {
        Span<byte> bytes = stackalloc byte[DeliveryToken.Size];
        if (!reader.TryCopyTo(bytes))
        {
            token = default;
            return false;
        }

        reader.Advance(DeliveryToken.Size);
        token = new DeliveryToken(bytes);
        return true;
    }

    private static FrameError TryReadEnvelope(ref SequenceReader<byte> reader, int maxBytes, out ReadOnlySequence<byte> envelope)
    {
        envelope = default;
        if (!reader.TryReadBigEndian(out int signedLength))
        {
            return FrameError.Truncated;
        }

        var length = (uint)signedLength;
        if (length > (uint)maxBytes)
        {
            return FrameError.EnvelopeTooLarge;
        }

        if (reader.Remaining < length)
        {
            return FrameError.Truncated;
        }

        envelope = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        return FrameError.None;
    }
}
