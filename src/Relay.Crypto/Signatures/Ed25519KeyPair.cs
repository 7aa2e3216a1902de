using NSec.Cryptography;

namespace Relay.Crypto.Signatures;

/// <summary>
/// An Ed25519 signing key (RFC 8032) on NSec, kept inside Relay.Crypto: the relay's
/// sender-certificate key. Thread-safe; <see cref="Dispose"/> releases the key.
/// </summary>
internal sealed class Ed25519KeyPair : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _publicKey;

    private Ed25519KeyPair(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The key pair of a 32-byte seed (RFC 8032's private key).</summary>
    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));

    /// <summary>A fresh random key pair.</summary>
    public static Ed25519KeyPair Generate() => new(Key.Create(SignatureAlgorithm.Ed25519));

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (64 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => SignatureAlgorithm.Ed25519.Sign(_key, data, signature);

    /// <summary>Releases the key.</summary>
    public void Dispose() => _key.Dispose();
}
