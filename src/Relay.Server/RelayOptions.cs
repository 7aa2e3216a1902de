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

    /// <summary>
    /// SEND and SEALED_SEND frames a connection may send a second, sustained (a token bucket of
    /// <see cref="SendBurstPerConnection"/>); past it a SEND is answered REJECTED <c>RateLimited</c>
    /// and the connection stays open. 0: no limit. The default, 100 a second, is far above a person
    /// typing and a phone catching up on its outbox; one load-test connection carrying thousands of
    /// simulated users needs the limit off.
    /// </summary>
    public double SendRatePerConnection { get; init; } = 100;

    /// <summary>
    /// SENDs a connection may send at once before <see cref="SendRatePerConnection"/> applies. The
    /// default, 2,000, covers one message to the largest group (1,000 members, a SEND per recipient
    /// device) from a connection that sent nothing for a while.
    /// </summary>
    public int SendBurstPerConnection { get; init; } = 2000;

    /// <summary>
    /// Handshakes a second a source address (<see cref="SourcePrefixLengthIPv4"/>,
    /// <see cref="SourcePrefixLengthIPv6"/>) may leave unfinished, sustained, on both listeners:
    /// each new connection takes a token before the relay reads a byte of it (so a refused one costs
    /// no Diffie-Hellman work) and a handshake that finishes gives it back unless the relay is busy
    /// (<see cref="HandshakeBusyThreshold"/>). 0: no limit. The default, 20 a second (WireGuard's
    /// per-address rate under load), is under 1 % of a core of handshake work per source at the
    /// ~380 µs a handshake costs; garbage, a first message and silence, and timeouts count, a crowd
    /// of clients behind one NAT address that complete their handshakes does not.
    /// </summary>
    public double HandshakeRatePerSource { get; init; } = 20;

    /// <summary>
    /// The most handshake tokens a source holds: how many handshakes it may have unfinished at once
    /// and how many it may fail in a burst before <see cref="HandshakeRatePerSource"/> applies. The
    /// default, 500, is about 0.2 s of one core's handshake work, and above the 256 handshakes the
    /// harness's own idle-connection pool keeps in flight from one address.
    /// </summary>
    public int HandshakeBurstPerSource { get; init; } = 500;

    /// <summary>
    /// Unfinished handshakes, across all sources, at which the relay is busy: while it is, a
    /// handshake that finishes keeps its token spent (every handshake counts against its source's
    /// rate, as WireGuard rate-limits every address under load) and a new handshake must finish
    /// within <see cref="BusyHandshakeTimeout"/>. The default, 1,000, is about 0.4 s of one core's
    /// handshake work queued, or the state of twice one source's burst: many sources at once.
    /// </summary>
    public int HandshakeBusyThreshold { get; init; } = 1000;

    /// <summary>How long a handshake that starts while the relay is busy may take (instead of <see cref="HandshakeTimeout"/>); 1.5 round trips of a slow mobile link fit.</summary>
    public TimeSpan BusyHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Anonymous (sealed-sender) connections one source address may hold open; past it a new one is
    /// closed after its handshake with ERROR <c>SourceLimit</c> (TCP) or refused with HTTP 429
    /// before the upgrade (WebSocket). 0: no cap. The default, 1,000, is a carrier-grade NAT
    /// address's subscribers each holding one.
    /// </summary>
    public int MaxAnonymousConnectionsPerSource { get; init; } = 1000;

    /// <summary>Leading bits of an IPv4 address that make one source for the per-source limits (32: each address).</summary>
    public int SourcePrefixLengthIPv4 { get; init; } = 32;

    /// <summary>Leading bits of an IPv6 address that make one source (64: a subscriber's network, whose addresses one host can use at will).</summary>
    public int SourcePrefixLengthIPv6 { get; init; } = 64;

    /// <summary>
    /// Log lines a second for connections refused or closed for bad input (each line: connection id,
    /// source, reason); past it the closes are counted and one summary line a second says how many
    /// were left out. 0: only the summary lines. /metrics counts every close either way.
    /// </summary>
    public int CloseLogLinesPerSecond { get; init; } = 20;

    /// <summary>
    /// Write the relay's log (closes for bad input and limits, warnings) to standard output in one
    /// line per event; <c>perf relay</c> turns it on. Off by default: embedded relays log only to a
    /// provider passed to <see cref="RelayServer.StartAsync"/>.
    /// </summary>
    public bool ConsoleLog { get; init; }

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

    /// <summary>When set, one JSON line per accepted SEND, SEALED_SEND or MAILBOX_SEND, per connection opened and closed and per mailbox opened is appended to this file (the relay's view of metadata; no secrets).</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>How long a sender certificate the relay issues stays valid.</summary>
    public TimeSpan SenderCertificateLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a delivery-token verifier lives after it was last registered (SET_DELIVERY_VERIFIER).
    /// It outlives its identity's mailbox on purpose (sealed senders must reach a recipient that is
    /// offline with an empty mailbox); clients register it again on every connection, and the sweep
    /// forgets verifiers older than this. The default, 7 days, is the default message age limit.
    /// </summary>
    public TimeSpan DeliveryVerifierLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The furthest ahead a conversation mailbox may expire when it is opened (OPEN_MAILBOX): its
    /// expiry is part of its address, so this bounds how long a mailbox can take messages. Clients
    /// rotate mailboxes well before (docs/protocol.md). The default is 7 days.
    /// </summary>
    public TimeSpan MaxMailboxLifetime { get; init; } = TimeSpan.FromDays(7);

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
