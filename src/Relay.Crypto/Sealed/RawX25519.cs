using System.Runtime.InteropServices;
using Relay.Crypto.Aead.Sodium;

namespace Relay.Crypto.Sealed;

/// <summary>
/// X25519 on caller-owned buffers (libsodium's <c>crypto_scalarmult_curve25519</c>), for the one
/// key agreement per sealed message on each side. NSec's key and shared-secret objects live in
/// libsodium's guarded memory (an mmap, guard pages and an munmap per object), which made a sealed
/// send cost milliseconds on a busy machine; here the ephemeral private key and the shared secret
/// stay on the stack and are wiped by the caller. Low-order points (an all-zero result) are refused.
/// </summary>
internal static unsafe partial class RawX25519
{
    private const string Library = "libsodium";

    /// <summary>Fills <paramref name="privateKey"/> from libsodium's CSPRNG and writes its public key (32 bytes each).</summary>
    public static void Generate(Span<byte> privateKey, Span<byte> publicKey)
    {
        LibSodium.EnsureInitialized();
        fixed (byte* secret = privateKey)
        fixed (byte* point = publicKey)
        {
            randombytes_buf(secret, 32);
            if (crypto_scalarmult_curve25519_base(point, secret) != 0)
            {
                throw new InvalidOperationException("X25519 base-point multiplication failed");
            }
        }
    }

    /// <summary>The shared secret of <paramref name="privateKey"/> and <paramref name="peerPublicKey"/>; false for a key of the wrong size or a low-order point.</summary>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        if (privateKey.Length != 32 || peerPublicKey.Length != 32 || sharedSecret.Length != 32)
        {
            return false;
        }

        LibSodium.EnsureInitialized();
        Span<byte> masked = stackalloc byte[32];
        peerPublicKey.CopyTo(masked);
        masked[31] &= 0x7F; // RFC 7748: the most significant bit is ignored
        fixed (byte* secret = privateKey)
        fixed (byte* point = masked)
        fixed (byte* shared = sharedSecret)
        {
            return crypto_scalarmult_curve25519(shared, secret, point) == 0;
        }
    }

    [LibraryImport(Library)]
    private static partial void randombytes_buf(byte* buffer, nuint size);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);
}
