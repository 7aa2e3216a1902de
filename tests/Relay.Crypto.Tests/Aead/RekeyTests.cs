using Perf.Testing.Allocations;
using System.Security.Cryptography;
using Relay.Crypto.Aead;

namespace Relay.Crypto.Tests.Aead;

public sealed class RekeyTests
{
    [Theory]
    [MemberData(nameof(AeadCipherTests.SupportedPairs), MemberType = typeof(AeadCipherTests))]
    public void After_rekey_the_cipher_matches_a_fresh_cipher_with_the_new_key(string algorithmName, string backendName)
    {
        var algorithm = AeadAlgorithm.Parse(algorithmName);
        var backend = AeadBackend.Parse(backendName);
        var nonce = RandomNumberGenerator.GetBytes(algorithm.NonceSize);
        var newKey = RandomNumberGenerator.GetBytes(32);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        using var rekeyed = backend.Create(algorithm, RandomNumberGenerator.GetBytes(32));
        using var fresh = backend.Create(algorithm, newKey);
        var before = new byte[plaintext.Length + 16];
        rekeyed.Seal(nonce, default, plaintext, before);

        rekeyed.Rekey(newKey);
        var after = new byte[plaintext.Length + 16];
        var expected = new byte[plaintext.Length + 16];
        rekeyed.Seal(nonce, default, plaintext, after);
        fresh.Seal(nonce, default, plaintext, expected);

        Assert.Equal(expected, after);
        Assert.NotEqual(before, after);
        Assert.False(rekeyed.TryOpen(nonce, default, before, new byte[plaintext.Length]));
    }

    [Fact]
    public void Sodium_and_openssl_produce_identical_ciphertext_for_the_same_inputs()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ad = RandomNumberGenerator.GetBytes(7);
        var plaintext = RandomNumberGenerator.GetBytes(4097);
        foreach (var algorithm in new[] { AeadAlgorithm.ChaCha20Poly1305, AeadAlgorithm.Aes256Gcm })
        {
            using var sodium = AeadBackend.Sodium.Create(algorithm, key);
            using var openssl = AeadBackend.DotNet.Create(algorithm, key);
            var a = new byte[plaintext.Length + 16];
            var b = new byte[plaintext.Length + 16];
            sodium.Seal(nonce, ad, plaintext, a);
            openssl.Seal(nonce, ad, plaintext, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Sodium_rekey_allocates_nothing()
    {
        using var cipher = AeadBackend.Sodium.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
        var key = new byte[32];
        Assert.False(cipher.RekeyAllocates);
        Allocations.AssertNone(() =>
        {
            key[0]++;
            cipher.Rekey(key);
        });
    }

    [Fact]
    public void Rekey_with_a_wrong_size_is_an_argument_error()
    {
        using var cipher = AeadBackend.Sodium.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
        Assert.Throws<ArgumentException>(() => cipher.Rekey(new byte[16]));
    }
}
