using Relay.Crypto.Native;

namespace Relay.Crypto.Aead.Sodium;

/// <summary>The libsodium backend (called directly; the library the NSec package ships): all three algorithms; AES-256-GCM only where the CPU has AES-NI and CLMUL.</summary>
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
        if (algorithm.Id == AeadAlgorithmId.Aes256Gcm && !AesGcmAvailable)
        {
            reason = "libsodium's AES-256-GCM needs a CPU with AES-NI and CLMUL, which this one lacks";
            return false;
        }

        reason = null;
        return true;
    }

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        new SodiumAeadCipher(algorithm, key);

    private static bool AesGcmAvailable
    {
        get
        {
            LibSodium.EnsureInitialized();
            return LibSodium.crypto_aead_aes256gcm_is_available() == 1;
        }
    }
}
