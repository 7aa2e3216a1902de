using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Relay.Crypto.E2e;
using Relay.Crypto.Kdf;
using Relay.Crypto.Native;

namespace Perf.Benchmarks.Kdf;

/// <summary>
/// The pieces of the E2E chain step: one SHA-256 compression on libcrypto (the unit of the
/// arithmetic in <c>E2eSessionBenchmarks</c>' comment), the step on libcrypto (six compressions)
/// and on libsodium (the fallback, and what it ran on before), and one HMAC of 32 bytes on
/// libcrypto beside .NET's one-shot (what HKDF and Noise's key mixing ran on before).
/// </summary>
[BenchmarkCategory("Kdf")]
public class HmacSha256Benchmarks
{
    private readonly byte[] _chainKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _messageKey = new byte[32];
    private readonly byte[] _block = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] _data = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _tag = new byte[32];

    /// <summary>Fails fast when libcrypto's SHA-256 is missing: these figures are about it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!LibCryptoSha256.IsAvailable)
        {
            throw new InvalidOperationException($"libcrypto's SHA-256 is not usable here: {LibCryptoSha256.UnavailableReason}");
        }
    }

    /// <summary>One 64-byte block through libcrypto's SHA-256 (SHA-NI): a compression plus the call.</summary>
    [Benchmark]
    public unsafe void Sha256Compression()
    {
        Sha256Context context;
        LibCryptoSha256.Init(&context);
        LibCryptoSha256.Update(&context, _block);
    }

    /// <summary>The chain step as E2E sessions run it: libcrypto, six compressions.</summary>
    [Benchmark(Baseline = true)]
    public void ChainStep() => SymmetricChain.StepOnLibCrypto(_chainKey, _messageKey);

    /// <summary>The chain step on libsodium's HMAC-SHA256 (the fallback without libcrypto; eight compressions, no SHA-NI).</summary>
    [Benchmark]
    public void ChainStepLibSodium() => SymmetricChain.StepOnLibSodium(_chainKey, _messageKey);

    /// <summary>HMAC-SHA256 of 32 bytes under a 32-byte key on libcrypto (four compressions: key pads and final blocks).</summary>
    [Benchmark]
    public void Hmac() => HmacSha256.Compute(_chainKey, _data, _tag);

    /// <summary>The same HMAC on .NET's one-shot (OpenSSL 3 through .NET, a fetch per call).</summary>
    [Benchmark]
    public void HmacDotNet() => HMACSHA256.HashData(_chainKey, _data, _tag);
}
