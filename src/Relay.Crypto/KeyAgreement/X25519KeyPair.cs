using NSec.Cryptography;

namespace Relay.Crypto.KeyAgreement;

/// <summary>
/// An X25519 key pair (RFC 7748) on libsodium through NSec: the identity and ephemeral keys of
/// the Noise and E2E layers. The private key stays inside NSec's protected memory unless
/// exported on purpose (<see cref="ExportPrivateKey"/>, used for test vectors and key files).
/// </summary>
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>Size of a public key, a private key and a shared secret, in bytes.</summary>
    public const int KeySize = 32;

    private readonly Key _key;
    private readonly byte[] _publicKey;

    private X25519KeyPair(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Generates a fresh key pair from libsodium's CSPRNG.</summary>
    public static X25519KeyPair Generate() => new(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Builds a key pair from a 32-byte private key (clamped as RFC 7748 requires).</summary>
    /// <exception cref="ArgumentException">The private key is not 32 bytes.</exception>
    public static X25519KeyPair Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new ArgumentException($"An X25519 private key is {KeySize} bytes; got {privateKey.Length}.", nameof(privateKey));
        }

        return new(Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>Copies the raw private key into <paramref name="destination"/> (32 bytes). Handle the copy as a secret.</summary>
    public void ExportPrivateKey(Span<byte> destination)
    {
        if (destination.Length != KeySize)
        {
            throw new ArgumentException($"The destination must be {KeySize} bytes.", nameof(destination));
        }

        if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, destination, out var written) || written != KeySize)
        {
            throw new InvalidOperationException("The X25519 private key could not be exported.");
        }
    }

    /// <summary>
    /// Computes the X25519 shared secret with <paramref name="peerPublicKey"/> into
    /// <paramref name="sharedSecret"/> (32 bytes). Returns <c>false</c> for a public key of the
    /// wrong size or a low-order point whose result is all zeros, which callers must refuse.
    /// The public key's most significant bit is ignored, as RFC 7748 requires.
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        if (sharedSecret.Length != KeySize)
        {
            throw new ArgumentException($"The shared secret destination must be {KeySize} bytes.", nameof(sharedSecret));
        }

        if (peerPublicKey.Length != KeySize)
        {
            return false;
        }

        Span<byte> masked = stackalloc byte[KeySize];
        peerPublicKey.CopyTo(masked);
        masked[KeySize - 1] &= 0x7F;
        if (!NSec.Cryptography.PublicKey.TryImport(KeyAgreementAlgorithm.X25519, masked, KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
        {
            return false;
        }

        try
        {
            using var secret = KeyAgreementAlgorithm.X25519.Agree(_key, publicKey, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            return secret is not null
                && secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, sharedSecret, out var written)
                && written == KeySize;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // libsodium refuses an all-zero result (a low-order peer point).
            sharedSecret.Clear();
            return false;
        }
    }

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();
}
