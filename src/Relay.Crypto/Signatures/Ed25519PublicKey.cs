using NSec.Cryptography;

namespace Relay.Crypto.Signatures;

/// <summary>
/// An Ed25519 public key (RFC 8032) that verifies signatures: the relay's sender-certificate key as
/// clients hold it. The project's own type, so callers outside Relay.Crypto never see the library
/// underneath (NSec over libsodium). Immutable and thread-safe; verifying allocates nothing.
/// </summary>
public sealed class Ed25519PublicKey
{
    /// <summary>Bytes of a raw Ed25519 public key.</summary>
    public const int Size = 32;

    /// <summary>Bytes of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    private readonly PublicKey _key;
    private readonly byte[] _bytes;

    private Ed25519PublicKey(PublicKey key, ReadOnlySpan<byte> bytes)
    {
        _key = key;
        _bytes = bytes.ToArray();
    }

    /// <summary>The raw 32-byte key.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Imports a raw 32-byte key.</summary>
    /// <exception cref="ArgumentException">Not a valid 32-byte Ed25519 public key.</exception>
    public static Ed25519PublicKey Import(ReadOnlySpan<byte> key) =>
        key.Length == Size && PublicKey.TryImport(SignatureAlgorithm.Ed25519, key, KeyBlobFormat.RawPublicKey, out var imported) && imported is not null
            ? new Ed25519PublicKey(imported, key)
            : throw new ArgumentException("not a 32-byte Ed25519 public key", nameof(key));

    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        SignatureAlgorithm.Ed25519.Verify(_key, data, signature);
}
