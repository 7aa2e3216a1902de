using System.Buffers.Binary;
using Relay.Crypto.Signatures;

namespace Relay.Crypto.Sealed;

//  Sender certificate, version 1 (105 bytes, integers big-endian):
//  offset size field
//  0      1    version = 1
//  1      32   identity (the holder's X25519 identity public key)
//  33     8    expiry (Unix seconds)
//  41     64   Ed25519 signature by the relay over "relay-sender-cert/1" || bytes 0..41

/// <summary>
/// A short-lived statement by the relay, "this identity authenticated to me", that a sender puts
/// inside a sealed-sender envelope so the recipient learns (and can trust) who sent it while the
/// relay, which sees only an anonymous connection, does not. Layout above and in docs/metadata.md.
/// </summary>
public readonly struct SenderCertificate
{
    /// <summary>The version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a certificate.</summary>
    public const int Size = SignedSize + SignatureSize;

    /// <summary>Bytes the signature covers (after the context label).</summary>
    public const int SignedSize = 1 + 32 + 8;

    /// <summary>Bytes of the Ed25519 signature.</summary>
    public const int SignatureSize = Ed25519PublicKey.SignatureSize;

    /// <summary>Bytes of the relay's Ed25519 public key.</summary>
    public const int SigningKeySize = Ed25519PublicKey.Size;

    private readonly ulong _expiry;
    private readonly byte[] _bytes;

    private SenderCertificate(byte[] bytes)
    {
        _bytes = bytes;
        _expiry = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(33));
    }

    /// <summary>The certified identity public key.</summary>
    public ReadOnlySpan<byte> Identity => _bytes.AsSpan(1, 32);

    /// <summary>When the certificate stops being valid.</summary>
    public DateTimeOffset Expiry => DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(_expiry, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()));

    /// <summary>The certificate's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    internal static ReadOnlySpan<byte> Context => "relay-sender-cert/1"u8;

    /// <summary>Copies a certificate out of <paramref name="bytes"/> without checking its signature; false when it is not 105 bytes of version 1.</summary>
    public static SealedSenderError TryParse(ReadOnlySpan<byte> bytes, out SenderCertificate certificate)
    {
        certificate = default;
        if (bytes.Length < Size)
        {
            return SealedSenderError.Truncated;
        }

        if (bytes[0] != Version)
        {
            return SealedSenderError.UnsupportedVersion;
        }

        certificate = new SenderCertificate(bytes[..Size].ToArray());
        return SealedSenderError.None;
    }

    /// <summary>
    /// Checks a certificate's signature against the relay's Ed25519 public key and its expiry
    /// against <paramref name="now"/>: <see cref="SealedSenderError.CertificateForged"/> or
    /// <see cref="SealedSenderError.CertificateExpired"/>. Allocates nothing.
    /// </summary>
    public static SealedSenderError Verify(ReadOnlySpan<byte> certificate, Ed25519PublicKey relaySigningKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(relaySigningKey);
        if (certificate.Length < Size)
        {
            return SealedSenderError.Truncated;
        }

        if (certificate[0] != Version)
        {
            return SealedSenderError.UnsupportedVersion;
        }

        Span<byte> signed = stackalloc byte[Context.Length + SignedSize];
        Context.CopyTo(signed);
        certificate[..SignedSize].CopyTo(signed[Context.Length..]);
        if (!relaySigningKey.Verify(signed, certificate.Slice(SignedSize, SignatureSize)))
        {
            return SealedSenderError.CertificateForged;
        }

        var expiry = BinaryPrimitives.ReadUInt64BigEndian(certificate[33..]);
        return (ulong)Math.Max(0, now.ToUnixTimeSeconds()) >= expiry ? SealedSenderError.CertificateExpired : SealedSenderError.None;
    }

    /// <summary>Imports the relay's 32-byte Ed25519 public key (as the CERTIFICATE frame carries it).</summary>
    /// <exception cref="ArgumentException">Not a valid Ed25519 public key.</exception>
    public static Ed25519PublicKey ImportSigningKey(ReadOnlySpan<byte> key) => Ed25519PublicKey.Import(key);
}
