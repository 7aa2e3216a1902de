using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace Perf.Benchmarks.Aead;

/// <summary>
/// The same seal and open called on NSec directly, with no abstraction in between: the
/// reference for the abstraction's overhead (compare with <see cref="AeadBenchmarks"/> on the
/// sodium backend at the same size).
/// </summary>
[BenchmarkCategory("Aead", "NSecDirect")]
public class NSecDirectBenchmarks
{
    private NSec.Cryptography.AeadAlgorithm _algorithm = null!;
    private Key _key = null!;
    private byte[] _nonce = null!;
    private byte[] _plaintext = null!;
    private byte[] _sealed = null!;
    private byte[] _opened = null!;

    /// <summary>Algorithm name.</summary>
    [Params("chacha20-poly1305", "aes-256-gcm")]
    public string Algorithm { get; set; } = "aes-256-gcm";

    /// <summary>Plaintext size in bytes.</summary>
    [Params(256, 16384)]
    public int Size { get; set; }

    /// <summary>Imports the key and creates the buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _algorithm = Algorithm == "aes-256-gcm" ? NSec.Cryptography.AeadAlgorithm.Aes256Gcm : NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305;
        _key = Key.Import(_algorithm, RandomNumberGenerator.GetBytes(32), KeyBlobFormat.RawSymmetricKey);
        _nonce = RandomNumberGenerator.GetBytes(_algorithm.NonceSize);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _sealed = new byte[Size + 16];
        _opened = new byte[Size];
        _algorithm.Encrypt(_key, _nonce, default, _plaintext, _sealed);
    }

    /// <summary>Releases the key.</summary>
    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    /// <summary>NSec encrypt.</summary>
    [Benchmark]
    public void Seal() => _algorithm.Encrypt(_key, _nonce, default, _plaintext, _sealed);

    /// <summary>NSec decrypt.</summary>
    [Benchmark]
    public bool Open() => _algorithm.Decrypt(_key, _nonce, default, _sealed, _opened);
}
