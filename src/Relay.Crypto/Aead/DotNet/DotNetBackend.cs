using System.Security.Cryptography;

namespace Relay.Crypto.Aead.DotNet;

/// <summary>
/// The .NET backend: .NET's own <see cref="AesGcm"/> and <see cref="System.Security.Cryptography.ChaCha20Poly1305"/>
/// (OpenSSL underneath on Linux, through .NET's wrapper). Named <c>openssl</c>, the name command
/// lines and result files have always used for it; the backend that calls OpenSSL itself is
/// <c>libcrypto</c>. No XChaCha20-Poly1305.
/// </summary>
internal sealed class DotNetBackend : AeadBackend
{
    public const string BackendName = "openssl";

    public static DotNetBackend Instance { get; } = new();

    private DotNetBackend()
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
            ? CryptoErrors.XChaChaNotInDotNet()
            : base.Unsupported(algorithm, reason);

    protected override AeadCipher CreateCore(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305)
        {
            throw CryptoErrors.XChaChaNotInDotNet();
        }

        return new DotNetAeadCipher(algorithm, key);
    }
}
