using System.Security.Cryptography;

namespace Relay.Crypto.Aead.OpenSsl;

/// <summary>The .NET backend (<see cref="AesGcm"/>, <see cref="System.Security.Cryptography.ChaCha20Poly1305"/>, OpenSSL on Linux). No XChaCha20-Poly1305.</summary>
internal sealed class OpenSslBackend : AeadBackend
{
    public const string BackendName = "openssl";

    public static OpenSslBackend Instance { get; } = new();

    private OpenSslBackend()
    {
    }

    public override string Name => BackendName;

    public override bool IsSupported(AeadAlgorithm algorithm, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        switch (algorithm.Id)
        {
            case AeadAlgorithmId.Aes256Gcm when !AesGcm.IsSupported:
                reason = "this platform's crypto library offers no AES-GCM";
                return false;
            case AeadAlgorithmId.ChaCha20Poly1305 when !System.Security.Cryptography.ChaCha20Poly1305.IsSupported:
                reason = "this platform's crypto library offers no ChaCha20-Poly1305";
                return false;
            case AeadAlgorithmId.XChaCha20Poly1305:
                reason = "XChaCha20-Poly1305 exists only in the sodium backend (libsodium); .NET's OpenSSL-backed types have no XChaCha20";
                return false;
            default:
                reason = null;
                return true;
        }
    }

    protected override Exception Unsupported(AeadAlgorithm algorithm, string reason) =>
        algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305
            ? CryptoErrors.XChaChaNotInOpenSsl()
            : base.Unsupported(algorithm, reason);

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305)
        {
            throw CryptoErrors.XChaChaNotInOpenSsl();
        }

        return new OpenSslAeadCipher(algorithm, key);
    }
}
