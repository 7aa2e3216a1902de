using CsCheck;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Relay.Crypto.Tests.Noise;

/// <summary>
/// Properties of the Noise handshake as the relay (responder) runs it: any payloads go through an
/// honest handshake and its transports talk; a hostile, truncated, extended or bit-flipped message
/// gives a <see cref="NoiseException"/> and never a completed handshake.
/// </summary>
public sealed class NoiseHandshakePropertyTests
{
    private static readonly NoiseProtocol[] Protocols =
    [
        NoiseProtocol.XxAesGcm,
        NoiseProtocol.XxChaChaPoly,
        NoiseProtocol.Parse("Noise_IK_25519_AESGCM_SHA256"),
        NoiseProtocol.Parse("Noise_NN_25519_ChaChaPoly_SHA256"),
    ];

    private static readonly Gen<NoiseProtocol> AnyProtocol = Gen.OneOf(Protocols);
    private static readonly Gen<NoiseProtocol> Xx = Gen.OneOf(NoiseProtocol.XxAesGcm, NoiseProtocol.XxChaChaPoly);

    [Fact]
    public void Any_payloads_go_through_a_handshake_whose_transports_talk() =>
        Gen.Select(AnyProtocol, Gen.Byte.Array[0, 200].Array[3], Gen.Byte.Array[0, 200]).Sample((protocol, payloads, message) =>
        {
            using var pair = new Pair(protocol);
            var index = 0;
            while (!pair.Initiator.IsComplete)
            {
                Assert.Equal(payloads[index], pair.Step(payloads[index]));
                index++;
            }

            Assert.True(pair.Responder.IsComplete);
            Assert.Equal(pair.Initiator.HandshakeHash.ToArray(), pair.Responder.HandshakeHash.ToArray());
            using var client = pair.Initiator.Split();
            using var relay = pair.Responder.Split();
            var sealedMessage = new byte[message.Length + 16];
            var opened = new byte[message.Length];
            client.Encrypt(message, sealedMessage);
            Assert.Equal(message.Length, relay.Decrypt(sealedMessage, opened));
            Assert.Equal(message, opened);
        }, iter: 150);

    [Fact]
    public void A_third_message_with_any_bit_changed_is_refused() =>
        Gen.Select(Xx, Gen.Byte.Array[0, 64], Gen.Int[0, int.MaxValue]).Sample((protocol, payload, position) =>
        {
            using var pair = new Pair(protocol);
            pair.Step(payload);
            pair.Step(payload);
            var third = pair.Write(payload);
            var bit = position % (third.Length * 8);
            third[bit / 8] ^= (byte)(1 << (bit % 8));
            AssertRefused(pair.Responder, third, NoiseError.DecryptFailed);
        }, iter: 100);

    [Fact]
    public void A_truncated_or_extended_third_message_is_refused() =>
        Gen.Select(Xx, Gen.Byte.Array[0, 64], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 32]).Sample((protocol, payload, cut, extra) =>
        {
            using var pair = new Pair(protocol);
            pair.Step(payload);
            pair.Step(payload);
            var third = pair.Write(payload);
            AssertRefused(pair.Responder, third[..(cut % third.Length)], NoiseError.Truncated, NoiseError.DecryptFailed);

            using var again = new Pair(protocol);
            again.Step(payload);
            again.Step(payload);
            AssertRefused(again.Responder, [.. again.Write(payload), .. extra], NoiseError.DecryptFailed);
        }, iter: 100);

    [Fact]
    public void A_first_message_shorter_than_an_ephemeral_key_is_truncated() =>
        Gen.Select(AnyProtocol, Gen.Byte.Array[0, 31]).Sample((protocol, message) =>
        {
            using var pair = new Pair(protocol);
            AssertRefused(pair.Responder, message, NoiseError.Truncated);
        }, iter: 300);

    [Fact]
    public void Arbitrary_first_or_third_messages_throw_only_noise_exceptions() =>
        Gen.Select(AnyProtocol, Gen.Byte.Array[0, 200], Gen.Bool).Sample((protocol, message, third) =>
        {
            using var pair = new Pair(protocol);
            if (third && protocol.Pattern.Messages.Count == 3)
            {
                pair.Step([]);
                pair.Step([]);
            }

            try
            {
                // A payload is never longer than its message; an answer is at most 3 keys and 3 tags.
                pair.Responder.ReadMessage(message, new byte[message.Length]);
                if (!pair.Responder.IsComplete)
                {
                    // Answering a hostile first message must fail cleanly too (a low-order key, say).
                    pair.Responder.WriteMessage(default, new byte[pair.Responder.MaxMessageSize(0)]);
                }
            }
            catch (NoiseException)
            {
            }
        }, iter: 300);

    private static void AssertRefused(HandshakeState responder, byte[] message, params NoiseError[] expected)
    {
        var error = Assert.Throws<NoiseException>(() => responder.ReadMessage(message, new byte[message.Length]));
        Assert.Contains(error.Error, expected);
        Assert.False(responder.IsComplete);
    }

    /// <summary>An initiator and a responder (the relay) with fresh keys; <see cref="Step"/> sends one message the pattern's way.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly X25519KeyPair _initiatorKey = X25519KeyPair.Generate();
        private readonly X25519KeyPair _responderKey = X25519KeyPair.Generate();

        public Pair(NoiseProtocol protocol)
        {
            var knowsResponder = protocol.Pattern.ResponderStaticIsKnown;
            Initiator = new HandshakeState(protocol, true, "relay/1"u8, _initiatorKey, knowsResponder ? _responderKey.PublicKey : default, AeadBackend.Sodium);
            Responder = new HandshakeState(protocol, false, "relay/1"u8, _responderKey, default, AeadBackend.Sodium);
        }

        public HandshakeState Initiator { get; }

        public HandshakeState Responder { get; }

        /// <summary>Writes the next message (whoever's turn it is) and returns it without delivering it.</summary>
        public byte[] Write(byte[] payload)
        {
            var buffer = new byte[payload.Length + 256];
            var writer = Initiator.IsMyTurn ? Initiator : Responder;
            return buffer[..writer.WriteMessage(payload, buffer)];
        }

        /// <summary>Writes the next message and delivers it; returns the payload the reader got.</summary>
        public byte[] Step(byte[] payload)
        {
            var reader = Initiator.IsMyTurn ? Responder : Initiator;
            var message = Write(payload);
            var received = new byte[message.Length];
            return received[..reader.ReadMessage(message, received)];
        }

        public void Dispose()
        {
            Initiator.Dispose();
            Responder.Dispose();
            _initiatorKey.Dispose();
            _responderKey.Dispose();
        }
    }
}
