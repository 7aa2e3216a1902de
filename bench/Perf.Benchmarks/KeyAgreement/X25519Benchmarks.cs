using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using Relay.Crypto.KeyAgreement;

namespace Perf.Benchmarks.KeyAgreement;

/// <summary>
/// X25519 key generation and agreement on the three implementations this machine has: libsodium
/// called directly (what <see cref="X25519KeyPair"/> runs on), NSec's wrapper of the same libsodium
/// (what it ran on before), and OpenSSL 3's libcrypto (EVP_PKEY derive, the derive context reused).
/// A Noise XX handshake does two generations and six agreements (three per side), an E2E session
/// setup one generation and four agreements, so these decide handshakes per second per core.
/// </summary>
/// <remarks>
/// Measured 2026-11-29 on the reference machine (AMD EPYC, 2 shared cores, OpenSSL 3.0.19,
/// libsodium 1.0.22; thread CPU time, <c>PERF_BENCH_CLOCK=thread-cpu</c>), µs per call:
/// <code>
///                Generate   Agree
///   libsodium        26.3    36.8
///   libcrypto        52.1    45.2
///   nsec            211.1   245.6   (guarded key memory: mmap, mprotect, munmap per key and secret)
/// </code>
/// libsodium direct is fastest for both (its fixed-base table halves generation; libcrypto's import
/// computes the public key with a full ladder), so <see cref="X25519KeyPair"/> uses it.
/// </remarks>
[BenchmarkCategory("X25519")]
public class X25519Benchmarks
{
    // RFC 7748, section 6.1: Bob's public key.
    private static readonly byte[] PeerPublicKey = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

    private readonly byte[] _shared = new byte[32];
    private readonly byte[] _public = new byte[32];
    private X25519KeyPair _libsodium = null!;
    private Key _nsec = null!;
    private LibCryptoX25519? _libcrypto;

    /// <summary>The implementation: <c>libsodium</c>, <c>nsec</c> or <c>libcrypto</c> (when this machine has OpenSSL 3).</summary>
    [ParamsSource(nameof(Implementations))]
    public string Implementation { get; set; } = "libsodium";

    /// <summary>Every implementation that runs here.</summary>
    public static IEnumerable<string> Implementations() =>
        LibCryptoX25519.IsAvailable(out _) ? ["libsodium", "nsec", "libcrypto"] : ["libsodium", "nsec"];

    /// <summary>One key pair per implementation.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _libsodium = X25519KeyPair.Generate();
        _nsec = Key.Create(KeyAgreementAlgorithm.X25519, NSecParameters);
        _libcrypto = Implementation == "libcrypto" ? LibCryptoX25519.Generate() : null;
    }

    /// <summary>Releases the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _libsodium.Dispose();
        _nsec.Dispose();
        _libcrypto?.Dispose();
    }

    private static KeyCreationParameters NSecParameters => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    /// <summary>A fresh key pair and its public key bytes (what a Noise ephemeral costs).</summary>
    [Benchmark]
    public void Generate()
    {
        switch (Implementation)
        {
            case "nsec":
                using (var key = Key.Create(KeyAgreementAlgorithm.X25519, NSecParameters))
                {
                    key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, _public, out _);
                }

                break;
            case "libcrypto":
                using (var key = LibCryptoX25519.Generate())
                {
                    key.PublicKey(_public);
                }

                break;
            default:
                using (var key = X25519KeyPair.Generate())
                {
                    key.PublicKey.CopyTo(_public);
                }

                break;
        }
    }

    /// <summary>One agreement with a peer's public key, shared secret exported (what a DH token in a Noise message costs).</summary>
    [Benchmark]
    public bool Agree()
    {
        switch (Implementation)
        {
            case "nsec":
                if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, PeerPublicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
                {
                    return false;
                }

                using (var secret = KeyAgreementAlgorithm.X25519.Agree(_nsec, peer, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }))
                {
                    return secret is not null && secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, _shared, out _);
                }

            case "libcrypto":
                return _libcrypto!.TryAgree(PeerPublicKey, _shared);
            default:
                return _libsodium.TryAgree(PeerPublicKey, _shared);
        }
    }
}
