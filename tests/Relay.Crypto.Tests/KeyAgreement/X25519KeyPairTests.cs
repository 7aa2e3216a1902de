using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Tests.KeyAgreement;

public sealed class X25519KeyPairTests
{
    // RFC 7748, section 6.1.
    private static readonly byte[] AlicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static readonly byte[] AlicePublic = Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static readonly byte[] BobPrivate = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static readonly byte[] BobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static readonly byte[] SharedSecret = Convert.FromHexString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    [Fact]
    public void Rfc7748_keys_give_the_published_public_keys_and_shared_secret()
    {
        using var alice = X25519KeyPair.Import(AlicePrivate);
        using var bob = X25519KeyPair.Import(BobPrivate);
        var aliceShared = new byte[32];
        var bobShared = new byte[32];

        Assert.True(alice.TryAgree(BobPublic, aliceShared));
        Assert.True(bob.TryAgree(AlicePublic, bobShared));

        Assert.Equal(AlicePublic, alice.PublicKey.ToArray());
        Assert.Equal(BobPublic, bob.PublicKey.ToArray());
        Assert.Equal(SharedSecret, aliceShared);
        Assert.Equal(SharedSecret, bobShared);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    public void A_low_order_public_key_is_refused(string lowOrderPoint)
    {
        using var alice = X25519KeyPair.Import(AlicePrivate);
        var shared = new byte[32];

        Assert.False(alice.TryAgree(Convert.FromHexString(lowOrderPoint), shared));
        Assert.All(shared, b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_top_bit_of_the_peer_public_key_is_ignored()
    {
        using var alice = X25519KeyPair.Import(AlicePrivate);
        var withTopBit = (byte[])BobPublic.Clone();
        withTopBit[31] |= 0x80;
        var shared = new byte[32];

        Assert.True(alice.TryAgree(withTopBit, shared));

        Assert.Equal(SharedSecret, shared);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_public_key_of_the_wrong_size_is_refused(int size)
    {
        using var alice = X25519KeyPair.Import(AlicePrivate);

        Assert.False(alice.TryAgree(new byte[size], new byte[32]));
    }

    [Fact]
    public void A_private_key_of_the_wrong_size_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => X25519KeyPair.Import(new byte[31]));

        Assert.Contains("32 bytes", error.Message);
    }

    [Fact]
    public void Generated_pairs_agree_and_export_what_reimports_to_the_same_public_key()
    {
        using var alice = X25519KeyPair.Generate();
        using var bob = X25519KeyPair.Generate();
        var exported = new byte[32];
        alice.ExportPrivateKey(exported);
        using var reimported = X25519KeyPair.Import(exported);
        var aliceShared = new byte[32];
        var bobShared = new byte[32];

        Assert.True(alice.TryAgree(bob.PublicKey, aliceShared));
        Assert.True(bob.TryAgree(alice.PublicKey, bobShared));

        Assert.Equal(aliceShared, bobShared);
        Assert.Equal(alice.PublicKey.ToArray(), reimported.PublicKey.ToArray());
        Assert.NotEqual(alice.PublicKey.ToArray(), bob.PublicKey.ToArray());
    }
}
