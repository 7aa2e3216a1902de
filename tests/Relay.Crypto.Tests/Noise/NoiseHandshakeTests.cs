using Perf.Testing.Allocations;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Relay.Crypto.Tests.Noise;

public sealed class NoiseHandshakeTests
{
    internal static (NoiseTransport Initiator, NoiseTransport Responder, byte[] InitiatorSeesResponder, byte[] ResponderSeesInitiator) Xx(NoiseProtocol protocol, AeadBackend backend)
    {
        using var initiatorKey = X25519KeyPair.Generate();
        using var responderKey = X25519KeyPair.Generate();
        using var initiator = new HandshakeState(protocol, true, "relay/1"u8, initiatorKey, default, backend);
        using var responder = new HandshakeState(protocol, false, "relay/1"u8, responderKey, default, backend);
        var buffer = new byte[512];
        var payload = new byte[512];
        while (!initiator.IsComplete)
        {
            var (writer, reader) = initiator.IsMyTurn ? (initiator, responder) : (responder, initiator);
            var length = writer.WriteMessage(default, buffer);
            Assert.Equal(0, reader.ReadMessage(buffer.AsSpan(0, length), payload));
        }

        Assert.True(responder.IsComplete);
        Assert.Equal(responderKey.PublicKey.ToArray(), initiator.RemoteStaticKey.ToArray());
        Assert.Equal(initiatorKey.PublicKey.ToArray(), responder.RemoteStaticKey.ToArray());
        return (initiator.Split(), responder.Split(), initiator.RemoteStaticKey.ToArray(), responder.RemoteStaticKey.ToArray());
    }

    [Theory]
    [InlineData("Noise_XX_25519_AESGCM_SHA256", "sodium")]
    [InlineData("Noise_XX_25519_ChaChaPoly_SHA256", "openssl")]
    public void An_xx_handshake_proves_both_static_keys_and_the_transport_works_both_ways(string name, string backend)
    {
        var (i, r, _, _) = Xx(NoiseProtocol.Parse(name), AeadBackend.Parse(backend));
        using (i)
        using (r)
        {
            var message = new byte[100];
            var opened = new byte[100];
            var length = i.Encrypt("to responder"u8, message);
            Assert.Equal("to responder"u8.Length, r.Decrypt(message.AsSpan(0, length), opened));
            length = r.Encrypt("to initiator"u8, message);
            Assert.Equal("to initiator"u8.ToArray(), opened.AsSpan(0, i.Decrypt(message.AsSpan(0, length), opened)).ToArray());
        }
    }

    [Fact]
    public void Out_of_turn_and_after_completion_messages_are_unexpected()
    {
        using var key = X25519KeyPair.Generate();
        using var responder = new HandshakeState(NoiseProtocol.XxAesGcm, false, default, key, default, AeadBackend.Sodium);
        var ex = Assert.Throws<NoiseException>(() => responder.WriteMessage(default, new byte[200]));
        Assert.Equal(NoiseError.UnexpectedMessage, ex.Error);
    }

    [Fact]
    public void A_truncated_or_tampered_handshake_message_is_refused()
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        using var initiator = new HandshakeState(NoiseProtocol.XxAesGcm, true, default, a, default, AeadBackend.Sodium);
        using var responder = new HandshakeState(NoiseProtocol.XxAesGcm, false, default, b, default, AeadBackend.Sodium);
        var buffer = new byte[300];
        var length = initiator.WriteMessage(default, buffer);
        Assert.Equal(NoiseError.Truncated, Assert.Throws<NoiseException>(() => responder.ReadMessage(buffer.AsSpan(0, length - 1), new byte[300])).Error);

        using var responder2 = new HandshakeState(NoiseProtocol.XxAesGcm, false, default, b, default, AeadBackend.Sodium);
        responder2.ReadMessage(buffer.AsSpan(0, length), new byte[300]);
        var second = responder2.WriteMessage(default, buffer);
        buffer[40] ^= 1;
        Assert.Equal(NoiseError.DecryptFailed, Assert.Throws<NoiseException>(() => initiator.ReadMessage(buffer.AsSpan(0, second), new byte[300])).Error);
    }

    [Fact]
    public void Unsupported_protocol_names_are_refused_clearly()
    {
        var ex = Assert.Throws<NoiseException>(() => NoiseProtocol.Parse("Noise_XX_448_AESGCM_SHA512"));
        Assert.Equal(NoiseError.UnsupportedProtocol, ex.Error);
        Assert.Contains("Noise_{NN,XX,IK}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_nonce_refuses_to_reach_its_reserved_maximum()
    {
        using var state = new CipherState(AeadAlgorithm.ChaCha20Poly1305, AeadBackend.Sodium);
        state.InitializeKey(RandomNumberGenerator.GetBytes(32));
        state.SetNonce(ulong.MaxValue - 1);
        var output = new byte[32];
        state.EncryptWithAd(default, new byte[4], output);
        Assert.Equal(NoiseError.NonceExhausted, Assert.Throws<NoiseException>(() => state.EncryptWithAd(default, new byte[4], output)).Error);
    }

    [Fact]
    public void Rekey_changes_the_key_on_both_sides_alike()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var sender = new CipherState(AeadAlgorithm.Aes256Gcm, AeadBackend.DotNet);
        using var receiver = new CipherState(AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
        sender.InitializeKey(key);
        receiver.InitializeKey(key);
        var before = new byte[20];
        sender.EncryptWithAd(default, new byte[4], before);
        receiver.DecryptWithAd(default, before, new byte[4]);

        sender.Rekey();
        receiver.Rekey();
        var after = new byte[20];
        sender.EncryptWithAd(default, new byte[4], after);

        Assert.Equal(4, receiver.DecryptWithAd(default, after, new byte[4]));
        receiver.SetNonce(1);
        receiver.Rekey();
        Assert.Throws<NoiseException>(() => receiver.DecryptWithAd(default, after, new byte[4]));
    }

    [Fact]
    public void Transport_messages_over_the_noise_limit_are_refused()
    {
        var (i, r, _, _) = Xx(NoiseProtocol.XxAesGcm, AeadBackend.Sodium);
        using (i)
        using (r)
        {
            var ex = Assert.Throws<NoiseException>(() => i.Encrypt(new byte[NoiseTransport.MaxPlaintextLength + 1], new byte[70_000]));
            Assert.Equal(NoiseError.MessageTooLarge, ex.Error);
            Assert.Equal(65535, i.Encrypt(new byte[NoiseTransport.MaxPlaintextLength], new byte[70_000]));
        }
    }

    [Fact]
    public void Transport_encrypt_and_decrypt_allocate_nothing()
    {
        var (i, r, _, _) = Xx(NoiseProtocol.XxAesGcm, AeadBackend.Sodium);
        using (i)
        using (r)
        {
            var plaintext = new byte[256];
            var message = new byte[272];
            var opened = new byte[256];
            Allocations.AssertNone(() => r.Decrypt(message.AsSpan(0, i.Encrypt(plaintext, message)), opened), warmUpCalls: 1);
        }
    }
}
