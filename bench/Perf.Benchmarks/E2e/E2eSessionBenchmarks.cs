using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;

namespace Perf.Benchmarks.E2e;

/// <summary>
/// The E2E per-message path at 256 B (chain step + AEAD) beside the bare AEAD seal on the same
/// backend: what the symmetric ratchet costs on top of encryption.
/// </summary>
/// <remarks>
/// The arithmetic, measured 2026-11-29 on the reference machine (AMD EPYC, SHA-NI, OpenSSL 3.0.19,
/// libsodium 1.0.22; thread CPU time, <c>PERF_BENCH_CLOCK=thread-cpu</c>, because other builds
/// shared the 2 cores) for aes-256-gcm/sodium:
/// <code>
///   E2eSeal 474 ns  =  BareAeadSeal 161 ns                  (AES-256-GCM of 256 B)
///                   + chain step 262 ns                      (HmacSha256Benchmarks.ChainStep)
///                       = 6 SHA-256 compressions x 36 ns    (Sha256Compression; 2 pad blocks, 2 inner, 2 outer)
///                         run as 3 overlapping pairs, ~180 ns, + ~80 ns padding, copies, calls
///                   + ~50 ns                                 (header, 256-byte copy, rekey copy, 25 B of header as AD)
///   ratio 474 / 161 = 2.94   (12x before: libsodium's HMAC-SHA256 without SHA-NI, 2242 ns a step)
/// </code>
/// Six compressions are the floor of this design: the chain key changes every message, so its pad
/// states cannot be kept, and each of the two HMACs needs an inner and an outer block.
/// </remarks>
[BenchmarkCategory("E2e")]
public class E2eSessionBenchmarks
{
    private const int Size = 256;

    private X25519KeyPair _alice = null!;
    private X25519KeyPair _bob = null!;
    private E2eSession _sender = null!;
    private E2eSession _receiver = null!;
    private AeadCipher _bare = null!;
    private byte[] _plaintext = null!;
    private byte[] _envelope = null!;
    private byte[] _opened = null!;
    private byte[] _nonce = null!;
    private byte[] _bareSealed = null!;

    /// <summary>Algorithm and backend, as <c>algorithm/backend</c>.</summary>
    [ParamsSource(nameof(Ciphers))]
    public string Cipher { get; set; } = "aes-256-gcm/sodium";

    /// <summary>AES-256-GCM and ChaCha20-Poly1305 on every backend this machine supports (auto: what perf load uses).</summary>
    public static IEnumerable<string> Ciphers()
    {
        foreach (var backend in AeadBackend.All)
        {
            foreach (var algorithm in new[] { AeadAlgorithm.Aes256Gcm, AeadAlgorithm.ChaCha20Poly1305 })
            {
                if (backend.IsSupported(algorithm, out _))
                {
                    yield return $"{algorithm.Name}/{backend.Name}";
                }
            }
        }
    }

    /// <summary>Sets up an established session (the recipient has answered, so headers are short).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Cipher.Split('/');
        var options = new E2eSessionOptions { Algorithm = AeadAlgorithm.Parse(parts[0]), Backend = AeadBackend.Parse(parts[1]) };
        _alice = X25519KeyPair.Generate();
        _bob = X25519KeyPair.Generate();
        _sender = E2eSession.Initiate(_alice, _bob.PublicKey, options);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        var first = new byte[_sender.GetEnvelopeSize(Size)];
        _sender.Seal(_plaintext, first);
        E2eSession.TryAccept(_bob, first, options, out var receiver);
        _receiver = receiver!;
        _opened = new byte[first.Length];
        _receiver.TryOpen(first, _opened, out _);
        var reply = new byte[_receiver.GetEnvelopeSize(1)];
        _receiver.Seal([1], reply);
        _sender.TryOpen(reply, _opened, out _);
        _envelope = new byte[_sender.GetEnvelopeSize(Size)];
        _bare = options.Backend.Create(options.Algorithm, RandomNumberGenerator.GetBytes(32));
        _nonce = RandomNumberGenerator.GetBytes(options.Algorithm.NonceSize);
        _bareSealed = new byte[Size + 16];
    }

    /// <summary>Releases sessions and keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _bare.Dispose();
        _alice.Dispose();
        _bob.Dispose();
    }

    /// <summary>Bare AEAD seal of 256 B on the same backend: the baseline.</summary>
    [Benchmark(Baseline = true)]
    public void BareAeadSeal() => _bare.Seal(_nonce, default, _plaintext, _bareSealed);

    /// <summary>E2E seal: chain step, rekey, AEAD with the header as associated data.</summary>
    [Benchmark]
    public int E2eSeal() => _sender.Seal(_plaintext, _envelope);

    /// <summary>E2E seal then open by the recipient (each message opened once, in order).</summary>
    [Benchmark]
    public E2eError E2eSealOpen()
    {
        _sender.Seal(_plaintext, _envelope);
        return _receiver.TryOpen(_envelope, _opened, out _);
    }
}
