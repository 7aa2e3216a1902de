using Perf.Testing.Allocations;
using System.Security.Cryptography;
using Relay.Crypto.Aead.LibCrypto;
using Relay.Crypto.Aead;
using Relay.Crypto.Native;

namespace Relay.Crypto.Tests.Aead;

/// <summary>
/// The direct libcrypto backend: byte-for-byte agreement with the other backends across the sizes
/// where its code paths change (empty, partial blocks, the short-update limit, large), its lazy
/// keying of the encrypt and decrypt contexts across rekeys, and what it says on a machine
/// without a usable libcrypto.
/// </summary>
public sealed class LibCryptoBackendTests
{
    public static TheoryData<string> Algorithms() => ["aes-256-gcm", "chacha20-poly1305"];

    [SkippableTheory]
    [MemberData(nameof(Algorithms))]
    public void Ciphertext_equals_sodiums_and_openssls_at_every_boundary_size(string algorithmName)
    {
        var algorithm = RequireLibCrypto(algorithmName);
        var key = RandomNumberGenerator.GetBytes(32);
        using var libcrypto = AeadBackend.LibCrypto.Create(algorithm, key);
        using var sodium = AeadBackend.Sodium.Create(algorithm, key);
        using var openssl = AeadBackend.DotNet.Create(algorithm, key);
        var sizes = new[] { 0, 1, 15, 16, 17, 255, 256, LibCryptoCipher.ShortUpdateBytes, LibCryptoCipher.ShortUpdateBytes + 1, 70_000 };
        var adSizes = new[] { 0, 13, LibCryptoCipher.ShortUpdateBytes + 5 };
        foreach (var size in sizes)
        {
            foreach (var adSize in adSizes)
            {
                var nonce = RandomNumberGenerator.GetBytes(algorithm.NonceSize);
                var ad = RandomNumberGenerator.GetBytes(adSize);
                var plaintext = RandomNumberGenerator.GetBytes(size);
                var expected = new byte[size + 16];
                var actual = new byte[size + 16];
                sodium.Seal(nonce, ad, plaintext, expected);

                libcrypto.Seal(nonce, ad, plaintext, actual);

                Assert.Equal(expected, actual);
                var byOpenSsl = new byte[size + 16];
                openssl.Seal(nonce, ad, plaintext, byOpenSsl);
                Assert.Equal(expected, byOpenSsl);
                var opened = new byte[size];
                Assert.True(libcrypto.TryOpen(nonce, ad, expected, opened), $"open of {size} B with {adSize} B of associated data");
                Assert.Equal(plaintext, opened);
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Algorithms))]
    public void Each_context_takes_the_newest_key_whichever_direction_is_used_first(string algorithmName)
    {
        var algorithm = RequireLibCrypto(algorithmName);
        var (keyA, keyB) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var underA = SealedBy(AeadBackend.Sodium, algorithm, keyA, nonce, plaintext);
        var underB = SealedBy(AeadBackend.Sodium, algorithm, keyB, nonce, plaintext);
        using var cipher = AeadBackend.LibCrypto.Create(algorithm, keyA);
        var opened = new byte[plaintext.Length];

        // Open first under A (keys the decrypt context), then rekey and seal first under B.
        Assert.True(cipher.TryOpen(nonce, default, underA, opened));
        cipher.Rekey(keyB);
        var sealedBytes = new byte[underB.Length];
        cipher.Seal(nonce, default, plaintext, sealedBytes);
        Assert.Equal(underB, sealedBytes);
        Assert.False(cipher.TryOpen(nonce, default, underA, opened));
        Assert.True(cipher.TryOpen(nonce, default, underB, opened));

        cipher.Rekey(keyA);
        Assert.True(cipher.TryOpen(nonce, default, underA, opened));
        cipher.Seal(nonce, default, plaintext, sealedBytes);
        Assert.Equal(underA, sealedBytes);
    }

    [SkippableTheory]
    [MemberData(nameof(Algorithms))]
    public void A_failed_open_leaves_the_cipher_usable_and_net_crypto_unaffected(string algorithmName)
    {
        var algorithm = RequireLibCrypto(algorithmName);
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var good = SealedBy(AeadBackend.Sodium, algorithm, key, nonce, plaintext);
        var bad = (byte[])good.Clone();
        bad[^1] ^= 0x80;
        using var cipher = AeadBackend.LibCrypto.Create(algorithm, key);
        var opened = new byte[plaintext.Length];

        for (var i = 0; i < 3; i++)
        {
            Assert.False(cipher.TryOpen(nonce, default, bad, opened));
        }

        Assert.True(cipher.TryOpen(nonce, default, good, opened));
        Assert.Equal(plaintext, opened);
        // .NET's own OpenSSL calls on this thread read the same error queue; a leftover entry would fail them.
        using var dotnet = AeadBackend.DotNet.Create(algorithm, key);
        Assert.True(dotnet.TryOpen(nonce, default, good, opened));
    }

    [SkippableFact]
    public void Rekey_allocates_nothing()
    {
        RequireLibCrypto("chacha20-poly1305");
        using var cipher = AeadBackend.LibCrypto.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
        var key = new byte[32];
        var nonce = new byte[12];
        var sealedBytes = new byte[16 + 16];
        Assert.False(cipher.RekeyAllocates);
        cipher.Rekey(key);
        cipher.Seal(nonce, default, new byte[16], sealedBytes);
        Allocations.AssertNone(() =>
        {
            key[0]++;
            cipher.Rekey(key);
            cipher.Seal(nonce, default, sealedBytes.AsSpan(0, 16), sealedBytes);
        });
    }

    [Fact]
    public void Xchacha_is_refused_with_a_not_supported_exception_that_points_to_sodium()
    {
        Assert.False(AeadBackend.LibCrypto.IsSupported(AeadAlgorithm.XChaCha20Poly1305, out var reason));
        Assert.Contains("XChaCha20-Poly1305", reason, StringComparison.Ordinal);
        var ex = Assert.Throws<NotSupportedException>(() => AeadBackend.LibCrypto.Create(AeadAlgorithm.XChaCha20Poly1305, new byte[32]));
        Assert.Contains("sodium", ex.Message, StringComparison.Ordinal);
        Assert.Contains("xchacha20-poly1305", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_path_that_does_not_exist_is_named_in_the_reason_and_the_exception()
    {
        const string missing = "/nonexistent/openssl/libcrypto.so.3";
        var backend = LibCryptoBackend.Over(missing);

        foreach (var algorithm in new[] { AeadAlgorithm.Aes256Gcm, AeadAlgorithm.ChaCha20Poly1305 })
        {
            Assert.False(backend.IsSupported(algorithm, out var reason));
            Assert.Contains(missing, reason, StringComparison.Ordinal);
            var ex = Assert.Throws<PlatformNotSupportedException>(() => backend.Create(algorithm, new byte[32]));
            Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
            Assert.Contains("libcrypto backend", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_library_that_is_not_libcrypto_is_refused_with_the_reason()
    {
        var libc = OperatingSystem.IsLinux() ? "libc.so.6" : null;
        Skip.If(libc is null, "needs a Linux libc to stand in for a library that is not libcrypto");
        var backend = LibCryptoBackend.Over(libc!);

        Assert.False(backend.IsSupported(AeadAlgorithm.Aes256Gcm, out var reason));
        Assert.Contains("libc.so.6 is not OpenSSL's libcrypto", reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_backend_is_found_by_name_and_reports_the_library_it_uses()
    {
        RequireLibCrypto("aes-256-gcm");
        Assert.Same(AeadBackend.LibCrypto, AeadBackend.Parse("libcrypto"));
        Assert.Same(AeadBackend.LibCrypto, AeadBackend.Parse("LibCrypto"));
        Assert.Contains(AeadBackend.LibCrypto, AeadBackend.Concrete);
        Assert.StartsWith("OpenSSL 3", LibCryptoEvp.System!.Library.Version, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Using_a_disposed_cipher_is_an_object_disposed_error()
    {
        var cipher = AeadBackend.LibCrypto.Create(RequireLibCrypto("aes-256-gcm"), new byte[32]);
        cipher.Dispose();
        cipher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cipher.Seal(new byte[12], default, new byte[1], new byte[17]));
        Assert.Throws<ObjectDisposedException>(() => cipher.Rekey(new byte[32]));
    }

    private static AeadAlgorithm RequireLibCrypto(string algorithmName)
    {
        var algorithm = AeadAlgorithm.Parse(algorithmName);
        Skip.IfNot(AeadBackend.LibCrypto.IsSupported(algorithm, out var reason), $"no usable libcrypto here: {reason}");
        return algorithm;
    }

    private static byte[] SealedBy(AeadBackend backend, AeadAlgorithm algorithm, byte[] key, byte[] nonce, byte[] plaintext)
    {
        using var cipher = backend.Create(algorithm, key);
        var output = new byte[plaintext.Length + 16];
        cipher.Seal(nonce, default, plaintext, output);
        return output;
    }
}
