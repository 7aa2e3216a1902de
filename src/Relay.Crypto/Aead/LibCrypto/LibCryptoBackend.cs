using Relay.Crypto.Native;

namespace Relay.Crypto.Aead.LibCrypto;

/// <summary>
/// The direct libcrypto backend: OpenSSL 3's EVP AEAD ciphers without .NET's wrapper in between
/// (AES-256-GCM, ChaCha20-Poly1305; OpenSSL has no XChaCha20-Poly1305). <see cref="Instance"/> uses
/// the libcrypto .NET itself loads; a machine without it, or with an OpenSSL older than 3.0 or one
/// lacking an algorithm, makes <see cref="IsSupported"/> false with the reason, never a crash.
/// </summary>
internal sealed class LibCryptoBackend : AeadBackend
{
    public const string BackendName = "libcrypto";

    private readonly Lazy<(LibCryptoEvp? Evp, string? Reason)> _evp;

    private LibCryptoBackend(Func<(LibCryptoEvp?, string?)> load)
    {
        _evp = new(load);
    }

    /// <summary>The backend over the system's libcrypto (or <c>RELAY_LIBCRYPTO_PATH</c>'s).</summary>
    public static LibCryptoBackend Instance { get; } = new(() => (LibCryptoEvp.System, LibCryptoEvp.SystemUnavailableReason));

    public override string Name => BackendName;

    /// <summary>A backend over the libcrypto at <paramref name="nameOrPath"/> (tests; a machine with another OpenSSL).</summary>
    public static LibCryptoBackend Over(string nameOrPath) => new(() =>
    {
        var evp = LibCryptoEvp.TryCreate(LibCryptoLibrary.Load(nameOrPath), out var reason);
        return (evp, reason);
    });

    public override bool IsSupported(AeadAlgorithm algorithm, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305)
        {
            reason = "OpenSSL 3 has no XChaCha20-Poly1305; it exists only in the sodium backend (libsodium)";
            return false;
        }

        var (evp, whyNot) = _evp.Value;
        if (evp is null)
        {
            reason = whyNot;
            return false;
        }

        return evp.Cipher(algorithm, out reason) is not null;
    }

    protected override Exception Unsupported(AeadAlgorithm algorithm, string reason) =>
        algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305
            ? CryptoErrors.XChaChaNotInLibCrypto()
            : base.Unsupported(algorithm, reason);

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        return new LibCryptoAeadCipher(algorithm, _evp.Value.Evp!.Cipher(algorithm, out _)!, key);
    }
}
