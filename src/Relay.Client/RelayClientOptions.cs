using Relay.Crypto.Aead;
using Relay.Protocol.Frames;

namespace Relay.Client;

/// <summary>How a client connects.</summary>
public sealed record RelayClientOptions
{
    /// <summary>The Noise cipher; must match the relay's <c>--cipher</c> (AES-256-GCM by default, as the relay).</summary>
    public AeadAlgorithm Cipher { get; init; } = AeadAlgorithm.Aes256Gcm;

    /// <summary>The AEAD backend.</summary>
    public AeadBackend Backend { get; init; } = AeadBackend.Auto;

    /// <summary>The relay's static public key to pin (TCP); empty accepts any relay (tests only).</summary>
    public ReadOnlyMemory<byte> RelayKey { get; init; }

    /// <summary>How long connecting and the handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frame limits for what the relay sends.</summary>
    public FrameLimits Frames { get; init; } = FrameLimits.Default;

    /// <summary>Largest WebSocket message accepted.</summary>
    public int MaxWebSocketMessageBytes { get; init; } = 70_000;
}
