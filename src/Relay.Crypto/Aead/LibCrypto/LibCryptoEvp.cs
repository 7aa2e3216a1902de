using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Aead.LibCrypto;

/// <summary>
/// The EVP cipher functions of one <see cref="LibCryptoLibrary"/>, as unmanaged function pointers
/// taken once, and the AEAD ciphers fetched from it once (<c>EVP_CIPHER_fetch</c>), so no call on
/// the hot path looks anything up. Calls that are short and bounded (init with a nonce, final,
/// tag parameters, updates of at most <see cref="ShortUpdateBytes"/>) skip the GC transition
/// (<c>SuppressGCTransition</c>: they never block or call back); longer updates take the
/// ordinary transition so a 64 KiB seal cannot hold up a garbage collection.
/// </summary>
internal sealed unsafe class LibCryptoEvp
{
    /// <summary>The largest update that skips the GC transition: about a microsecond of AES-GCM or ChaCha20 here.</summary>
    public const int ShortUpdateBytes = 2048;

    private static readonly Lazy<(LibCryptoEvp? Evp, string? Reason)> SystemEvp = new(() => (TryCreate(LibCryptoLibrary.System, out var reason), reason));

    private readonly Dictionary<AeadAlgorithmId, (IntPtr Cipher, string? Reason)> _ciphers = [];
    private readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> _fetch;

    private LibCryptoEvp(LibCryptoLibrary library, Exports exports)
    {
        Library = library;
        _fetch = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)exports.Get("EVP_CIPHER_fetch");
        ContextNew = (delegate* unmanaged<IntPtr>)exports.Get("EVP_CIPHER_CTX_new");
        ContextFree = (delegate* unmanaged<IntPtr, void>)exports.Get("EVP_CIPHER_CTX_free");
        EncryptInit = (delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, byte*, byte*, OsslParam*, int>)exports.Get("EVP_EncryptInit_ex2");
        DecryptInit = (delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, byte*, byte*, OsslParam*, int>)exports.Get("EVP_DecryptInit_ex2");
        var encryptUpdate = exports.Get("EVP_EncryptUpdate");
        var decryptUpdate = exports.Get("EVP_DecryptUpdate");
        EncryptUpdateShort = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, byte*, int, int>)encryptUpdate;
        EncryptUpdate = (delegate* unmanaged<IntPtr, byte*, int*, byte*, int, int>)encryptUpdate;
        DecryptUpdateShort = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, byte*, int, int>)decryptUpdate;
        DecryptUpdate = (delegate* unmanaged<IntPtr, byte*, int*, byte*, int, int>)decryptUpdate;
        EncryptFinal = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, int>)exports.Get("EVP_EncryptFinal_ex");
        DecryptFinal = (delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, int>)exports.Get("EVP_DecryptFinal_ex");
        GetParams = (delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int>)exports.Get("EVP_CIPHER_CTX_get_params");
        SetParams = (delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int>)exports.Get("EVP_CIPHER_CTX_set_params");
        GetError = (delegate* unmanaged<nuint>)exports.Get("ERR_get_error");
        ErrorString = (delegate* unmanaged<nuint, byte*, nuint, void>)exports.Get("ERR_error_string_n");
        ClearErrors = (delegate* unmanaged[SuppressGCTransition]<void>)exports.Get("ERR_clear_error");
    }

    /// <summary>The EVP functions of the library .NET uses; null when it is absent, too old, or lacks one of them.</summary>
    public static LibCryptoEvp? System => SystemEvp.Value.Evp;

    /// <summary>Why <see cref="System"/> is null; null when it is not.</summary>
    public static string? SystemUnavailableReason => SystemEvp.Value.Reason;

    /// <summary>The library these functions come from.</summary>
    public LibCryptoLibrary Library { get; }

    public delegate* unmanaged<IntPtr> ContextNew { get; }

    public delegate* unmanaged<IntPtr, void> ContextFree { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, byte*, byte*, OsslParam*, int> EncryptInit { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, byte*, byte*, OsslParam*, int> DecryptInit { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, byte*, int, int> EncryptUpdateShort { get; }

    public delegate* unmanaged<IntPtr, byte*, int*, byte*, int, int> EncryptUpdate { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, byte*, int, int> DecryptUpdateShort { get; }

    public delegate* unmanaged<IntPtr, byte*, int*, byte*, int, int> DecryptUpdate { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, int> EncryptFinal { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, int*, int> DecryptFinal { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int> GetParams { get; }

    public delegate* unmanaged[SuppressGCTransition]<IntPtr, OsslParam*, int> SetParams { get; }

    public delegate* unmanaged[SuppressGCTransition]<void> ClearErrors { get; }

    private delegate* unmanaged<nuint> GetError { get; }

    private delegate* unmanaged<nuint, byte*, nuint, void> ErrorString { get; }

    /// <summary>Takes the EVP functions from <paramref name="library"/>; null, with the reason, when it is unusable or lacks one.</summary>
    public static LibCryptoEvp? TryCreate(LibCryptoLibrary library, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (!library.IsAvailable)
        {
            reason = library.UnavailableReason;
            return null;
        }

        var exports = new Exports(library);
        var evp = new LibCryptoEvp(library, exports);
        reason = exports.Missing.Count == 0 ? null : $"{library} lacks {string.Join(", ", exports.Missing)}";
        return reason is null ? evp : null;
    }

    /// <summary>
    /// The fetched <c>EVP_CIPHER</c> for <paramref name="algorithm"/> (fetched on first use, kept
    /// for the process), or zero with the reason when this OpenSSL does not offer it.
    /// </summary>
    public IntPtr Cipher(AeadAlgorithm algorithm, out string? reason)
    {
        lock (_ciphers)
        {
            if (!_ciphers.TryGetValue(algorithm.Id, out var entry))
            {
                entry = Fetch(algorithm);
                _ciphers.Add(algorithm.Id, entry);
            }

            reason = entry.Reason;
            return entry.Cipher;
        }
    }

    /// <summary>A <see cref="CryptographicException"/> naming the failed call and OpenSSL's first queued error; the queue is cleared.</summary>
    public CryptographicException Failure(string call)
    {
        var code = GetError();
        var text = stackalloc byte[256];
        text[0] = 0;
        if (code != 0)
        {
            ErrorString(code, text, 256);
        }

        ClearErrors();
        var detail = code == 0 ? "no OpenSSL error queued" : Marshal.PtrToStringUTF8((IntPtr)text);
        return new CryptographicException($"libcrypto: {call} failed ({detail}).");
    }

    private (IntPtr Cipher, string? Reason) Fetch(AeadAlgorithm algorithm)
    {
        var name = algorithm.Id switch
        {
            AeadAlgorithmId.Aes256Gcm => "AES-256-GCM\0"u8,
            AeadAlgorithmId.ChaCha20Poly1305 => "ChaCha20-Poly1305\0"u8,
            _ => default,
        };
        if (name.IsEmpty)
        {
            return (IntPtr.Zero, $"OpenSSL 3 has no {algorithm.Name}");
        }

        IntPtr cipher;
        fixed (byte* n = name)
        {
            cipher = _fetch(IntPtr.Zero, n, null);
        }

        if (cipher != IntPtr.Zero)
        {
            return (cipher, null);
        }

        var failure = Failure("EVP_CIPHER_fetch");
        return (IntPtr.Zero, $"{Library} offers no {algorithm.Name} ({failure.Message})");
    }

    /// <summary>Looks exports up and remembers which are missing, so one message can name them all.</summary>
    private sealed class Exports(LibCryptoLibrary library)
    {
        public List<string> Missing { get; } = [];

        public IntPtr Get(string name)
        {
            if (library.TryGetExport(name, out var address))
            {
                return address;
            }

            Missing.Add(name);
            return IntPtr.Zero;
        }
    }
}
