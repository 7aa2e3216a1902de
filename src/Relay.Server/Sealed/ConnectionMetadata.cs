using System.Buffers;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;
using Relay.Server.Audit;

namespace Relay.Server.Sealed;

/// <summary>
/// One connection's part in sealed sender and the audit log, so the connection's read loop only
/// asks: may this SEND or SEALED_SEND go to the router (<see cref="Admit"/>), with which sender
/// (<see cref="SenderOf"/>), and note it once accepted (<see cref="Accepted"/>); and what to
/// answer a CERTIFICATE_REQUEST or SET_DELIVERY_VERIFIER (<see cref="Answer"/>). An anonymous
/// connection may send only SEALED_SEND (and PING); the relay never learns who is behind it.
/// </summary>
internal sealed class ConnectionMetadata(RelayMetadata shared, long id, bool anonymous)
{
    /// <summary>The relay's number for this connection (the audit log's <c>conn</c>).</summary>
    public long Id { get; } = id;

    /// <summary>Whether the client declared a throwaway identity: no mailbox, no SEND.</summary>
    public bool IsAnonymous { get; } = anonymous;

    /// <summary><c>null</c> when the frame may go to the router, else why it is refused.</summary>
    public RejectReason? Admit(in RelayFrame frame) => frame.Type switch
    {
        FrameType.Send when IsAnonymous => RejectReason.AuthenticationRequired,
        FrameType.SealedSend when !shared.TokenMatches(frame.Identity, frame.Token) => RejectReason.DeliveryTokenInvalid,
        _ => null,
    };

    /// <summary>The sender the router stamps: the connection's identity for SEND, none for SEALED_SEND.</summary>
    public static Identity SenderOf(in RelayFrame frame, Identity connectionIdentity) =>
        frame.Type == FrameType.SealedSend ? default : connectionIdentity;

    /// <summary>Notes an accepted SEND or SEALED_SEND in the audit log, if there is one.</summary>
    public void Accepted(in RelayFrame frame, ulong relayMessageId, Identity connectionIdentity)
    {
        if (shared.Audit is not { } audit)
        {
            return;
        }

        var known = IsAnonymous ? default : connectionIdentity;
        audit.Record(new AuditRecord(
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            relayMessageId,
            Id,
            known,
            SenderOf(frame, known),
            frame.Identity,
            (int)frame.Envelope.Length,
            frame.Type == FrameType.SealedSend));
    }

    /// <summary>The answer to a CERTIFICATE_REQUEST (a CERTIFICATE frame) or SET_DELIVERY_VERIFIER (ACCEPTED), or REJECTED on an anonymous connection.</summary>
    public MetadataReply Answer(in RelayFrame frame, Identity connectionIdentity)
    {
        if (IsAnonymous)
        {
            return new MetadataReply(FrameType.Rejected, RejectReason.AuthenticationRequired, null);
        }

        if (frame.Type == FrameType.SetDeliveryVerifier)
        {
            Span<byte> verifier = stackalloc byte[FrameCodec.VerifierSize];
            frame.Envelope.CopyTo(verifier);
            shared.SetVerifier(connectionIdentity, verifier);
            return new MetadataReply(FrameType.Accepted, 0, null);
        }

        Span<byte> identity = stackalloc byte[Identity.Size];
        connectionIdentity.CopyTo(identity);
        Span<byte> certificate = stackalloc byte[SenderCertificate.Size];
        shared.Issuer.Issue(identity, DateTimeOffset.UtcNow + shared.CertificateLifetime, certificate);
        var bytes = new ArrayBufferWriter<byte>(256);
        FrameCodec.WriteCertificate(bytes, frame.ClientMessageId, shared.Issuer.PublicKey, certificate);
        return new MetadataReply(FrameType.Certificate, 0, bytes.WrittenSpan.ToArray());
    }
}

/// <summary>What to send back for a metadata frame.</summary>
/// <param name="Type">ACCEPTED, REJECTED or CERTIFICATE.</param>
/// <param name="Reason">The reject reason, for REJECTED.</param>
/// <param name="Frame">The whole CERTIFICATE frame, for CERTIFICATE.</param>
internal readonly record struct MetadataReply(FrameType Type, RejectReason Reason, byte[]? Frame);
