namespace Relay.Crypto.Aead.Auto;

/// <summary>The <c>auto</c> backend: a key on each backend <see cref="AutoBackendTable"/> names, chosen per call by message size.</summary>
internal sealed class AutoBackend : AeadBackend
{
    public const string BackendName = "auto";

    public static AutoBackend Instance { get; } = new();

    private AutoBackend()
    {
    }

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
        var choice = AutoBackendTable.For(algorithm);
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
