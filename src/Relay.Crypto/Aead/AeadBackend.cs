using Relay.Crypto.Aead.Auto;
using Relay.Crypto.Aead.LibCrypto;
using Relay.Crypto.Aead.DotNet;
using Relay.Crypto.Aead.Sodium;

namespace Relay.Crypto.Aead;

/// <summary>
/// A provider of keyed <see cref="AeadCipher"/> instances. Four exist:
/// <see cref="Sodium"/> (libsodium called directly), <see cref="DotNet"/> (.NET's own
/// <c>AesGcm</c>/<c>ChaCha20Poly1305</c>, OpenSSL underneath on Linux, named <c>openssl</c> on the
/// command line and in result files), <see cref="LibCrypto"/> (OpenSSL 3's EVP interface called directly) and
/// <see cref="Auto"/>, which holds a key on the backends its table names and picks, per call, the
/// one measured fastest for that algorithm and message size (see <see cref="AutoBackendTable"/>).
/// </summary>
public abstract class AeadBackend
{
    /// <summary>libsodium's raw-key AEAD functions (the library the NSec package ships).</summary>
    public static AeadBackend Sodium => SodiumBackend.Instance;

    /// <summary>.NET's own <c>AesGcm</c> / <c>ChaCha20Poly1305</c> (OpenSSL underneath on Linux); named <c>openssl</c>, as older result files and commands have it.</summary>
    public static AeadBackend DotNet => DotNetBackend.Instance;

    /// <summary>OpenSSL 3's libcrypto through its EVP interface, with reusable contexts (no per-call setup).</summary>
    public static AeadBackend LibCrypto => LibCryptoBackend.Instance;

    /// <summary>The fastest supported backend per algorithm and message size, from a table the benchmarks measured.</summary>
    public static AeadBackend Auto => AutoBackend.Instance;

    /// <summary>Every backend, concrete ones first.</summary>
    public static IReadOnlyList<AeadBackend> All { get; } = [SodiumBackend.Instance, DotNetBackend.Instance, LibCryptoBackend.Instance, AutoBackend.Instance];

    /// <summary>The concrete backends (what vector tests and benchmarks iterate).</summary>
    public static IReadOnlyList<AeadBackend> Concrete { get; } = [SodiumBackend.Instance, DotNetBackend.Instance, LibCryptoBackend.Instance];

    /// <summary>The backend's name: <c>sodium</c>, <c>openssl</c>, <c>libcrypto</c> or <c>auto</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Finds a backend by name (<c>auto</c>, <c>sodium</c>, <c>openssl</c>, <c>libcrypto</c>), or by
    /// the aliases <c>libsodium</c>, <c>dotnet</c> and <c>evp</c>, case-insensitively.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a known backend.</exception>
    public static AeadBackend Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "auto" => Auto,
            "sodium" or "libsodium" => Sodium,
            "openssl" or "dotnet" => DotNet,
            "libcrypto" or "evp" => LibCrypto,
            _ => throw CryptoErrors.UnknownBackend(name),
        };
    }

    /// <summary>Whether this backend can run <paramref name="algorithm"/> here; if not, <paramref name="reason"/> says why.</summary>
    public abstract bool IsSupported(AeadAlgorithm algorithm, out string? reason);

    /// <summary>Creates a cipher for <paramref name="algorithm"/> keyed with <paramref name="key"/> (copied; the caller may wipe it).</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    /// <exception cref="NotSupportedException">XChaCha20-Poly1305 asked of the openssl or libcrypto backend.</exception>
    /// <exception cref="PlatformNotSupportedException">The algorithm cannot run on this machine with this backend (AES-GCM without CPU support, no OpenSSL 3 libcrypto, for instance); the message says why.</exception>
    public AeadCipher Create(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (key.Length != algorithm.KeySize)
        {
            throw CryptoErrors.KeySize(algorithm, key.Length);
        }

        if (!IsSupported(algorithm, out var reason))
        {
            throw Unsupported(algorithm, reason ?? "unsupported");
        }

        return CreateCore(algorithm, key);
    }

    /// <summary>The exception <see cref="Create"/> throws when <see cref="IsSupported"/> says no: by default a <see cref="PlatformNotSupportedException"/> with the reason.</summary>
    protected virtual Exception Unsupported(AeadAlgorithm algorithm, string reason) =>
        CryptoErrors.NotSupportedHere(algorithm, Name, reason);

    /// <summary>Creates the cipher once <see cref="Create"/> has validated the arguments.</summary>
    protected abstract AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key);

    /// <inheritdoc />
    public override string ToString() => Name;
}
