using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// libsodium's combined-mode AEAD functions and X25519, which take keys as raw pointers. NSec wraps
/// the same library but its keys are immutable objects (in guarded memory that costs system calls
/// to create), so a per-message key (the E2E ratchet, Noise's Rekey) would allocate one per message
/// and each Noise handshake would pay for key objects; these calls let a cipher rekey in place and
/// a key agreement run on a pinned buffer. The native library is the one the NSec package ships
/// (runtimes/*/native/libsodium).
/// </summary>
internal static unsafe partial class LibSodium
{
    private const string Library = "libsodium";

    static LibSodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned -1).");
        }
    }

    /// <summary>Runs the static initialiser (sodium_init) before first use.</summary>
    public static void EnsureInitialized()
    {
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_is_available();

    /// <summary>HMAC-SHA256 with a 32-byte key (the E2E chain step: half the per-call cost of .NET's one-shot on OpenSSL 3.0 here).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256(byte* output, byte* input, ulong inputLength, byte* key);

    /// <summary>X25519 of scalar <paramref name="n"/> and point <paramref name="p"/>; -1 when the result is all zeros (a low-order point).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    /// <summary>The public key (X25519 of the base point) of scalar <paramref name="n"/>.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    public static partial int crypto_aead_chacha20poly1305_ietf_encrypt(byte* c, out ulong clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_chacha20poly1305_ietf_decrypt(byte* m, out ulong mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_encrypt(byte* c, out ulong clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_decrypt(byte* m, out ulong mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_encrypt(byte* c, out ulong clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_decrypt(byte* m, out ulong mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);
}
