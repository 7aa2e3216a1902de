using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// One AEAD implementation as its OpenSSL 3 provider exports it: the dispatch functions the EVP
/// layer itself calls (<c>OSSL_FUNC_cipher_newctx</c>, <c>encrypt_init</c>, <c>update</c>,
/// <c>final</c>, <c>get_ctx_params</c>, ...; <c>openssl/core_dispatch.h</c>), taken once from the
/// provider of the cipher <c>EVP_CIPHER_fetch</c> returned. Calling them directly skips what
/// OpenSSL 3.0's <c>EVP_EncryptInit_ex2</c> adds to every call: it asks the provider for the IV
/// length through an <c>OSSL_PARAM</c> query each time a nonce is set (fixed in 3.2 by caching),
/// and that query and the EVP checks cost about as much as AES-GCM of 256 bytes itself (measured:
/// 360 → 240 ns per seal at 256 B under load in C, see the report of issue 13). The provider ABI
/// these signatures follow is the one third-party providers are built against, fixed across 3.x.
/// Calls that are short and bounded skip the GC transition (<c>SuppressGCTransition</c>: they
/// never block or call back); updates longer than <see cref="ShortUpdateBytes"/> take the ordinary
/// transition so a 64 KiB seal cannot hold up a garbage collection.
/// </summary>
internal sealed unsafe class LibCryptoCipher
{
    /// <summary><c>OSSL_OP_CIPHER</c>.</summary>
    public const int CipherOperation = 2;

    /// <summary>The largest update that skips the GC transition: about a microsecond of AES-GCM or ChaCha20 here.</summary>
    public const int ShortUpdateBytes = 2048;

    private const int NewContextId = 1;
    private const int EncryptInitId = 2;
    private const int DecryptInitId = 3;
    private const int UpdateId = 4;
    private const int FinalId = 5;
    private const int FreeContextId = 7;
    private const int GetContextParamsId = 10;
    private const int SetContextParamsId = 11;

    private LibCryptoCipher(LibCryptoEvp evp, IntPtr providerContext, Dictionary<int, IntPtr> functions)
    {
        Evp = evp;
        ProviderContext = providerContext;
        NewContext = (delegate* unmanaged<IntPtr, IntPtr>)functions[NewContextId];
        FreeContext = (delegate* unmanaged<IntPtr, void>)functions[FreeContextId];
        EncryptInit = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint, byte*, nuint, OsslParam*, int>)functions[EncryptInitId];
        DecryptInit = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint, byte*, nuint, OsslParam*, int>)functions[DecryptInitId];
        UpdateShort = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint*, nuint, byte*, nuint, int>)functions[UpdateId];
        UpdateLong = (delegate* unmanaged<IntPtr, byte*, nuint*, nuint, byte*, nuint, int>)functions[UpdateId];
        Final = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint*, nuint, int>)functions[FinalId];
        GetParams = (delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int>)functions[GetContextParamsId];
        SetParams = (delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int>)functions[SetContextParamsId];
    }

    /// <summary>The library's error queue and the rest of its cipher side.</summary>
    public LibCryptoEvp Evp { get; }

    /// <summary>The provider's own context, which <see cref="NewContext"/> takes.</summary>
    public IntPtr ProviderContext { get; }

    public delegate* unmanaged<IntPtr, IntPtr> NewContext { get; }

    public delegate* unmanaged<IntPtr, void> FreeContext { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint, byte*, nuint, OsslParam*, int> EncryptInit { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint, byte*, nuint, OsslParam*, int> DecryptInit { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint*, nuint, byte*, nuint, int> UpdateShort { get; }

    public delegate* unmanaged<IntPtr, byte*, nuint*, nuint, byte*, nuint, int> UpdateLong { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint*, nuint, int> Final { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int> GetParams { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int> SetParams { get; }

    /// <summary>Runs an update (associated data when <paramref name="output"/> is null), skipping the GC transition when it is short.</summary>
    public int Update(IntPtr context, byte* output, byte* input, int length)
    {
        nuint written;
        return length <= ShortUpdateBytes
            ? UpdateShort(context, output, &written, (nuint)length, input, (nuint)length)
            : UpdateLong(context, output, &written, (nuint)length, input, (nuint)length);
    }

    /// <summary>
    /// Finds <paramref name="name"/> in a provider's cipher table and takes its functions; null with
    /// the reason when the table is missing, lacks the name, or lacks a function.
    /// </summary>
    public static LibCryptoCipher? Resolve(LibCryptoEvp evp, IntPtr providerContext, OsslAlgorithm* algorithms, string name, out string? reason)
    {
        if (algorithms is null)
        {
            reason = "its provider lists no ciphers (OSSL_PROVIDER_query_operation returned nothing)";
            return null;
        }

        for (var entry = algorithms; entry->Names is not null; entry++)
        {
            if (!Names(entry->Names).Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var functions = new Dictionary<int, IntPtr>();
            for (var function = entry->Implementation; function->FunctionId != 0; function++)
            {
                functions[function->FunctionId] = function->Function;
            }

            int[] needed = [NewContextId, EncryptInitId, DecryptInitId, UpdateId, FinalId, FreeContextId, GetContextParamsId, SetContextParamsId];
            var missing = Array.FindAll(needed, id => !functions.ContainsKey(id));
            if (missing.Length > 0)
            {
                reason = $"its provider implementation lacks dispatch functions {string.Join(", ", missing)}";
                return null;
            }

            reason = null;
            return new LibCryptoCipher(evp, providerContext, functions);
        }

        reason = "its provider lists no implementation under that name";
        return null;
    }

    private static string[] Names(byte* names) => (Marshal.PtrToStringUTF8((IntPtr)names) ?? string.Empty).Split(':');
}
