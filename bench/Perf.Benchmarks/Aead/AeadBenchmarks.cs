using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Perf.Benchmarks.Infrastructure;
using Relay.Crypto.Aead;

namespace Perf.Benchmarks.Aead;

/// <summary>Seal and open through the <see cref="AeadCipher"/> abstraction, for every supported algorithm × backend × size.</summary>
[BenchmarkCategory("Aead")]
public class AeadBenchmarks
{
    private AeadCipher _cipher = null!;
    private byte[] _nonce = null!;
    private byte[] _plaintext = null!;
    private byte[] _sealed = null!;
    private byte[] _opened = null!;
    private InjectedSlowdown _slowdown = null!;

    /// <summary>Algorithm and backend, as <c>algorithm/backend</c>.</summary>
    [ParamsSource(nameof(Ciphers))]
    public string Cipher { get; set; } = "aes-256-gcm/sodium";

    /// <summary>Plaintext size in bytes.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>64 B to 64 KiB, or the comma-separated sizes in <c>PERF_AEAD_SIZES</c> (perf quick narrows the suite this way).</summary>
    public static IEnumerable<int> Sizes()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PERF_AEAD_SIZES");
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return [64, 256, 1024, 16384, 65536];
        }

        return Array.ConvertAll(fromEnvironment.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Every algorithm/backend pair this machine supports (auto included; <c>PERF_AEAD_CONCRETE_ONLY=1</c>
    /// leaves auto out; <c>PERF_AEAD_BACKENDS=sodium,libcrypto</c> keeps only the named backends).
    /// </summary>
    public static IEnumerable<string> Ciphers()
    {
        var backends = Environment.GetEnvironmentVariable("PERF_AEAD_CONCRETE_ONLY") == "1" ? AeadBackend.Concrete : AeadBackend.All;
        var only = Environment.GetEnvironmentVariable("PERF_AEAD_BACKENDS")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var backend in backends)
        {
            if (only is { Length: > 0 } && Array.IndexOf(only, backend.Name) < 0)
            {
                continue;
            }

            foreach (var algorithm in AeadAlgorithm.All)
            {
                if (backend.IsSupported(algorithm, out _))
                {
                    yield return $"{algorithm.Name}/{backend.Name}";
                }
            }
        }
    }

    /// <summary>Creates the keyed cipher and the buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Cipher.Split('/');
        var algorithm = AeadAlgorithm.Parse(parts[0]);
        _cipher = AeadBackend.Parse(parts[1]).Create(algorithm, RandomNumberGenerator.GetBytes(32));
        _nonce = RandomNumberGenerator.GetBytes(algorithm.NonceSize);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _sealed = new byte[Size + 16];
        _opened = new byte[Size];
        _cipher.Seal(_nonce, default, _plaintext, _sealed);
    }

    /// <summary><see cref="Setup"/>, then the gate's calibration knob (<see cref="InjectedSlowdown"/>; none unless set).</summary>
    [GlobalSetup(Target = nameof(Seal))]
    public void SetupSeal()
    {
        Setup();
        _slowdown = InjectedSlowdown.For(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{typeof(AeadBenchmarks).FullName}.{nameof(Seal)}(Cipher: \"{Cipher}\", Size: {Size})"),
            () => _cipher.Seal(_nonce, default, _plaintext, _sealed));
    }

    /// <summary>Releases the cipher.</summary>
    [GlobalCleanup]
    public void Cleanup() => _cipher.Dispose();

    /// <summary>Encrypt and tag.</summary>
    [Benchmark]
    public void Seal()
    {
        _cipher.Seal(_nonce, default, _plaintext, _sealed);
        _slowdown.Apply();
    }

    /// <summary>Verify and decrypt.</summary>
    [Benchmark]
    public bool Open() => _cipher.TryOpen(_nonce, default, _sealed, _opened);
}
