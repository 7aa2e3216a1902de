using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Perf.Benchmarks.Noise;

/// <summary>A full XX handshake in memory (both sides, three messages), per cipher function.</summary>
[BenchmarkCategory("Noise")]
public class NoiseHandshakeBenchmarks
{
    private X25519KeyPair _initiatorKey = null!;
    private X25519KeyPair _responderKey = null!;
    private NoiseProtocol _protocol = null!;
    private readonly byte[] _message = new byte[256];
    private readonly byte[] _payload = new byte[256];

    /// <summary>The protocol.</summary>
    [Params("Noise_XX_25519_AESGCM_SHA256", "Noise_XX_25519_ChaChaPoly_SHA256")]
    public string Protocol { get; set; } = "Noise_XX_25519_AESGCM_SHA256";

    /// <summary>Creates both static keys.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _protocol = NoiseProtocol.Parse(Protocol);
        _initiatorKey = X25519KeyPair.Generate();
        _responderKey = X25519KeyPair.Generate();
    }

    /// <summary>Releases the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _initiatorKey.Dispose();
        _responderKey.Dispose();
    }

    /// <summary>Both sides, all three messages, then Split.</summary>
    [Benchmark]
    public int FullHandshake()
    {
        using var initiator = new HandshakeState(_protocol, true, "relay/1"u8, _initiatorKey, default, AeadBackend.Sodium);
        using var responder = new HandshakeState(_protocol, false, "relay/1"u8, _responderKey, default, AeadBackend.Sodium);
        var length = initiator.WriteMessage(default, _message);
        responder.ReadMessage(_message.AsSpan(0, length), _payload);
        length = responder.WriteMessage(default, _message);
        initiator.ReadMessage(_message.AsSpan(0, length), _payload);
        length = initiator.WriteMessage(default, _message);
        responder.ReadMessage(_message.AsSpan(0, length), _payload);
        using var a = initiator.Split();
        using var b = responder.Split();
        return length;
    }
}

/// <summary>Noise transport encrypt then decrypt of one message (the relay's per-hop crypto cost).</summary>
[BenchmarkCategory("Noise")]
public class NoiseTransportBenchmarks
{
    private NoiseTransport _sender = null!;
    private NoiseTransport _receiver = null!;
    private byte[] _plaintext = null!;
    private byte[] _message = null!;
    private byte[] _opened = null!;

    /// <summary>Cipher function and backend, as <c>cipher/backend</c>.</summary>
    [Params("AESGCM/sodium", "AESGCM/openssl", "ChaChaPoly/sodium", "ChaChaPoly/openssl")]
    public string Cipher { get; set; } = "AESGCM/sodium";

    /// <summary>Plaintext size in bytes.</summary>
    [Params(256, 16384)]
    public int Size { get; set; }

    /// <summary>Completes a handshake and keeps both transports.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Cipher.Split('/');
        var protocol = NoiseProtocol.Parse($"Noise_XX_25519_{parts[0]}_SHA256");
        var backend = AeadBackend.Parse(parts[1]);
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        using var initiator = new HandshakeState(protocol, true, default, a, default, backend);
        using var responder = new HandshakeState(protocol, false, default, b, default, backend);
        var buffer = new byte[256];
        var payload = new byte[256];
        while (!initiator.IsComplete)
        {
            var (writer, reader) = initiator.IsMyTurn ? (initiator, responder) : (responder, initiator);
            reader.ReadMessage(buffer.AsSpan(0, writer.WriteMessage(default, buffer)), payload);
        }

        _sender = initiator.Split();
        _receiver = responder.Split();
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _message = new byte[Size + 16];
        _opened = new byte[Size];
    }

    /// <summary>Wipes the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    /// <summary>Encrypt on one side, decrypt on the other.</summary>
    [Benchmark]
    public int EncryptDecrypt() => _receiver.Decrypt(_message.AsSpan(0, _sender.Encrypt(_plaintext, _message)), _opened);
}
