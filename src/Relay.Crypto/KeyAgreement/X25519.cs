using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.KeyAgreement;

/// <summary>
/// X25519 (RFC 7748) on caller-owned spans, over libsodium's <c>crypto_scalarmult_curve25519</c>:
/// the one implementation of the function in this project. <see cref="X25519KeyPair"/> wraps it
/// for keys that live long (identities, Noise statics); a one-shot key (the sealed-sender
/// ephemeral) stays on the caller's stack and never becomes an object. libsodium was measured the
/// fastest here, ahead of libcrypto's and of NSec's wrapper of the same libsodium, whose keys live
/// in guarded memory (an mmap, guard pages and an munmap per key); figures in
/// <c>X25519Benchmarks</c>' comment. Callers wipe the private keys and secrets they hold.
/// </summary>
internal static unsafe class X25519
{
    /// <summary>Size of a public key, a private key and a shared secret, in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Fills <paramref name="privateKey"/> from the operating system's CSPRNG and writes its public key.</summary>
    public static void Generate(Span<byte> privateKey, Span<byte> publicKey)
    {
        RandomNumberGenerator.Fill(privateKey[..KeySize]);
        DerivePublicKey(privateKey, publicKey);
    }

    /// <summary>Writes the public key (X25519 of the base point) of <paramref name="privateKey"/> into <paramref name="publicKey"/> (32 bytes each).</summary>
    /// <exception cref="CryptographicException">libsodium refused (it does not for a 32-byte scalar).</exception>
    public static void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        CheckSize(privateKey.Length, nameof(privateKey));
        CheckSize(publicKey.Length, nameof(publicKey));
        LibSodium.EnsureInitialized();
        fixed (byte* point = &MemoryMarshal.GetReference(publicKey))
        fixed (byte* secret = &MemoryMarshal.GetReference(privateKey))
        {
            if (LibSodium.crypto_scalarmult_curve25519_base(point, secret) != 0)
            {
                throw new CryptographicException("libsodium refused to compute the X25519 public key.");
            }
        }
    }

    /// <summary>
    /// The shared secret of <paramref name="privateKey"/> and <paramref name="peerPublicKey"/> into
    /// <paramref name="sharedSecret"/>; <c>false</c>, with the destination cleared, for a peer key
    /// that is not 32 bytes or a low-order point (an all-zero result), which callers must refuse.
    /// The peer key's most significant bit is ignored, as RFC 7748 requires.
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        CheckSize(privateKey.Length, nameof(privateKey));
        CheckSize(sharedSecret.Length, nameof(sharedSecret));
        if (peerPublicKey.Length != KeySize)
        {
            sharedSecret.Clear();
            return false;
        }

        LibSodium.EnsureInitialized();
        Span<byte> masked = stackalloc byte[KeySize];
        peerPublicKey.CopyTo(masked);
        masked[KeySize - 1] &= 0x7F;
        int result;
        fixed (byte* output = &MemoryMarshal.GetReference(sharedSecret))
        fixed (byte* secret = &MemoryMarshal.GetReference(privateKey))
        fixed (byte* point = masked)
        {
            result = LibSodium.crypto_scalarmult_curve25519(output, secret, point);
        }

        if (result == 0)
        {
            return true;
        }

        // libsodium refuses an all-zero result (a low-order peer point).
        sharedSecret.Clear();
        return false;
    }

    private static void CheckSize(int length, string name)
    {
        if (length != KeySize)
        {
            throw new ArgumentException($"X25519 keys and shared secrets are {KeySize} bytes; got {length}.", name);
        }
    }
}
