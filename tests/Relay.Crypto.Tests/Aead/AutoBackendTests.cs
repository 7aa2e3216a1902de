using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.Aead.Auto;
using Relay.Crypto.Aead.LibCrypto;

namespace Relay.Crypto.Tests.Aead;

public sealed class AutoBackendTests
{
    public static TheoryData<string, int> TableRows()
    {
        var data = new TheoryData<string, int>();
        foreach (var algorithm in new[] { "aes-256-gcm", "chacha20-poly1305", "xchacha20-poly1305" })
        {
            foreach (var size in new[] { 0, 64, 255, 256, 1023, 1024, 1535, 1536, 16384, 65536 })
            {
                data.Add(algorithm, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Auto_uses_the_table_backend_for_each_size(string algorithmName, int size)
    {
        var algorithm = AeadAlgorithm.Parse(algorithmName);
        var choice = AutoBackendTable.For(algorithm);
        var libcryptoHere = choice.Small.IsSupported(algorithm, out _) && choice.Large.IsSupported(algorithm, out _);
        var expected = libcryptoHere ? choice : AutoBackendTable.WithoutLibCrypto(algorithm);

        using var cipher = (AutoAeadCipher)AeadBackend.Auto.Create(algorithm, new byte[32]);

        Assert.Equal((size < expected.CrossoverBytes ? expected.Small : expected.Large).Name, cipher.BackendFor(size));
    }

    [Theory]
    [InlineData("chacha20-poly1305", 256, "sodium")]
    [InlineData("chacha20-poly1305", 1535, "sodium")]
    [InlineData("chacha20-poly1305", 1536, "openssl")]
    [InlineData("chacha20-poly1305", 16384, "openssl")]
    [InlineData("aes-256-gcm", 64, "sodium")]
    [InlineData("aes-256-gcm", 65536, "sodium")]
    [InlineData("xchacha20-poly1305", 16384, "sodium")]
    public void Without_libcrypto_auto_falls_back_to_the_table_measured_before_it(string algorithmName, int size, string expected)
    {
        var missing = LibCryptoBackend.Over("/nonexistent/libcrypto.so.3");
        var auto = new AutoBackend(missing);
        var algorithm = AeadAlgorithm.Parse(algorithmName);

        using var cipher = (AutoAeadCipher)auto.Create(algorithm, new byte[32]);

        Assert.Equal(expected, cipher.BackendFor(size));
    }

    [Fact]
    public void Without_libcrypto_auto_still_seals_what_libsodium_opens()
    {
        var auto = new AutoBackend(LibCryptoBackend.Over("/nonexistent/libcrypto.so.3"));
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(4000);
        using var cipher = auto.Create(AeadAlgorithm.ChaCha20Poly1305, key);
        using var sodium = AeadBackend.Sodium.Create(AeadAlgorithm.ChaCha20Poly1305, key);
        var sealedBytes = new byte[plaintext.Length + 16];

        cipher.Seal(nonce, default, plaintext, sealedBytes);

        var opened = new byte[plaintext.Length];
        Assert.True(sodium.TryOpen(nonce, default, sealedBytes, opened));
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void The_table_names_libcrypto_only_where_it_measured_fastest_and_never_for_xchacha()
    {
        Assert.Equal(AeadBackend.Sodium, AutoBackendTable.For(AeadAlgorithm.XChaCha20Poly1305).Small);
        Assert.Equal(AeadBackend.Sodium, AutoBackendTable.For(AeadAlgorithm.XChaCha20Poly1305).Large);
        Assert.Equal(AeadBackend.LibCrypto, AutoBackendTable.For(AeadAlgorithm.ChaCha20Poly1305).Small);
        Assert.Equal(AeadBackend.LibCrypto, AutoBackendTable.For(AeadAlgorithm.ChaCha20Poly1305).Large);
        Assert.Equal(AeadBackend.Sodium, AutoBackendTable.For(AeadAlgorithm.Aes256Gcm).Large);
    }
}
