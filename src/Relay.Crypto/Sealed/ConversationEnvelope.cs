using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;

namespace Relay.Crypto.Sealed;

//  Conversation envelope, version 1 (what a MAILBOX_SEND carries; the relay cannot open it):
//  offset  size     field
//  0       1        version = 1
//  1       1        algorithm: 1 chacha20-poly1305, 2 aes-256-gcm, 3 xchacha20-poly1305 (as the E2E envelope)
//  2       N        nonce, random (N = 12, or 24 for xchacha20-poly1305)
//  2+N     n+16     AEAD(key = the mailbox's sealing key, nonce, ad = bytes 0..2+N || mailbox address,
//                        E2E envelope (n)) || tag

/// <summary>
/// The outer layer of a conversation message: the E2E envelope encrypted under the sealing key of
/// the recipient's conversation mailbox (from its <see cref="MailboxTicket"/>), so the relay sees
/// neither the E2E header's session id (a pseudonym that would link a conversation across mailbox
/// rotations) nor, in a first message, the initiator's identity. No certificate is needed inside:
/// the mailbox belongs to one conversation, whose E2E session authenticates the sender. The nonce is
/// random: a sealing key seals at most 2^32 messages (mailboxes rotate far below that,
/// docs/protocol.md). One instance per thread: it keeps an AEAD cipher that it rekeys per message.
/// </summary>
public sealed class ConversationEnvelope : IDisposable
{
    /// <summary>The version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>The largest overhead of any algorithm (XChaCha20-Poly1305's 24-byte nonce).</summary>
    public const int MaxOverhead = 2 + 24 + AeadAlgorithm.TagSizeBytes;

    /// <summary>
    /// The shortest valid conversation envelope (69 bytes): the smallest overhead (a 12-byte nonce)
    /// around the shortest E2E envelope (a steady-state header and a tag, empty plaintext). The relay
    /// refuses a MAILBOX_SEND shorter than this (REJECTED <c>EnvelopeTooShort</c>).
    /// </summary>
    public const int MinimumSize = 2 + 12 + AeadAlgorithm.TagSizeBytes + E2eEnvelope.BaseHeaderSize + AeadAlgorithm.TagSizeBytes;

    private readonly AeadAlgorithm _algorithm;
    private readonly AeadCipher _cipher;
    private readonly byte _algorithmCode;

    /// <summary>A sealer/opener for <paramref name="algorithm"/> on <paramref name="backend"/>.</summary>
    public ConversationEnvelope(AeadAlgorithm algorithm, AeadBackend backend)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(backend);
        _algorithm = algorithm;
        _algorithmCode = E2eEnvelope.AlgorithmCode(algorithm);
        _cipher = SealedSenderEnvelope.RekeyedCipher(algorithm, backend);
    }

    /// <summary>Bytes this layer adds around the E2E envelope with <paramref name="algorithm"/>: version, algorithm, nonce, tag (30, or 42 for XChaCha).</summary>
    public static int OverheadOf(AeadAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return 2 + algorithm.NonceSize + AeadAlgorithm.TagSizeBytes;
    }

    /// <summary>Bytes this instance's layer adds around the E2E envelope.</summary>
    public int Overhead => OverheadOf(_algorithm);

    /// <summary>
    /// Seals <paramref name="e2eEnvelope"/> for the mailbox at <paramref name="mailboxAddress"/> with its
    /// <paramref name="sealingKey"/> into <paramref name="destination"/>; returns the bytes written. Allocates
    /// nothing on backends whose rekeying does not (sodium, libcrypto).
    /// </summary>
    /// <exception cref="ArgumentException">A size is wrong.</exception>
    public int Seal(ReadOnlySpan<byte> sealingKey, ReadOnlySpan<byte> mailboxAddress, ReadOnlySpan<byte> e2eEnvelope, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[_algorithm.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return Seal(nonce, sealingKey, mailboxAddress, e2eEnvelope, destination);
    }

    /// <summary>
    /// <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> with a
    /// given nonce: the fuzz harness's seed corpus must be the same on every run.
    /// </summary>
    internal int Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealingKey, ReadOnlySpan<byte> mailboxAddress, ReadOnlySpan<byte> e2eEnvelope, Span<byte> destination)
    {
        CheckKeys(sealingKey, mailboxAddress);
        var headerSize = 2 + _algorithm.NonceSize;
        var size = Overhead + e2eEnvelope.Length;
        if (destination.Length < size)
        {
            throw new ArgumentException($"the conversation envelope needs {size} bytes; the destination has {destination.Length}", nameof(destination));
        }

        destination[0] = Version;
        destination[1] = _algorithmCode;
        nonce[.._algorithm.NonceSize].CopyTo(destination[2..]);
        Span<byte> ad = stackalloc byte[2 + 24 + MailboxAddress.Size];
        ad = ad[..(headerSize + MailboxAddress.Size)];
        destination[..headerSize].CopyTo(ad);
        mailboxAddress.CopyTo(ad[headerSize..]);
        _cipher.Rekey(sealingKey);
        _cipher.Seal(destination.Slice(2, _algorithm.NonceSize), ad, e2eEnvelope, destination.Slice(headerSize, e2eEnvelope.Length + AeadAlgorithm.TagSizeBytes));
        return size;
    }

    /// <summary>
    /// Opens a conversation envelope that came on the mailbox at <paramref name="mailboxAddress"/> with its
    /// <paramref name="sealingKey"/> into <paramref name="inner"/> (at least <c>envelope.Length - Overhead</c>
    /// bytes): the E2E envelope, <paramref name="innerLength"/> bytes. Allocates nothing on backends whose
    /// rekeying does not (sodium, libcrypto).
    /// </summary>
    /// <returns><see cref="SealedSenderError.None"/>, or <see cref="SealedSenderError.Truncated"/>,
    /// <see cref="SealedSenderError.UnsupportedVersion"/>, <see cref="SealedSenderError.UnknownAlgorithm"/>,
    /// <see cref="SealedSenderError.AuthenticationFailed"/> (another mailbox's key, or altered).</returns>
    /// <exception cref="ArgumentException">A key size is wrong or <paramref name="inner"/> is too small.</exception>
    public SealedSenderError TryOpen(ReadOnlySpan<byte> sealingKey, ReadOnlySpan<byte> mailboxAddress, ReadOnlySpan<byte> envelope, Span<byte> inner, out int innerLength)
    {
        CheckKeys(sealingKey, mailboxAddress);
        innerLength = 0;
        if (envelope.Length < 2)
        {
            return SealedSenderError.Truncated;
        }

        if (envelope[0] != Version)
        {
            return SealedSenderError.UnsupportedVersion;
        }

        if (E2eEnvelope.AlgorithmFromCode(envelope[1]) != _algorithm)
        {
            return SealedSenderError.UnknownAlgorithm;
        }

        if (envelope.Length < Overhead)
        {
            return SealedSenderError.Truncated;
        }

        var headerSize = 2 + _algorithm.NonceSize;
        var bodyLength = envelope.Length - Overhead;
        if (inner.Length < bodyLength)
        {
            throw new ArgumentException($"the destination needs {bodyLength} bytes", nameof(inner));
        }

        Span<byte> ad = stackalloc byte[2 + 24 + MailboxAddress.Size];
        ad = ad[..(headerSize + MailboxAddress.Size)];
        envelope[..headerSize].CopyTo(ad);
        mailboxAddress.CopyTo(ad[headerSize..]);
        _cipher.Rekey(sealingKey);
        if (!_cipher.TryOpen(envelope.Slice(2, _algorithm.NonceSize), ad, envelope[headerSize..], inner[..bodyLength]))
        {
            return SealedSenderError.AuthenticationFailed;
        }

        innerLength = bodyLength;
        return SealedSenderError.None;
    }

    /// <summary>Releases the cipher.</summary>
    public void Dispose() => _cipher.Dispose();

    private static void CheckKeys(ReadOnlySpan<byte> sealingKey, ReadOnlySpan<byte> mailboxAddress)
    {
        if (sealingKey.Length != MailboxTicket.SealingKeySize || mailboxAddress.Length != MailboxAddress.Size)
        {
            throw new ArgumentException("a sealing key and a mailbox address are 32 bytes each");
        }
    }
}
