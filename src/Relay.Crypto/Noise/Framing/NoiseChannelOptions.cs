using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Noise.Framing;

/// <summary>How a <see cref="NoiseChannel"/> handshakes and what it accepts.</summary>
public sealed record NoiseChannelOptions
{
    /// <summary>The protocol; the relay speaks XX with AESGCM (default) or ChaChaPoly.</summary>
    public NoiseProtocol Protocol { get; init; } = NoiseProtocol.XxAesGcm;

    /// <summary>The AEAD backend of the cipher states.</summary>
    public AeadBackend Backend { get; init; } = AeadBackend.Auto;

    /// <summary>This side's static key pair (its identity). Required.</summary>
    public X25519KeyPair? StaticKey { get; init; }

    /// <summary>Data both sides must agree on; the relay uses ASCII <c>relay/1</c>.</summary>
    public ReadOnlyMemory<byte> Prologue { get; init; } = "relay/1"u8.ToArray();

    /// <summary>The peer's static public key to insist on (pinning); empty accepts any.</summary>
    public ReadOnlyMemory<byte> ExpectedRemoteStaticKey { get; init; }

    /// <summary>The payload this side sends in its handshake messages (empty by default: any Noise library can connect).</summary>
    public ReadOnlyMemory<byte> HandshakePayload { get; init; }

    /// <summary>
    /// When set, the payload of the handshake's final message if this side writes it (XX: the
    /// initiator's third message, encrypted under keys both static keys contributed to), instead
    /// of <see cref="HandshakePayload"/>: what a client says to the relay that an eavesdropper must
    /// not read (the relay's anonymous-connection flag).
    /// </summary>
    public ReadOnlyMemory<byte>? FinalHandshakePayload { get; init; }

    /// <summary>How long the whole handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest frame accepted, at most Noise's 65535 bytes.</summary>
    public int MaxMessageLength { get; init; } = NoiseProtocol.MaxMessageLength;
}
