using System.Buffers.Binary;

namespace Relay.Crypto.Sealed;

//  Mailbox ticket, version 1 (89 bytes; what a mailbox's owner gives its peer, inside an E2E plaintext):
//  offset size field
//  0      1    version = 1
//  1      32   fetch verifier f (not the credential: the peer cannot fetch)
//  33     8    expiry, Unix seconds, big-endian
//  41     16   send token t
//  57     32   sealing key k (the conversation envelope's AEAD key)

/// <summary>
/// What the peer of a conversation holds to reach its owner's mailbox: enough to name the mailbox
/// to the relay and prove it may send there (<see cref="FetchVerifier"/>, <see cref="Expiry"/>,
/// <see cref="SendToken"/>), and the key to seal for it (<see cref="SealingKey"/>), never the
/// credential that fetches it. It travels only inside E2E-encrypted plaintext (a conversation's
/// set-up message or a rotation). A view over the bytes it was read from: reading allocates nothing.
/// </summary>
public readonly ref struct MailboxTicket
{
    /// <summary>The version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a ticket.</summary>
    public const int Size = 1 + MailboxAddress.FetchVerifierSize + 8 + DeliveryTokens.TokenSize + SealingKeySize;

    /// <summary>Bytes of the sealing key.</summary>
    public const int SealingKeySize = 32;

    private readonly ReadOnlySpan<byte> _bytes;

    private MailboxTicket(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The mailbox's fetch verifier.</summary>
    public ReadOnlySpan<byte> FetchVerifier => _bytes.Slice(1, MailboxAddress.FetchVerifierSize);

    /// <summary>When the mailbox stops taking messages (Unix seconds).</summary>
    public ulong Expiry => BinaryPrimitives.ReadUInt64BigEndian(_bytes[33..]);

    /// <summary>The token that lets the peer send to the mailbox.</summary>
    public ReadOnlySpan<byte> SendToken => _bytes.Slice(41, DeliveryTokens.TokenSize);

    /// <summary>The key the peer seals conversation envelopes for this mailbox with.</summary>
    public ReadOnlySpan<byte> SealingKey => _bytes.Slice(57, SealingKeySize);

    /// <summary>The ticket's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Reads a ticket from the first <see cref="Size"/> bytes of <paramref name="bytes"/>: <see cref="SealedSenderError.Truncated"/> or <see cref="SealedSenderError.UnsupportedVersion"/> otherwise.</summary>
    public static SealedSenderError TryRead(ReadOnlySpan<byte> bytes, out MailboxTicket ticket)
    {
        ticket = default;
        if (bytes.Length < Size)
        {
            return SealedSenderError.Truncated;
        }

        if (bytes[0] != Version)
        {
            return SealedSenderError.UnsupportedVersion;
        }

        ticket = new MailboxTicket(bytes[..Size]);
        return SealedSenderError.None;
    }

    /// <summary>Writes a ticket.</summary>
    /// <exception cref="ArgumentException">A size is wrong.</exception>
    public static void Write(ReadOnlySpan<byte> fetchVerifier, ulong expiry, ReadOnlySpan<byte> sendToken, ReadOnlySpan<byte> sealingKey, Span<byte> destination)
    {
        if (fetchVerifier.Length != MailboxAddress.FetchVerifierSize || sendToken.Length != DeliveryTokens.TokenSize || sealingKey.Length != SealingKeySize || destination.Length < Size)
        {
            throw new ArgumentException($"a ticket is a 32-byte fetch verifier, a 16-byte send token and a 32-byte sealing key, written into {Size} bytes");
        }

        destination[0] = Version;
        fetchVerifier.CopyTo(destination[1..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[33..], expiry);
        sendToken.CopyTo(destination[41..]);
        sealingKey.CopyTo(destination[57..]);
    }

    /// <summary>The address of the mailbox this ticket reaches (what the relay derives from a MAILBOX_SEND).</summary>
    public void Address(Span<byte> address) => MailboxAddress.FromSendToken(FetchVerifier, SendToken, Expiry, address);
}
