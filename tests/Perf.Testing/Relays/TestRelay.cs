using System.Net;
using System.Security.Cryptography;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;
using Relay.Server;

namespace Perf.Testing.Relays;

/// <summary>A real relay in this process on 127.0.0.1 (free ports) and helpers to connect identities to it.</summary>
public sealed class TestRelay : IAsyncDisposable
{
    private readonly bool _ownsKey;
    private readonly IAsyncDisposable? _store;

    private TestRelay(RelayServer server, X25519KeyPair key, bool ownsKey, byte[] secret, IAsyncDisposable? store)
    {
        Server = server;
        Key = key;
        _ownsKey = ownsKey;
        Secret = secret;
        _store = store;
    }

    /// <summary>The relay.</summary>
    public RelayServer Server { get; }

    /// <summary>Its static key.</summary>
    public X25519KeyPair Key { get; }

    /// <summary>Its WebSocket token secret.</summary>
    public byte[] Secret { get; }

    /// <summary>Client options that pin this relay's key.</summary>
    public RelayClientOptions ClientOptions => new() { RelayKey = Key.PublicKey.ToArray() };

    /// <summary>The WebSocket gateway's address.</summary>
    public Uri WsUri => new($"ws://{Server.WebSocketEndPoint}/ws");

    /// <summary>Starts a relay with a fresh key on both transports (5 s handshake timeout); <paramref name="configure"/> changes its options; <paramref name="logging"/> receives its log.</summary>
    public static Task<TestRelay> StartAsync(Func<RelayOptions, RelayOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerProvider? logging = null) => StartAsync(X25519KeyPair.Generate(), ownsKey: true, configure, store: null, logging);

    /// <summary>Starts a relay with <paramref name="key"/>; the relay disposes <paramref name="store"/> (when given) after itself, and the key only when it owns it.</summary>
    internal static async Task<TestRelay> StartAsync(X25519KeyPair key, bool ownsKey, Func<RelayOptions, RelayOptions>? configure, IAsyncDisposable? store, Microsoft.Extensions.Logging.ILoggerProvider? logging = null)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var options = new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            StaticKey = key,
            WebSocketSecret = secret,
            HandshakeTimeout = TimeSpan.FromSeconds(5),
        };
        return new TestRelay(await RelayServer.StartAsync(configure is null ? options : configure(options), logging), key, ownsKey, secret, store);
    }

    /// <summary>Connects <paramref name="identity"/> over Noise/TCP.</summary>
    public Task<RelayClientConnection> TcpAsync(X25519KeyPair identity) =>
        RelayClientConnection.ConnectTcpAsync(Server.TcpEndPoint, identity, ClientOptions, CancellationToken.None);

    /// <summary>Connects <paramref name="identity"/> over WebSocket with a token minted for five minutes.</summary>
    public Task<RelayClientConnection> WebSocketAsync(X25519KeyPair identity) =>
        RelayClientConnection.ConnectWebSocketAsync(WsUri, RelayToken.Mint(new Identity(identity.PublicKey), DateTimeOffset.UtcNow.AddMinutes(5), Secret), ClientOptions, CancellationToken.None);

    /// <summary>
    /// A messenger for <paramref name="identity"/> over <paramref name="transport"/> (<c>tcp</c>:
    /// Noise/TCP; <c>ws</c>: the WebSocket gateway) whose anonymous connections (sealed sender,
    /// conversations) go the same way.
    /// </summary>
    public RelayMessenger Messenger(X25519KeyPair identity, string transport, Relay.Crypto.E2e.E2eSessionOptions? options = null, Relay.Client.Conversations.ConversationOptions? conversations = null) => (transport == "tcp"
        ? new RelayMessenger(identity, _ => TcpAsync(identity), options ?? new(), connectAnonymous: ct => RelayClientConnection.ConnectAnonymousTcpAsync(Server.TcpEndPoint, ClientOptions, ct)) { ConversationOptions = conversations ?? Relay.Client.Conversations.ConversationOptions.Default }
        : new RelayMessenger(identity, _ => WebSocketAsync(identity), options ?? new(), connectAnonymous: ct => RelayClientConnection.ConnectWebSocketAsync(WsUri, null, ClientOptions, ct)) { ConversationOptions = conversations ?? Relay.Client.Conversations.ConversationOptions.Default });

    /// <summary>Stops the relay, then its store, then its key when it owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_ownsKey)
        {
            Key.Dispose();
        }
    }
}
