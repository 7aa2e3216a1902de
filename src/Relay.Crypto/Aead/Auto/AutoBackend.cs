using Relay.Crypto.Aead.LibCrypto;

namespace Relay.Crypto.Aead.Auto;

/// <summary>
/// The <c>auto</c> backend: a key on each backend <see cref="AutoBackendTable"/> names, chosen per
/// call by message size. Where the table's libcrypto backend cannot run (no OpenSSL 3 here), it uses
/// the table measured without it, as before that backend existed; never an error while any backend
/// has the algorithm.
/// </summary>
internal sealed class AutoBackend : AeadBackend
{
    public const string BackendName = "auto";

    private readonly AeadBackend _libCrypto;

    /// <summary>An auto backend whose table's libcrypto entries mean <paramref name="libCrypto"/> (tests: one over a missing library).</summary>
    internal AutoBackend(AeadBackend libCrypto)
    {
        _libCrypto = libCrypto;
    }

    public static AutoBackend Instance { get; } = new(LibCryptoBackend.Instance);

    public override string Name => BackendName;

    public override bool IsSupported(AeadAlgorithm algorithm, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        foreach (var backend in Concrete)
        {
            if (backend.IsSupported(algorithm, out _))
            {
                reason = null;
                return true;
            }
        }

        reason = "no backend on this machine supports it";
        return false;
    }

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        var choice = AutoBackendTable.For(algorithm, _libCrypto);
        if (Usable(choice.Small, algorithm) is null || Usable(choice.Large, algorithm) is null)
        {
            choice = AutoBackendTable.WithoutLibCrypto(algorithm);
        }

        var small = Usable(choice.Small, algorithm) ?? Fallback(algorithm);
        var large = Usable(choice.Large, algorithm) ?? small;
        var smallCipher = small.Create(algorithm, key);
        var largeCipher = ReferenceEquals(small, large) ? smallCipher : large.Create(algorithm, key);
        return new AutoAeadCipher(algorithm, smallCipher, choice.CrossoverBytes, largeCipher);
    }

    private static AeadBackend? Usable(AeadBackend backend, AeadAlgorithm algorithm) =>
        backend.IsSupported(algorithm, out _) ? backend : null;

    private static AeadBackend Fallback(AeadAlgorithm algorithm)
    {
        foreach (var backend in Concrete)
        {
            if (backend.IsSupported(algorithm, out _))
            {
                return backend;
            }
        }

        throw CryptoErrors.NotSupportedHere(algorithm, BackendName, "no backend on this machine supports it");
    }
}
