using System.Net;
using Microsoft.AspNetCore.Connections;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Server;

/// <summary>The relay's settings; every limit is an option with a default.</summary>
public sealed record RelayOptions
{
    /// <summary>The Noise/TCP endpoint (port 0 picks a free port).</summary>
    public IPEndPoint TcpEndPoint { get; init; } = new(IPAddress.Loopback, 7400);

    /// <summary>The WebSocket endpoint (port 0 picks a free port); <c>null</c> for none.</summary>
    public IPEndPoint? WebSocketEndPoint { get; init; } = new(IPAddress.Loopback, 7401);

    /// <summary>The Noise cipher: AES-256-GCM (as WhatsApp) or ChaCha20-Poly1305.</summary>
    public AeadAlgorithm Cipher { get; init; } = AeadAlgorithm.Aes256Gcm;

    /// <summary>The AEAD backend of the transport cipher states.</summary>
    public AeadBackend Backend { get; init; } = AeadBackend.Auto;

    /// <summary>The relay's static key pair (clients pin its public key). Required.</summary>
    public X25519KeyPair? StaticKey { get; init; }

    /// <summary>The secret WebSocket tokens are signed with (at least 16 bytes). Required for the WebSocket endpoint.</summary>
    public byte[]? WebSocketSecret { get; init; }

    /// <summary>Mailbox bounds per identity.</summary>
    public MailboxLimits Mailbox { get; init; } = new();

    /// <summary>Frame limits.</summary>
    public FrameLimits Frames { get; init; } = FrameLimits.Default;

    /// <summary>How long a client may take to finish the Noise handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes a connection's input pipe buffers before Kestrel stops reading the socket (pause threshold).</summary>
    public long MaxInputBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes a connection's output pipe buffers before a write waits for the socket (pause threshold).</summary>
    public long MaxOutputBufferBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Connection middleware placed in front of the TCP endpoint's handler (Kestrel's
    /// <c>ListenOptions.Use</c>): e.g. to record or inspect the raw bytes a connection carries.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate>? TcpMiddleware { get; init; }

    /// <summary>When set, one JSON line per accepted SEND or SEALED_SEND is appended to this file (the relay's view of metadata; no secrets).</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>How long a sender certificate the relay issues stays valid.</summary>
    public TimeSpan SenderCertificateLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Largest WebSocket message accepted, in bytes.</summary>
    public int MaxWebSocketMessageBytes { get; init; } = 70_000;
}
