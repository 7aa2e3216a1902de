using Relay.Crypto.Signatures;

namespace Relay.Crypto.Tests.Signatures;

public sealed class Ed25519Tests
{
    // RFC 8032, section 7.1, TEST 2: a one-byte message.
    private static readonly byte[] Seed = Convert.FromHexString("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static readonly byte[] PublicKey = Convert.FromHexString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static readonly byte[] Message = [0x72];
    private static readonly byte[] Signature = Convert.FromHexString(
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    [Fact]
    public void The_rfc8032_key_signs_and_verifies_the_published_signature()
    {
        using var pair = Ed25519KeyPair.FromSeed(Seed);
        var signature = new byte[Ed25519PublicKey.SignatureSize];

        pair.Sign(Message, signature);
        var publicKey = Ed25519PublicKey.Import(pair.PublicKey);

        Assert.Equal(PublicKey, pair.PublicKey.ToArray());
        Assert.Equal(PublicKey, publicKey.Bytes.ToArray());
        Assert.Equal(Signature, signature);
        Assert.True(publicKey.Verify(Message, Signature));
        Assert.False(publicKey.Verify([0x73], Signature));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_public_key_of_the_wrong_size_is_refused(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => Ed25519PublicKey.Import(new byte[length]));
        Assert.Contains("32-byte Ed25519 public key", error.Message, StringComparison.Ordinal);
    }
}
