using System.Security.Cryptography;

namespace Relay.Crypto.KeyAgreement;

/// <summary>
/// An X25519 key pair (RFC 7748): the identity and ephemeral keys of the Noise and E2E layers, on
/// the span functions of <see cref="X25519"/>. The private key lives in a pinned buffer owned by
/// this object and is wiped on <see cref="Dispose"/>; it leaves only when exported on purpose
/// (<see cref="ExportPrivateKey"/>, used for test vectors and key files).
/// </summary>
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>Size of a public key, a private key and a shared secret, in bytes.</summary>
    public const int KeySize = X25519.KeySize;

    private readonly byte[] _privateKey = GC.AllocateUninitializedArray<byte>(KeySize, pinned: true);
    private readonly byte[] _publicKey = new byte[KeySize];
    private bool _disposed;

    private X25519KeyPair(ReadOnlySpan<byte> privateKey)
    {
        privateKey.CopyTo(_privateKey);
        try
        {
            X25519.DerivePublicKey(_privateKey, _publicKey);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(_privateKey);
            throw;
        }
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Generates a fresh key pair from the operating system's CSPRNG.</summary>
    public static X25519KeyPair Generate()
    {
        Span<byte> privateKey = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(privateKey);
        try
        {
            return new X25519KeyPair(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>Builds a key pair from a 32-byte private key (clamped as RFC 7748 requires when used).</summary>
    /// <exception cref="ArgumentException">The private key is not 32 bytes.</exception>
    public static X25519KeyPair Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new ArgumentException($"An X25519 private key is {KeySize} bytes; got {privateKey.Length}.", nameof(privateKey));
        }

        return new X25519KeyPair(privateKey);
    }

    /// <summary>Copies the raw private key into <paramref name="destination"/> (32 bytes). Handle the copy as a secret.</summary>
    public void ExportPrivateKey(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != KeySize)
        {
            throw new ArgumentException($"The destination must be {KeySize} bytes.", nameof(destination));
        }

        _privateKey.CopyTo(destination);
    }

    /// <summary>
    /// Computes the X25519 shared secret with <paramref name="peerPublicKey"/> into
    /// <paramref name="sharedSecret"/> (32 bytes). Returns <c>false</c> for a public key of the
    /// wrong size or a low-order point whose result is all zeros, which callers must refuse.
    /// The public key's most significant bit is ignored, as RFC 7748 requires.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is not 32 bytes.</exception>
    public bool TryAgree(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return X25519.TryAgree(_privateKey, peerPublicKey, sharedSecret);
    }

    /// <summary>Wipes the private key.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_privateKey);
    }
}
