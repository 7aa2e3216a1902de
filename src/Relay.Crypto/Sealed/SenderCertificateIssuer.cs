using System.Buffers.Binary;
using System.Security.Cryptography;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Signatures;

namespace Relay.Crypto.Sealed;

/// <summary>
/// The relay's side of sender certificates: an Ed25519 key that signs "identity, expiry".
/// <see cref="FromRelayKey"/> derives it from the relay's static X25519 private key, so a relay
/// started with the same <c>--key</c> file keeps the same signing key, and clients that pinned
/// the relay's static key receive the signing key over that pinned Noise channel (in every
/// CERTIFICATE frame). Thread-safe.
/// </summary>
public sealed class SenderCertificateIssuer : IDisposable
{
    private readonly Ed25519KeyPair _key;

    private SenderCertificateIssuer(Ed25519KeyPair key)
    {
        _key = key;
    }

    /// <summary>The 32-byte Ed25519 public key recipients verify certificates with.</summary>
    public ReadOnlySpan<byte> PublicKey => _key.PublicKey;

    /// <summary>
    /// The issuer whose Ed25519 seed is <c>HKDF-SHA256(ikm = relay static private key, salt = 32
    /// zero bytes, info = "relay-sender-cert-key/1", 32)</c>.
    /// </summary>
    public static SenderCertificateIssuer FromRelayKey(X25519KeyPair relayStaticKey)
    {
        ArgumentNullException.ThrowIfNull(relayStaticKey);
        Span<byte> secret = stackalloc byte[32];
        Span<byte> seed = stackalloc byte[32];
        Span<byte> salt = stackalloc byte[32];
        salt.Clear();
        try
        {
            relayStaticKey.ExportPrivateKey(secret);
            Kdf.HkdfSha256.DeriveKey(secret, salt, "relay-sender-cert-key/1"u8, seed);
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>An issuer from a 32-byte Ed25519 seed (tests and vectors).</summary>
    public static SenderCertificateIssuer FromSeed(ReadOnlySpan<byte> seed) => new(Ed25519KeyPair.FromSeed(seed));

    /// <summary>A fresh random issuer.</summary>
    public static SenderCertificateIssuer Generate() => new(Ed25519KeyPair.Generate());

    /// <summary>Writes a certificate for <paramref name="identity"/> valid until <paramref name="expiry"/> into <paramref name="destination"/> (105 bytes).</summary>
    /// <exception cref="ArgumentException">The identity is not 32 bytes or the destination is too small.</exception>
    public void Issue(ReadOnlySpan<byte> identity, DateTimeOffset expiry, Span<byte> destination)
    {
        if (identity.Length != 32)
        {
            throw new ArgumentException("an identity is 32 bytes", nameof(identity));
        }

        if (destination.Length < SenderCertificate.Size)
        {
            throw new ArgumentException($"a certificate is {SenderCertificate.Size} bytes", nameof(destination));
        }

        destination[0] = SenderCertificate.Version;
        identity.CopyTo(destination[1..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[33..], (ulong)Math.Max(0, expiry.ToUnixTimeSeconds()));
        var context = SenderCertificate.Context;
        Span<byte> signed = stackalloc byte[context.Length + SenderCertificate.SignedSize];
        context.CopyTo(signed);
        destination[..SenderCertificate.SignedSize].CopyTo(signed[context.Length..]);
        _key.Sign(signed, destination.Slice(SenderCertificate.SignedSize, SenderCertificate.SignatureSize));
    }

    /// <summary>Releases the signing key.</summary>
    public void Dispose() => _key.Dispose();
}
