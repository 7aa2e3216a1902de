using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The relay's side of the Noise handshake (<see cref="HandshakeState.ReadMessage"/> as responder)
/// reading a hostile first or third message. The first input byte picks the case (protocol and
/// which message), the rest is the message. All keys, ephemerals included, are fixed, so every run
/// of an input takes the same path. Contract: only <see cref="NoiseException"/>, from reading or
/// from writing the answer; a third message that reads completes the handshake with a transport
/// that talks to the real initiator.
/// </summary>
internal sealed class NoiseHandshakeTarget : FuzzTarget
{
    private static readonly byte[] Prologue = "relay/1"u8.ToArray();
    private static readonly byte[] Hello = "hello"u8.ToArray();
    private static readonly X25519KeyPair ResponderStatic = FixedKeys.Make(0x10);
    private static readonly X25519KeyPair ResponderEphemeral = FixedKeys.Make(0x20);
    private static readonly X25519KeyPair InitiatorStatic = FixedKeys.Make(0x30);
    private static readonly X25519KeyPair InitiatorEphemeral = FixedKeys.Make(0x40);

    private static readonly Case[] Cases =
    [
        new(NoiseProtocol.XxAesGcm, ThirdMessage: false),
        new(NoiseProtocol.XxAesGcm, ThirdMessage: true),
        new(NoiseProtocol.XxChaChaPoly, ThirdMessage: false),
        new(NoiseProtocol.XxChaChaPoly, ThirdMessage: true),
        new(NoiseProtocol.Parse("Noise_IK_25519_AESGCM_SHA256"), ThirdMessage: false),
    ];

    /// <inheritdoc />
    public override string Name => "noise-handshake";

    /// <inheritdoc />
    public override string Description => "HandshakeState.ReadMessage as responder on a hostile message 1 or 3 (XX, IK): only NoiseException";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        // The channel's framing never hands the handshake more than one Noise message.
        if (input.IsEmpty || input.Length - 1 > NoiseProtocol.MaxMessageLength)
        {
            return;
        }

        var testCase = Cases[input[0] % Cases.Length];
        using var initiator = NewInitiator(testCase.Protocol);
        using var responder = new HandshakeState(testCase.Protocol, initiator: false, Prologue, ResponderStatic, default, AeadBackend.Sodium, ResponderEphemeral);
        var buffer = new byte[NoiseProtocol.MaxMessageLength];
        var payload = new byte[NoiseProtocol.MaxMessageLength];
        try
        {
            if (testCase.ThirdMessage)
            {
                // The real first two messages, then the hostile third.
                var length = initiator.WriteMessage(default, buffer);
                responder.ReadMessage(buffer.AsSpan(0, length), payload);
                length = responder.WriteMessage(default, buffer);
                initiator.ReadMessage(buffer.AsSpan(0, length), payload);
                initiator.WriteMessage(Hello, buffer);
            }

            responder.ReadMessage(input[1..], payload);
            if (!responder.IsComplete)
            {
                responder.WriteMessage(default, buffer);
            }
        }
        catch (NoiseException)
        {
            return;
        }

        ContractViolation.Require(responder.RemoteStaticKey.Length is 0 or 32, $"a remote static key of {responder.RemoteStaticKey.Length} bytes");
        if (responder.IsComplete && initiator.IsComplete)
        {
            CheckTransportsAgree(initiator, responder);
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        for (var index = 0; index < Cases.Length; index++)
        {
            var testCase = Cases[index];
            var name = $"{testCase.Protocol.Name}-{(testCase.ThirdMessage ? "msg3" : "msg1")}";
            var message = RealMessage(testCase);
            yield return new Seed(name, [(byte)index, .. message]);
            yield return new Seed(name + "-truncated", [(byte)index, .. message[..^1]]);
            var tampered = (byte[])message.Clone();
            tampered[^1] ^= 0x80;
            yield return new Seed(name + "-tampered", [(byte)index, .. tampered]);
        }

        // A low-order point as the initiator's ephemeral key: the responder's ee must refuse it.
        yield return new Seed("xx-msg1-zero-ephemeral", [0, .. new byte[32]]);
    }

    private static HandshakeState NewInitiator(NoiseProtocol protocol) =>
        new(protocol, initiator: true, Prologue, InitiatorStatic, protocol.Pattern.ResponderStaticIsKnown ? ResponderStatic.PublicKey : default, AeadBackend.Sodium, InitiatorEphemeral);

    // The message an honest initiator sends at that point (message 3 only after the fixed message 2).
    private static byte[] RealMessage(Case testCase)
    {
        using var initiator = NewInitiator(testCase.Protocol);
        using var responder = new HandshakeState(testCase.Protocol, initiator: false, Prologue, ResponderStatic, default, AeadBackend.Sodium, ResponderEphemeral);
        var buffer = new byte[NoiseProtocol.MaxMessageLength];
        var payload = new byte[NoiseProtocol.MaxMessageLength];
        var length = initiator.WriteMessage(Hello, buffer);
        if (!testCase.ThirdMessage)
        {
            return buffer[..length];
        }

        responder.ReadMessage(buffer.AsSpan(0, length), payload);
        length = responder.WriteMessage(default, buffer);
        initiator.ReadMessage(buffer.AsSpan(0, length), payload);
        length = initiator.WriteMessage(Hello, buffer);
        return buffer[..length];
    }

    private static void CheckTransportsAgree(HandshakeState initiator, HandshakeState responder)
    {
        using var client = initiator.Split();
        using var relay = responder.Split();
        var message = "ping"u8;
        var sealedMessage = new byte[message.Length + 16];
        var opened = new byte[message.Length];
        client.Encrypt(message, sealedMessage);
        ContractViolation.Require(relay.Decrypt(sealedMessage, opened) == message.Length && opened.AsSpan().SequenceEqual(message), "after a completed handshake the relay cannot read the initiator's transport message");
    }

    private sealed record Case(NoiseProtocol Protocol, bool ThirdMessage);
}
