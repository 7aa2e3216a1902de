using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Perf.Benchmarks.Relay;

/// <summary>
/// The relay's per-message path in memory, without sockets: the sender's hop-1 Noise seal of a
/// SEND frame, then what the relay does — hop-1 Noise open, frame parse, route into the
/// recipient's mailbox, pull, DELIVER frame write, hop-2 Noise seal — and the recipient's ACK.
/// <see cref="SenderSealOnly"/> is the first hop alone (the sender's seal and the relay's open of
/// the SEND), so the difference is parse, route, pull, DELIVER write and hop-2 seal, plus the
/// recipient's open. Held messages and their buffers are pooled: 0 B per message.
/// </summary>
[BenchmarkCategory("Relay")]
public class RelayPathBenchmarks
{
    private readonly byte[] _envelope = RandomNumberGenerator.GetBytes(256);
    private readonly ArrayBufferWriter<byte> _frame = new(1024);
    private readonly byte[] _wire = new byte[2048];
    private readonly byte[] _plain = new byte[2048];
    private readonly HeldMessage?[] _pulled = new HeldMessage?[1];
    private NoiseTransport _senderToRelay = null!;
    private NoiseTransport _relayFromSender = null!;
    private NoiseTransport _relayToRecipient = null!;
    private NoiseTransport _recipientFromRelay = null!;
    private RelayRouter _router = null!;
    private Identity _sender;
    private Identity _recipient;
    private ulong _cursor;

    /// <summary>Noise cipher and backend.</summary>
    [Params("AESGCM/sodium", "ChaChaPoly/sodium")]
    public string Cipher { get; set; } = "AESGCM/sodium";

    /// <summary>Two completed handshakes (sender–relay, relay–recipient) and an empty router.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Cipher.Split('/');
        var protocol = NoiseProtocol.Parse($"Noise_XX_25519_{parts[0]}_SHA256");
        var backend = AeadBackend.Parse(parts[1]);
        (_senderToRelay, _relayFromSender) = Handshake(protocol, backend);
        (_relayToRecipient, _recipientFromRelay) = Handshake(protocol, backend);
        _router = new RelayRouter(new MailboxLimits());
        _sender = new Identity(RandomNumberGenerator.GetBytes(32));
        _recipient = new Identity(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>Wipes the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _senderToRelay.Dispose();
        _relayFromSender.Dispose();
        _relayToRecipient.Dispose();
        _recipientFromRelay.Dispose();
    }

    /// <summary>The first hop: the sender's seal of a SEND frame (256-byte envelope) and the relay's open of it.</summary>
    [Benchmark(Baseline = true)]
    public int SenderSealOnly()
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteSend(_frame, 1, _recipient, _envelope);
        var length = _senderToRelay.Encrypt(_frame.WrittenSpan, _wire);
        _relayFromSender.Decrypt(_wire.AsSpan(0, length), _plain);
        return length;
    }

    /// <summary>Sender seal, then the relay's open, parse, route, pull, DELIVER write and hop-2 seal, and the recipient's ACK.</summary>
    [Benchmark]
    public int ForwardOneMessage()
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteSend(_frame, 1, _recipient, _envelope);
        var length = _senderToRelay.Encrypt(_frame.WrittenSpan, _wire);

        // The relay.
        var plainLength = _relayFromSender.Decrypt(_wire.AsSpan(0, length), _plain);
        FrameCodec.TryRead(new ReadOnlySequence<byte>(_plain, 0, plainLength), FrameLimits.Default, out var send);
        var outcome = _router.Send(_sender, send.Identity, send.Envelope);
        _router.TakePending(_recipient, _cursor, _pulled);
        var held = _pulled[0]!;
        _frame.ResetWrittenCount();
        FrameCodec.WriteDeliver(_frame, held.RelayMessageId, held.Sender, held.SealedSender, held.Envelope);
        var outLength = _relayToRecipient.Encrypt(_frame.WrittenSpan, _wire);
        _cursor = held.RelayMessageId;
        held.Release();

        // The recipient reads it and acknowledges it, so the mailbox stays empty.
        _recipientFromRelay.Decrypt(_wire.AsSpan(0, outLength), _plain);
        _router.Ack(_recipient, outcome.RelayMessageId);
        return outLength;
    }

    private static (NoiseTransport Initiator, NoiseTransport Responder) Handshake(NoiseProtocol protocol, AeadBackend backend)
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        using var initiator = new HandshakeState(protocol, true, "relay/1"u8, a, default, backend);
        using var responder = new HandshakeState(protocol, false, "relay/1"u8, b, default, backend);
        var buffer = new byte[256];
        var payload = new byte[256];
        while (!initiator.IsComplete)
        {
            var (writer, reader) = initiator.IsMyTurn ? (initiator, responder) : (responder, initiator);
            reader.ReadMessage(buffer.AsSpan(0, writer.WriteMessage(default, buffer)), payload);
        }

        return (initiator.Split(), responder.Split());
    }
}
