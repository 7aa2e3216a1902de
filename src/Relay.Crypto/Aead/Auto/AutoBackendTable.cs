using Relay.Crypto.Aead.LibCrypto;
using Relay.Crypto.Aead.DotNet;
using Relay.Crypto.Aead.Sodium;

namespace Relay.Crypto.Aead.Auto;

/// <summary>
/// Which concrete backend <c>auto</c> uses, per algorithm and message size: below
/// <see cref="Choice.CrossoverBytes"/> the <see cref="Choice.Small"/> backend, at or above it the
/// <see cref="Choice.Large"/> one. The figures come from the AEAD benchmark suite
/// (<c>perf bench --filter *AeadBenchmarks*</c>) on the reference machine recorded in
/// <c>results/baseline/</c>; re-run it and update this table when backends or hardware change.
/// <see cref="WithoutLibCrypto"/> is the table for a machine without OpenSSL 3's libcrypto.
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
    public static Choice For(AeadAlgorithm algorithm) => For(algorithm, LibCryptoBackend.Instance);

    /// <summary>
    /// The choice measured before the libcrypto backend existed, which <c>auto</c> uses where
    /// libcrypto cannot run: libsodium for AES-256-GCM at every size and for ChaCha20-Poly1305 below
    /// 1.5 KiB, .NET's OpenSSL-backed type for ChaCha20-Poly1305 from 1.5 KiB.
    /// </summary>
    public static Choice WithoutLibCrypto(AeadAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return algorithm.Id switch
        {
            // Measured 2026-11-25 (Xeon 2.3 GHz with AES-NI/VAES, OpenSSL 3.0.19, libsodium from NSec
            // 26.4): seal ns at 64 B/256 B/1 KiB/16 KiB/64 KiB
            //   aes-256-gcm        sodium 133/184/344/3740/14552   openssl 988/1059/1188/4404/14644
            //   chacha20-poly1305  sodium 391/581/1143/14295/56689 openssl 1171/1243/1431/5918/20410
            // .NET's OpenSSL types cost ~850 ns a call, so libsodium wins AES-GCM at every size; for
            // ChaCha20 the lines cross near 1.5 KiB (interpolated between 1 and 16 KiB).
            AeadAlgorithmId.ChaCha20Poly1305 => new Choice(SodiumBackend.Instance, 1536, DotNetBackend.Instance),
            _ => new Choice(SodiumBackend.Instance, int.MaxValue, SodiumBackend.Instance),
        };
    }

    /// <summary>The measured choice, with <paramref name="libCrypto"/> standing for the libcrypto backend.</summary>
    internal static Choice For(AeadAlgorithm algorithm, AeadBackend libCrypto)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return algorithm.Id switch
        {
            // Measured 2026-11-29 on the reference machine (AMD EPYC, 2 shared cores, AVX-512/VAES/SHA-NI,
            // OpenSSL 3.0.19, libsodium 1.0.22), seal ns by thread CPU time (the cores were shared with
            // other builds; wall-clock figures there were 2-3x noisier), sodium / libcrypto:
            //   size               64    128    256    512    1K   1.5K     2K     4K     8K    16K
            //   aes-256-gcm       111    134    156    206   318    414    529    974   1837   3375
            //                     138    152    158    235   330    411    509    959   1796   3172
            //   chacha20-poly1305 454    644    533    644  1025   1523   1937   3548   6820  13361
            //                     407    431    417    588   517    753    783   1249   2217   4122
            //   with a Rekey before each seal (the E2E ratchet; libcrypto then expands the key and
            //   GHASH table, ~125 ns), aes-256-gcm at 256 B/1.5K/4K/16K: 162/435/969/3575 vs
            //   287/528/1074/3563; chacha20-poly1305 at 256 B: 537 vs 460.
            // (interleaved, min of 200 rounds; the thread-CPU BenchmarkDotNet quick run,
            // PERF_BENCH_CLOCK=thread-cpu, gave the same order within its ±20 % noise.)
            // ChaCha20-Poly1305: libcrypto at every size (OpenSSL's AVX-512 ChaCha; 3.2x at 16 KiB).
            // AES-256-GCM: libsodium at every size: libcrypto is ahead by 1-6 % from 1.5 KiB with a
            // fixed key (the relay's transport) but behind up to 16 KiB when every message has its own
            // key (the E2E session), so the gain is not worth the split.
            AeadAlgorithmId.ChaCha20Poly1305 => new Choice(libCrypto, int.MaxValue, libCrypto),
            _ => new Choice(SodiumBackend.Instance, int.MaxValue, SodiumBackend.Instance),
        };
    }
}
