using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Perf.Benchmarks.KeyAgreement;

/// <summary>
/// X25519 on OpenSSL 3's libcrypto (<c>EVP_PKEY</c> derive), the contender <see cref="X25519Benchmarks"/>
/// measures against libsodium. Used the way a fast caller would: the private key imported once
/// with its derive context initialised once; per agreement only the peer's public key is wrapped.
/// Benchmark-only: the measurement chose libsodium for the product code.
/// </summary>
internal sealed unsafe class LibCryptoX25519 : IDisposable
{
    private const int NidX25519 = 1034;

    private static readonly Functions Api = new(LibCryptoLibrary.System);

    private readonly IntPtr _key;
    private readonly IntPtr _derive;

    private LibCryptoX25519(IntPtr key)
    {
        _key = key;
        _derive = Api.NewContext(IntPtr.Zero, key, null);
        if (_derive == IntPtr.Zero || Api.DeriveInit(_derive) != 1)
        {
            throw new CryptographicException("libcrypto: EVP_PKEY_derive_init failed for X25519.");
        }
    }

    /// <summary>Whether libcrypto and its X25519 functions are here; if not, <paramref name="reason"/> says why.</summary>
    public static bool IsAvailable(out string? reason)
    {
        reason = Api.Missing;
        return reason is null;
    }

    /// <summary>A key pair from a fresh random private key (libcrypto computes the public key on import).</summary>
    public static LibCryptoX25519 Generate()
    {
        Span<byte> privateKey = stackalloc byte[32];
        RandomNumberGenerator.Fill(privateKey);
        fixed (byte* p = privateKey)
        {
            var key = Api.NewPrivate(NidX25519, IntPtr.Zero, p, 32);
            CryptographicOperations.ZeroMemory(privateKey);
            return key == IntPtr.Zero ? throw new CryptographicException("libcrypto: EVP_PKEY_new_raw_private_key failed.") : new LibCryptoX25519(key);
        }
    }

    /// <summary>Writes the public key.</summary>
    public void PublicKey(Span<byte> destination)
    {
        var length = (nuint)destination.Length;
        fixed (byte* d = destination)
        {
            if (Api.GetPublic(_key, d, &length) != 1)
            {
                throw new CryptographicException("libcrypto: EVP_PKEY_get_raw_public_key failed.");
            }
        }
    }

    /// <summary>The shared secret with <paramref name="peerPublicKey"/>; false when libcrypto refuses it (an all-zero result).</summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        IntPtr peer;
        fixed (byte* p = peerPublicKey)
        {
            peer = Api.NewPublic(NidX25519, IntPtr.Zero, p, (nuint)peerPublicKey.Length);
        }

        if (peer == IntPtr.Zero)
        {
            return false;
        }

        try
        {
            var length = (nuint)sharedSecret.Length;
            fixed (byte* s = sharedSecret)
            {
                return Api.SetPeer(_derive, peer) == 1 && Api.Derive(_derive, s, &length) == 1 && length == 32;
            }
        }
        finally
        {
            Api.FreeKey(peer);
            Api.ClearErrors();
        }
    }

    public void Dispose()
    {
        Api.FreeContext(_derive);
        Api.FreeKey(_key);
    }

    private sealed class Functions
    {
        public Functions(LibCryptoLibrary library)
        {
            var missing = new List<string>();
            IntPtr Get(string name)
            {
                if (library.TryGetExport(name, out var address))
                {
                    return address;
                }

                missing.Add(name);
                return IntPtr.Zero;
            }

            NewPrivate = (delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)Get("EVP_PKEY_new_raw_private_key");
            NewPublic = (delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)Get("EVP_PKEY_new_raw_public_key");
            GetPublic = (delegate* unmanaged<IntPtr, byte*, nuint*, int>)Get("EVP_PKEY_get_raw_public_key");
            NewContext = (delegate* unmanaged<IntPtr, IntPtr, byte*, IntPtr>)Get("EVP_PKEY_CTX_new_from_pkey");
            DeriveInit = (delegate* unmanaged<IntPtr, int>)Get("EVP_PKEY_derive_init");
            SetPeer = (delegate* unmanaged<IntPtr, IntPtr, int>)Get("EVP_PKEY_derive_set_peer");
            Derive = (delegate* unmanaged<IntPtr, byte*, nuint*, int>)Get("EVP_PKEY_derive");
            FreeContext = (delegate* unmanaged<IntPtr, void>)Get("EVP_PKEY_CTX_free");
            FreeKey = (delegate* unmanaged<IntPtr, void>)Get("EVP_PKEY_free");
            ClearErrors = (delegate* unmanaged<void>)Get("ERR_clear_error");
            Missing = !library.IsAvailable ? library.UnavailableReason : missing.Count > 0 ? $"{library} lacks {string.Join(", ", missing)}" : null;
        }

        public string? Missing { get; }

        public delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr> NewPrivate { get; }

        public delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr> NewPublic { get; }

        public delegate* unmanaged<IntPtr, byte*, nuint*, int> GetPublic { get; }

        public delegate* unmanaged<IntPtr, IntPtr, byte*, IntPtr> NewContext { get; }

        public delegate* unmanaged<IntPtr, int> DeriveInit { get; }

        public delegate* unmanaged<IntPtr, IntPtr, int> SetPeer { get; }

        public delegate* unmanaged<IntPtr, byte*, nuint*, int> Derive { get; }

        public delegate* unmanaged<IntPtr, void> FreeContext { get; }

        public delegate* unmanaged<IntPtr, void> FreeKey { get; }

        public delegate* unmanaged<void> ClearErrors { get; }
    }
}
