using System.Buffers;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;
using Relay.Server.Audit;

namespace Relay.Server.Sealed;

/// <summary>
/// One connection's part in sealed sender, conversation mailboxes and the audit log, so the
/// connection's read loop only asks: may this SEND, SEALED_SEND or MAILBOX_SEND go to the router,
/// and to which mailbox (<see cref="Admit"/>), with which sender (<see cref="SenderOf"/>), and note
/// it once accepted (<see cref="Accepted"/>); what to answer a CERTIFICATE_REQUEST or
/// SET_DELIVERY_VERIFIER (<see cref="Answer"/>); and which mailbox an OPEN_MAILBOX opens
/// (<see cref="OpenMailbox"/>). An anonymous connection may send only SEALED_SEND, MAILBOX_SEND,
/// OPEN_MAILBOX, ACK and PING; the relay never learns who is behind it.
/// </summary>
internal sealed class ConnectionMetadata(RelayMetadata shared, long id, bool anonymous)
{
    private Identity _mailbox;

    /// <summary>The relay's number for this connection (the audit log's <c>conn</c>).</summary>
    public long Id { get; } = id;

    /// <summary>Whether the client declared a throwaway identity: no identity mailbox, no SEND.</summary>
    public bool IsAnonymous { get; } = anonymous;

    /// <summary>
    /// <c>null</c> when the frame may go to the router, with the mailbox it goes to in
    /// <paramref name="recipient"/> (an identity, or a conversation mailbox's address derived from
    /// the frame); else why it is refused. Allocates nothing.
    /// </summary>
    public RejectReason? Admit(in RelayFrame frame, out Identity recipient)
    {
        recipient = frame.Identity;
        switch (frame.Type)
        {
            case FrameType.Send:
                return IsAnonymous ? RejectReason.AuthenticationRequired : null;
            case FrameType.SealedSend:
                return frame.Envelope.Length < SealedSenderEnvelope.MinimumSize ? RejectReason.EnvelopeTooShort
                    : !shared.TokenMatches(frame.Identity, frame.Token) ? RejectReason.DeliveryTokenInvalid
                    : null;
            default: // MAILBOX_SEND
                if (!IsAnonymous)
                {
                    return RejectReason.AnonymousRequired;
                }

                if (frame.Envelope.Length < ConversationEnvelope.MinimumSize)
                {
                    return RejectReason.EnvelopeTooShort;
                }

                if (frame.MailboxExpiry <= UnixNow())
                {
                    return RejectReason.MailboxExpired;
                }

                recipient = AddressOfSend(frame);
                return null;
        }
    }

    /// <summary>The sender the router stamps: the connection's identity for SEND, none for SEALED_SEND and MAILBOX_SEND.</summary>
    public static Identity SenderOf(in RelayFrame frame, Identity connectionIdentity) =>
        frame.Type == FrameType.Send ? connectionIdentity : default;

    /// <summary>Notes an accepted SEND, SEALED_SEND or MAILBOX_SEND to <paramref name="recipient"/> in the audit log, if there is one.</summary>
    public void Accepted(in RelayFrame frame, Identity recipient, ulong relayMessageId, Identity connectionIdentity)
    {
        if (shared.Audit is not { } audit)
        {
            return;
        }

        var known = IsAnonymous ? default : connectionIdentity;
        audit.Record(new AuditRecord(
            Now(),
            relayMessageId,
            Id,
            known,
            SenderOf(frame, known),
            recipient,
            (int)frame.Envelope.Length,
            frame.Type != FrameType.Send) { Conversation = frame.Type == FrameType.MailboxSend });
    }

    /// <summary>Notes the connection's handshake in the audit log (anonymous when <see cref="IsAnonymous"/>).</summary>
    public void Connected(Identity connectionIdentity) => shared.Audit?.Record(AuditRecord.Connected(Now(), Id, IsAnonymous ? default : connectionIdentity));

    /// <summary>Notes the connection's end in the audit log.</summary>
    public void Disconnected() => shared.Audit?.Record(AuditRecord.Disconnected(Now(), Id));

    /// <summary>
    /// An OPEN_MAILBOX: the address of the mailbox this connection receives on from now on, or why
    /// not — <see cref="RejectReason.AnonymousRequired"/> on an authenticated connection or for a
    /// second, different mailbox; <see cref="RejectReason.MailboxExpired"/> for a mailbox that
    /// expires further ahead than the relay allows or whose expiry passed longer ago than a message
    /// lives (it can hold nothing). Opening the same mailbox again is accepted and changes nothing.
    /// </summary>
    public RejectReason? OpenMailbox(in RelayFrame frame, out Identity address, out bool alreadyOpen)
    {
        address = default;
        alreadyOpen = false;
        if (!IsAnonymous)
        {
            return RejectReason.AnonymousRequired;
        }

        var now = UnixNow();
        var expiry = frame.MailboxExpiry;
        if (expiry > now + (ulong)shared.MaxMailboxLifetime.TotalSeconds || expiry + (ulong)shared.MaxMessageAge.TotalSeconds < now)
        {
            return RejectReason.MailboxExpired;
        }

        Span<byte> credentials = stackalloc byte[FrameCodec.MailboxCredentialsSize];
        frame.Envelope.CopyTo(credentials);
        Span<byte> bytes = stackalloc byte[MailboxAddress.Size];
        MailboxAddress.FromCredential(credentials[..MailboxAddress.CredentialSize], credentials[MailboxAddress.CredentialSize..], expiry, bytes);
        credentials.Clear();
        address = new Identity(bytes);
        if (!_mailbox.IsEmpty)
        {
            alreadyOpen = true;
            return _mailbox == address ? null : RejectReason.AnonymousRequired;
        }

        _mailbox = address;
        shared.Audit?.Record(AuditRecord.MailboxOpened(Now(), Id, address));
        return null;
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

    // The address a MAILBOX_SEND names: from its fetch verifier, send token and expiry (two SHA-256).
    private static Identity AddressOfSend(in RelayFrame frame)
    {
        Span<byte> fetchVerifier = stackalloc byte[MailboxAddress.FetchVerifierSize];
        frame.Identity.CopyTo(fetchVerifier);
        Span<byte> token = stackalloc byte[DeliveryToken.Size];
        frame.Token.CopyTo(token);
        Span<byte> address = stackalloc byte[MailboxAddress.Size];
        MailboxAddress.FromSendToken(fetchVerifier, token, frame.MailboxExpiry, address);
        return new Identity(address);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static ulong UnixNow() => (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

/// <summary>What to send back for a metadata frame.</summary>
/// <param name="Type">ACCEPTED, REJECTED or CERTIFICATE.</param>
/// <param name="Reason">The reject reason, for REJECTED.</param>
/// <param name="Frame">The whole CERTIFICATE frame, for CERTIFICATE.</param>
internal readonly record struct MetadataReply(FrameType Type, RejectReason Reason, byte[]? Frame);
