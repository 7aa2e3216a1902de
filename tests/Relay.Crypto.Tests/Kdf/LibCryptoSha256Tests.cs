using Perf.Testing.Allocations;
using System.Security.Cryptography;
using Relay.Crypto.E2e;
using Relay.Crypto.Kdf;
using Relay.Crypto.Native;

namespace Relay.Crypto.Tests.Kdf;

/// <summary>
/// HMAC, HKDF and the chain step on libcrypto's SHA-256 give exactly the bytes of the paths they
/// replace (.NET's HMAC and HKDF, libsodium's HMAC), across the lengths where the prepared-key code
/// changes course: empty and block-sized keys, keys longer than a block (hashed first), data across
/// the update chunk size, every HKDF output block count. And they allocate nothing.
/// </summary>
public sealed class LibCryptoSha256Tests
{
    public static TheoryData<int> KeyLengths() => [0, 1, 31, 32, 63, 64, 65, 100, 200];

    public static TheoryData<int> DataLengths() => [0, 1, 55, 56, 63, 64, 65, LibCryptoSha256.ChunkBytes, LibCryptoSha256.ChunkBytes + 1, 5000];

    [SkippableTheory]
    [MemberData(nameof(KeyLengths))]
    public void Hmac_equals_dotnets_for_every_key_length(int keyLength)
    {
        RequireLibCrypto();
        foreach (var dataLength in new[] { 0, 1, 100 })
        {
            AssertSameHmac(RandomNumberGenerator.GetBytes(keyLength), RandomNumberGenerator.GetBytes(dataLength));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(DataLengths))]
    public void Hmac_equals_dotnets_for_every_data_length(int dataLength)
    {
        RequireLibCrypto();
        AssertSameHmac(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(dataLength));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(80)]
    [InlineData(HkdfSha256.MaxOutputSize)]
    public void Hkdf_equals_dotnets_for_every_block_count(int outputLength)
    {
        RequireLibCrypto();
        var ikm = RandomNumberGenerator.GetBytes(64);
        foreach (var (salt, info) in new[] { (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(107)), (Array.Empty<byte>(), Array.Empty<byte>()), (RandomNumberGenerator.GetBytes(100), RandomNumberGenerator.GetBytes(1)) })
        {
            var expected = new byte[outputLength];
            HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, expected, salt, info);
            var actual = new byte[outputLength];

            HkdfSha256.DeriveKey(ikm, salt, info, actual);

            Assert.Equal(expected, actual);
        }
    }

    [SkippableFact]
    public void The_chain_step_equals_libsodiums_over_a_long_chain()
    {
        RequireLibCrypto();
        var onLibCrypto = RandomNumberGenerator.GetBytes(32);
        var onLibSodium = (byte[])onLibCrypto.Clone();
        var keyA = new byte[32];
        var keyB = new byte[32];
        for (var i = 0; i < 200; i++)
        {
            SymmetricChain.StepOnLibCrypto(onLibCrypto, keyA);
            SymmetricChain.StepOnLibSodium(onLibSodium, keyB);

            Assert.Equal(keyB, keyA);
            Assert.Equal(onLibSodium, onLibCrypto);
        }
    }

    [SkippableFact]
    public void Hmac_and_the_chain_step_allocate_nothing()
    {
        RequireLibCrypto();
        var key = RandomNumberGenerator.GetBytes(32);
        var data = RandomNumberGenerator.GetBytes(300);
        var tag = new byte[32];
        var chain = RandomNumberGenerator.GetBytes(32);
        var messageKey = new byte[32];
        var okm = new byte[80];
        Allocations.AssertNone(() =>
        {
            HmacSha256.Compute(key, data, tag);
            SymmetricChain.Step(chain, messageKey);
            HkdfSha256.DeriveKey(data, key, tag, okm);
        }, warmUpCalls: 100);
    }

    [SkippableFact]
    public void The_implementation_in_use_is_named()
    {
        RequireLibCrypto();
        Assert.Equal("libcrypto", HmacSha256.Implementation);
    }

    private static void AssertSameHmac(byte[] key, byte[] data)
    {
        var expected = new byte[32];
        HmacSha256.ComputeOnDotNet(key, data, expected);
        var actual = new byte[32];

        HmacSha256.Compute(key, data, actual);

        Assert.Equal(expected, actual);
        Assert.True(HmacSha256.Verify(key, data, expected));
    }

    private static void RequireLibCrypto() =>
        Skip.IfNot(LibCryptoSha256.IsAvailable, $"libcrypto's SHA-256 is not usable here: {LibCryptoSha256.UnavailableReason}");
}
