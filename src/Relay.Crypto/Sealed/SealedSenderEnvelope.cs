using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.Kdf;
using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Sealed;

//  Sealed-sender envelope, version 1 (what a SEALED_SEND carries; the relay cannot open it):
//  offset size      field
//  0      1         version = 1
//  1      1         algorithm: 1 chacha20-poly1305, 2 aes-256-gcm, 3 xchacha20-poly1305 (as the E2E envelope)
//  2      32        ephemeral X25519 public key E
//  34     105+n+16  AEAD(key, nonce = zeros, ad = bytes 0..34 || recipient identity,
//                        sender certificate (105) || E2E envelope (n)) || tag
//  key = HKDF-SHA256(ikm = X25519(E, recipient identity), salt = 32 zero bytes,
//                    info = "relay-sealed/1" || E || recipient identity, 32)

/// <summary>
/// The outer layer of sealed sender: the sender's certificate and its E2E envelope encrypted to
/// the recipient's identity key with a fresh ephemeral key, so that what travels through the relay
/// names no sender. Each key seals exactly one message (a fresh ephemeral per message), so the
/// nonce is all zeros. Layout above and in docs/metadata.md. One instance per thread: it keeps
/// an AEAD cipher that it rekeys per message.
/// </summary>
public sealed class SealedSenderEnvelope : IDisposable
{
    /// <summary>The version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the ciphertext: version, algorithm, ephemeral key.</summary>
    public const int HeaderSize = 2 + 32;

    /// <summary>Bytes a sealed envelope adds around the E2E envelope: header, certificate and tag.</summary>
    public const int Overhead = HeaderSize + SenderCertificate.Size + AeadAlgorithm.TagSizeBytes;

    /// <summary>
    /// The shortest valid sealed envelope (194 bytes): the overhead around the shortest E2E envelope
    /// (a steady-state header and a tag, empty plaintext). The relay refuses a SEALED_SEND shorter
    /// than this (REJECTED <c>EnvelopeTooShort</c>); a first message (prekey header) is 64 bytes more.
    /// </summary>
    public const int MinimumSize = Overhead + E2eEnvelope.BaseHeaderSize + AeadAlgorithm.TagSizeBytes;

    private readonly AeadAlgorithm _algorithm;
    private readonly AeadCipher _cipher;
    private readonly byte _algorithmCode;

    /// <summary>A sealer/opener for <paramref name="algorithm"/> on <paramref name="backend"/>.</summary>
    public SealedSenderEnvelope(AeadAlgorithm algorithm, AeadBackend backend)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(backend);
        _algorithm = algorithm;
        _algorithmCode = E2eEnvelope.AlgorithmCode(algorithm);
        _cipher = RekeyedCipher(algorithm, backend);
    }

    /// <summary>A cipher of <paramref name="algorithm"/> that an outer layer rekeys per message (created with a zero key it never uses).</summary>
    internal static AeadCipher RekeyedCipher(AeadAlgorithm algorithm, AeadBackend backend)
    {
        Span<byte> zero = stackalloc byte[AeadAlgorithm.KeySizeBytes];
        zero.Clear();
        return backend.Create(algorithm, zero);
    }

    private static ReadOnlySpan<byte> Label => "relay-sealed/1"u8;

    /// <summary>The sealed size for an E2E envelope of <paramref name="innerLength"/> bytes.</summary>
    public static int SealedSize(int innerLength) => Overhead + innerLength;

    /// <summary>
    /// Seals <paramref name="certificate"/> and <paramref name="e2eEnvelope"/> for the recipient
    /// <paramref name="recipientIdentity"/> into <paramref name="destination"/>; returns the bytes written.
    /// </summary>
    /// <exception cref="ArgumentException">A size is wrong or the recipient key is unusable.</exception>
    public int Seal(ReadOnlySpan<byte> recipientIdentity, ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> e2eEnvelope, Span<byte> destination)
    {
        Span<byte> ephemeralPrivate = stackalloc byte[X25519.KeySize];
        Span<byte> ephemeralPublic = stackalloc byte[X25519.KeySize];
        try
        {
            X25519.Generate(ephemeralPrivate, ephemeralPublic);
            return Seal(ephemeralPrivate, recipientIdentity, certificate, e2eEnvelope, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeralPrivate);
        }
    }

    /// <summary>
    /// <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> with a
    /// given ephemeral private key: the fuzz harness's seed corpus must be the same on every run.
    /// </summary>
    internal int Seal(ReadOnlySpan<byte> ephemeralPrivate, ReadOnlySpan<byte> recipientIdentity, ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> e2eEnvelope, Span<byte> destination)
    {
        if (certificate.Length != SenderCertificate.Size)
        {
            throw new ArgumentException($"a sender certificate is {SenderCertificate.Size} bytes", nameof(certificate));
        }

        var size = SealedSize(e2eEnvelope.Length);
        if (destination.Length < size)
        {
            throw new ArgumentException($"the sealed envelope needs {size} bytes; the destination has {destination.Length}", nameof(destination));
        }

        Span<byte> ephemeralPublic = stackalloc byte[X25519.KeySize];
        Span<byte> shared = stackalloc byte[X25519.KeySize];
        Span<byte> key = stackalloc byte[AeadAlgorithm.KeySizeBytes];
        try
        {
            X25519.DerivePublicKey(ephemeralPrivate, ephemeralPublic);
            if (recipientIdentity.Length != X25519.KeySize || !X25519.TryAgree(ephemeralPrivate, recipientIdentity, shared))
            {
                throw new ArgumentException("the recipient identity is not a usable X25519 public key", nameof(recipientIdentity));
            }

            DeriveKey(shared, ephemeralPublic, recipientIdentity, key);

            destination[0] = Version;
            destination[1] = _algorithmCode;
            ephemeralPublic.CopyTo(destination[2..]);
            var body = destination.Slice(HeaderSize, SenderCertificate.Size + e2eEnvelope.Length);
            certificate.CopyTo(body);
            e2eEnvelope.CopyTo(body[SenderCertificate.Size..]);
            Span<byte> ad = stackalloc byte[HeaderSize + 32];
            destination[..HeaderSize].CopyTo(ad);
            recipientIdentity.CopyTo(ad[HeaderSize..]);
            Span<byte> nonce = stackalloc byte[_algorithm.NonceSize];
            nonce.Clear();
            _cipher.Rekey(key);
            _cipher.Seal(nonce, ad, body, destination.Slice(HeaderSize, body.Length + AeadAlgorithm.TagSizeBytes));
            return size;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Opens the outer layer with the recipient's identity key into <paramref name="inner"/> (at
    /// least <c>sealed.Length - Overhead + 105</c> bytes): on success the first 105 bytes are the
    /// sender certificate (not yet verified: see <see cref="SealedSenderOpener"/>) and the rest,
    /// up to <paramref name="innerLength"/>, the E2E envelope.
    /// </summary>
    public SealedSenderError TryUnseal(X25519KeyPair recipient, ReadOnlySpan<byte> sealedEnvelope, Span<byte> inner, out int innerLength)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        innerLength = 0;
        if (sealedEnvelope.Length < Overhead)
        {
            return SealedSenderError.Truncated;
        }

        if (sealedEnvelope[0] != Version)
        {
            return SealedSenderError.UnsupportedVersion;
        }

        if (E2eEnvelope.AlgorithmFromCode(sealedEnvelope[1]) != _algorithm)
        {
            return SealedSenderError.UnknownAlgorithm;
        }

        var ciphertext = sealedEnvelope[HeaderSize..];
        var bodyLength = ciphertext.Length - AeadAlgorithm.TagSizeBytes;
        if (inner.Length < bodyLength)
        {
            throw new ArgumentException($"the destination needs {bodyLength} bytes", nameof(inner));
        }

        Span<byte> shared = stackalloc byte[X25519.KeySize];
        Span<byte> key = stackalloc byte[AeadAlgorithm.KeySizeBytes];
        try
        {
            var ephemeralPublic = sealedEnvelope.Slice(2, X25519.KeySize);
            if (!recipient.TryAgree(ephemeralPublic, shared))
            {
                return SealedSenderError.InvalidKey;
            }

            DeriveKey(shared, ephemeralPublic, recipient.PublicKey, key);

            Span<byte> ad = stackalloc byte[HeaderSize + 32];
            sealedEnvelope[..HeaderSize].CopyTo(ad);
            recipient.PublicKey.CopyTo(ad[HeaderSize..]);
            Span<byte> nonce = stackalloc byte[_algorithm.NonceSize];
            nonce.Clear();
            _cipher.Rekey(key);
            if (!_cipher.TryOpen(nonce, ad, ciphertext, inner[..bodyLength]))
            {
                return SealedSenderError.AuthenticationFailed;
            }

            innerLength = bodyLength;
            return SealedSenderError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Releases the cipher.</summary>
    public void Dispose() => _cipher.Dispose();

    // ikm = the X25519 shared secret; info binds the ephemeral and the recipient's key.
    private static void DeriveKey(ReadOnlySpan<byte> shared, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientIdentity, Span<byte> key)
    {
        Span<byte> info = stackalloc byte[Label.Length + 64];
        Label.CopyTo(info);
        ephemeralPublic.CopyTo(info[Label.Length..]);
        recipientIdentity.CopyTo(info[(Label.Length + 32)..]);
        Span<byte> salt = stackalloc byte[32];
        salt.Clear();
        HkdfSha256.DeriveKey(shared, salt, info, key);
    }
}
