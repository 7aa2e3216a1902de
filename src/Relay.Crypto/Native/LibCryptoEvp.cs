using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Relay.Crypto.Aead;

namespace Relay.Crypto.Native;

/// <summary>
/// The cipher side of one <see cref="LibCryptoLibrary"/>: each AEAD algorithm is fetched once
/// (<c>EVP_CIPHER_fetch</c>) and its provider implementation's functions resolved once
/// (<see cref="LibCryptoCipher"/>), so no call on the hot path looks anything up; plus OpenSSL's
/// error queue, read into exception messages and cleared after a refused open.
/// </summary>
internal sealed unsafe class LibCryptoEvp
{
    private static readonly Lazy<(LibCryptoEvp? Evp, string? Reason)> SystemEvp = new(() => (TryCreate(LibCryptoLibrary.System, out var reason), reason));

    private readonly Dictionary<AeadAlgorithmId, (LibCryptoCipher? Cipher, string? Reason)> _ciphers = [];
    private readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> _fetch;
    private readonly delegate* unmanaged<IntPtr, IntPtr> _provider;
    private readonly delegate* unmanaged<IntPtr, IntPtr> _providerContext;
    private readonly delegate* unmanaged<IntPtr, int, int*, IntPtr> _queryOperation;
    private readonly delegate* unmanaged<nuint> _getError;
    private readonly delegate* unmanaged<nuint, byte*, nuint, void> _errorString;

    private LibCryptoEvp(LibCryptoLibrary library, Exports exports)
    {
        Library = library;
        _fetch = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)exports.Get("EVP_CIPHER_fetch");
        _provider = (delegate* unmanaged<IntPtr, IntPtr>)exports.Get("EVP_CIPHER_get0_provider");
        _providerContext = (delegate* unmanaged<IntPtr, IntPtr>)exports.Get("OSSL_PROVIDER_get0_provider_ctx");
        _queryOperation = (delegate* unmanaged<IntPtr, int, int*, IntPtr>)exports.Get("OSSL_PROVIDER_query_operation");
        _getError = (delegate* unmanaged<nuint>)exports.Get("ERR_get_error");
        _errorString = (delegate* unmanaged<nuint, byte*, nuint, void>)exports.Get("ERR_error_string_n");
        ClearErrors = (delegate* unmanaged[SuppressGCTransition]<void>)exports.Get("ERR_clear_error");
    }

    /// <summary>The cipher functions of the library .NET uses; null when it is absent, too old, or lacks one of them.</summary>
    public static LibCryptoEvp? System => SystemEvp.Value.Evp;

    /// <summary>Why <see cref="System"/> is null; null when it is not.</summary>
    public static string? SystemUnavailableReason => SystemEvp.Value.Reason;

    /// <summary>The library these functions come from.</summary>
    public LibCryptoLibrary Library { get; }

    /// <summary><c>ERR_clear_error</c>.</summary>
    public delegate* unmanaged[SuppressGCTransition]<void> ClearErrors { get; }

    /// <summary>Takes the functions from <paramref name="library"/>; null, with the reason, when it is unusable or lacks one.</summary>
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
    /// The implementation of <paramref name="algorithm"/> (fetched and resolved on first use, kept
    /// for the process), or null with the reason when this OpenSSL does not offer it.
    /// </summary>
    public LibCryptoCipher? Cipher(AeadAlgorithm algorithm, out string? reason)
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
        var code = _getError();
        var text = stackalloc byte[256];
        text[0] = 0;
        if (code != 0)
        {
            _errorString(code, text, 256);
        }

        ClearErrors();
        var detail = code == 0 ? "no OpenSSL error queued" : Marshal.PtrToStringUTF8((IntPtr)text);
        return new CryptographicException($"libcrypto: {call} failed ({detail}).");
    }

    private (LibCryptoCipher? Cipher, string? Reason) Fetch(AeadAlgorithm algorithm)
    {
        var name = algorithm.Id switch
        {
            AeadAlgorithmId.Aes256Gcm => "AES-256-GCM",
            AeadAlgorithmId.ChaCha20Poly1305 => "ChaCha20-Poly1305",
            _ => null,
        };
        if (name is null)
        {
            return (null, $"OpenSSL 3 has no {algorithm.Name}");
        }

        IntPtr fetched;
        fixed (byte* n = global::System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            fetched = _fetch(IntPtr.Zero, n, null);
        }

        if (fetched == IntPtr.Zero)
        {
            return (null, $"{Library} offers no {algorithm.Name} ({Failure("EVP_CIPHER_fetch").Message})");
        }

        var provider = _provider(fetched);
        int noCache;
        var algorithms = provider == IntPtr.Zero ? IntPtr.Zero : _queryOperation(provider, LibCryptoCipher.CipherOperation, &noCache);
        var cipher = LibCryptoCipher.Resolve(this, _providerContext(provider), (OsslAlgorithm*)algorithms, name, out var reason);
        return cipher is null ? (null, $"{Library}: {algorithm.Name}: {reason}") : (cipher, null);
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
