using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Tests.KeyAgreement;

// NATS.NKeys (which the shared test library brings in) declares a global namespace X25519; this name wins inside the namespace.
using X25519 = Relay.Crypto.KeyAgreement.X25519;

/// <summary>The span functions every X25519 in the project runs on (key pairs and the sealed-sender ephemeral).</summary>
public sealed class X25519Tests
{
    [Fact]
    public void Generated_keys_agree_both_ways_and_match_a_key_pair_built_from_the_same_private_key()
    {
        Span<byte> ephemeralPrivate = stackalloc byte[X25519.KeySize];
        Span<byte> ephemeralPublic = stackalloc byte[X25519.KeySize];
        Span<byte> sent = stackalloc byte[X25519.KeySize];
        Span<byte> received = stackalloc byte[X25519.KeySize];
        using var recipient = X25519KeyPair.Generate();
        for (var i = 0; i < 20; i++)
        {
            X25519.Generate(ephemeralPrivate, ephemeralPublic);
            using var asPair = X25519KeyPair.Import(ephemeralPrivate);

            Assert.True(ephemeralPublic.SequenceEqual(asPair.PublicKey));
            Assert.True(X25519.TryAgree(ephemeralPrivate, recipient.PublicKey, sent));
            Assert.True(recipient.TryAgree(ephemeralPublic, received));
            Assert.True(sent.SequenceEqual(received));
            Assert.False(sent.SequenceEqual(new byte[X25519.KeySize]));
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_low_order_or_wrong_size_peer_key_is_refused_and_the_secret_cleared(int peerLength)
    {
        Span<byte> privateKey = stackalloc byte[X25519.KeySize];
        Span<byte> publicKey = stackalloc byte[X25519.KeySize];
        X25519.Generate(privateKey, publicKey);
        Span<byte> shared = stackalloc byte[X25519.KeySize];
        shared.Fill(0xAA);

        Assert.False(X25519.TryAgree(privateKey, new byte[peerLength], shared)); // 32 zero bytes: the all-zero point

        Assert.True(shared.SequenceEqual(new byte[X25519.KeySize]));
    }

    [Fact]
    public void A_private_key_or_destination_of_the_wrong_size_is_an_argument_error()
    {
        var publicKey = new byte[X25519.KeySize];
        Assert.Throws<ArgumentException>(() => X25519.DerivePublicKey(new byte[31], publicKey));
        Assert.Throws<ArgumentException>(() => X25519.TryAgree(new byte[32], publicKey, new byte[31]));
    }
}
