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

    /// <summary>
    /// Where held messages live: <c>null</c> for the in-memory store with <see cref="Mailbox"/>'s
    /// bounds (the default); a durable store (JetStream) otherwise. The caller owns and disposes it.
    /// </summary>
    public IMailboxStore? Store { get; init; }

    /// <summary>How long a client may take to finish the Noise handshake or the WebSocket upgrade (and how long an HTTP connection may sit between requests).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An authenticated connection that sends nothing, not even PING, for this long is closed (ERROR <c>IdleTimeout</c>). Clients PING below it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Open connections (TCP and WebSocket together) beyond which new ones are closed at once, before any handshake work.</summary>
    public int MaxConnections { get; init; } = 200_000;

    /// <summary>DELIVERs a connection may have unacknowledged; past it the relay waits for ACKs before delivering more.</summary>
    public int MaxDeliversInFlight { get; init; } = 1000;

    /// <summary>How often the relay expires old messages and forgets unused empty mailboxes.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes a connection's input pipe buffers before Kestrel stops reading the socket (pause threshold).</summary>
    public long MaxInputBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes a connection's output pipe buffers before a write waits for the socket (pause threshold).</summary>
    public long MaxOutputBufferBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Connection middleware placed in front of the TCP endpoint's handler (Kestrel's
    /// <c>ListenOptions.Use</c>): e.g. to record or inspect the raw bytes a connection carries.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate>? TcpMiddleware { get; init; }

    /// <summary>
    /// Serve the meters as Prometheus text at <c>/metrics</c> on the WebSocket listener (<c>perf relay</c>
    /// turns it on). Off by default: a listener on the meter costs every counter update a little,
    /// which embedded relays used as measured targets need not pay.
    /// </summary>
    public bool PrometheusMetrics { get; init; }

    /// <summary>Meters exported at <c>/metrics</c> beside <c>Relay.Server</c> (the store's own, say <c>Relay.Store.Nats</c>).</summary>
    public IReadOnlyList<string> ExportedMeters { get; init; } = [];

    /// <summary>When set, one JSON line per accepted SEND or SEALED_SEND is appended to this file (the relay's view of metadata; no secrets).</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>How long a sender certificate the relay issues stays valid.</summary>
    public TimeSpan SenderCertificateLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Run each connection's code on the thread that completed its socket read (Kestrel's
    /// <c>UnsafePreferInlineScheduling</c>), and wake the writers a read batch made work for on
    /// that thread once the batch is used up, instead of handing every step to the thread pool.
    /// On (the default), a message costs about one context switch instead of eight to twelve at
    /// low rates, so the relay's CPU per message no longer depends on the rate. The relay's code
    /// never blocks a thread, which this needs. Off: the classic thread-pool hand-offs.
    /// </summary>
    public bool InlineScheduling { get; init; } = true;

    /// <summary>Largest WebSocket message accepted, in bytes.</summary>
    public int MaxWebSocketMessageBytes { get; init; } = 70_000;
}
