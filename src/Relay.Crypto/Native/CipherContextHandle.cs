using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// Owns one provider cipher context. Releasing it calls the implementation's <c>freectx</c>, which
/// wipes the key schedule before the memory is freed (OpenSSL frees AEAD contexts with
/// <c>OPENSSL_clear_free</c>), so the key leaves native memory with the handle, on <c>Dispose</c>
/// or, if a cipher was never disposed, on finalisation.
/// </summary>
internal sealed unsafe class CipherContextHandle : SafeHandle
{
    private readonly delegate* unmanaged<IntPtr, void> _free;

    private CipherContextHandle(IntPtr context, delegate* unmanaged<IntPtr, void> free)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _free = free;
        SetHandle(context);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>A new context of <paramref name="cipher"/>, not yet keyed.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">OpenSSL could not allocate one.</exception>
    public static CipherContextHandle Create(LibCryptoCipher cipher)
    {
        var context = cipher.NewContext(cipher.ProviderContext);
        return context == IntPtr.Zero
            ? throw cipher.Evp.Failure("the cipher's newctx")
            : new CipherContextHandle(context, cipher.FreeContext);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        _free(handle);
        return true;
    }
}
