using Relay.Crypto.Aead;
using Relay.Crypto.Aead.Auto;

namespace Relay.Crypto.Tests.Aead;

public sealed class AutoBackendTests
{
    [Theory]
    [InlineData("chacha20-poly1305", 256, "sodium")]
    [InlineData("chacha20-poly1305", 1535, "sodium")]
    [InlineData("chacha20-poly1305", 1536, "openssl")]
    [InlineData("chacha20-poly1305", 16384, "openssl")]
    [InlineData("aes-256-gcm", 64, "sodium")]
    [InlineData("aes-256-gcm", 65536, "sodium")]
    [InlineData("xchacha20-poly1305", 16384, "sodium")]
    public void Auto_uses_the_measured_fastest_backend_for_each_size(string algorithm, int size, string expected)
    {
        using var cipher = (AutoAeadCipher)AeadBackend.Auto.Create(AeadAlgorithm.Parse(algorithm), new byte[32]);
        Assert.Equal(expected, cipher.BackendFor(size));
    }
}
