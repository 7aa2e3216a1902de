using Relay.Crypto.Aead.OpenSsl;
using Relay.Crypto.Aead.Sodium;

namespace Relay.Crypto.Aead.Auto;

/// <summary>
/// Which concrete backend <c>auto</c> uses, per algorithm and message size: below
/// <see cref="Choice.CrossoverBytes"/> the <see cref="Choice.Small"/> backend, at or above it the
/// <see cref="Choice.Large"/> one. The figures come from the AEAD benchmark suite
/// (<c>perf bench --filter *Aead*</c>) on the reference machine recorded in
/// <c>results/baseline/</c>; re-run it and update this table when backends or hardware change.
/// A backend that cannot run an algorithm here is never chosen.
/// </summary>
public static class AutoBackendTable
{
    /// <summary>One algorithm's choice: a backend for small messages, one for large, and where they cross.</summary>
    /// <param name="Small">Backend for messages shorter than <paramref name="CrossoverBytes"/>.</param>
    /// <param name="CrossoverBytes">First size at which <paramref name="Large"/> wins.</param>
    /// <param name="Large">Backend for messages of <paramref name="CrossoverBytes"/> or more.</param>
    public readonly record struct Choice(AeadBackend Small, int CrossoverBytes, AeadBackend Large);

    /// <summary>The measured choice for <paramref name="algorithm"/>.</summary>
    public static Choice For(AeadAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return algorithm.Id switch
        {
            // Placeholders until the AEAD suite has run on the reference machine.
            AeadAlgorithmId.Aes256Gcm => new Choice(OpenSslBackend.Instance, 0, OpenSslBackend.Instance),
            AeadAlgorithmId.ChaCha20Poly1305 => new Choice(SodiumBackend.Instance, 0, SodiumBackend.Instance),
            _ => new Choice(SodiumBackend.Instance, 0, SodiumBackend.Instance),
        };
    }
}
