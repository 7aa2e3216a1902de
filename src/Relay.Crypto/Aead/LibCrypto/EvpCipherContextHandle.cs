using System.Runtime.InteropServices;

namespace Relay.Crypto.Aead.LibCrypto;

/// <summary>
/// Owns one <c>EVP_CIPHER_CTX</c>. Releasing it calls <c>EVP_CIPHER_CTX_free</c>, which has the
/// cipher implementation wipe its key schedule before the memory is freed (OpenSSL clears AEAD
/// contexts with <c>OPENSSL_clear_free</c>), so the key leaves native memory with the handle, on
/// <c>Dispose</c> or, if a cipher was never disposed, on finalisation.
/// </summary>
internal sealed unsafe class EvpCipherContextHandle : SafeHandle
{
    private readonly delegate* unmanaged<IntPtr, void> _free;

    private EvpCipherContextHandle(IntPtr context, delegate* unmanaged<IntPtr, void> free)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _free = free;
        SetHandle(context);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>A new, empty context from <paramref name="evp"/>.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">OpenSSL could not allocate one.</exception>
    public static EvpCipherContextHandle Create(LibCryptoEvp evp)
    {
        var context = evp.ContextNew();
        return context == IntPtr.Zero
            ? throw evp.Failure("EVP_CIPHER_CTX_new")
            : new EvpCipherContextHandle(context, evp.ContextFree);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        _free(handle);
        return true;
    }
}
