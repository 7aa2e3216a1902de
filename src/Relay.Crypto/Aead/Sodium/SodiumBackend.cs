namespace Relay.Crypto.Aead.Sodium;

/// <summary>The libsodium backend (NSec.Cryptography): all three algorithms; AES-256-GCM only where the CPU has AES-NI and CLMUL.</summary>
internal sealed class SodiumBackend : AeadBackend
{
    public const string BackendName = "sodium";

    public static SodiumBackend Instance { get; } = new();

    private SodiumBackend()
    {
    }

    public override string Name => BackendName;

    public override bool IsSupported(AeadAlgorithm algorithm, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (algorithm.Id == AeadAlgorithmId.Aes256Gcm && !NSec.Cryptography.Aes256Gcm.IsSupported)
        {
            reason = "libsodium's AES-256-GCM needs a CPU with AES-NI and CLMUL, which this one lacks";
            return false;
        }

        reason = null;
        return true;
    }

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        new SodiumAeadCipher(algorithm, ToNSec(algorithm), key);

    private static NSec.Cryptography.AeadAlgorithm ToNSec(AeadAlgorithm algorithm) => algorithm.Id switch
    {
        AeadAlgorithmId.ChaCha20Poly1305 => NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305,
        AeadAlgorithmId.Aes256Gcm => NSec.Cryptography.AeadAlgorithm.Aes256Gcm,
        AeadAlgorithmId.XChaCha20Poly1305 => NSec.Cryptography.AeadAlgorithm.XChaCha20Poly1305,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
