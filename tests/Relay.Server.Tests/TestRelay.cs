using System.Net;
using System.Security.Cryptography;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Protocol.Tokens;
using Relay.Server;

namespace Relay.Server.Tests;

/// <summary>A real relay on 127.0.0.1 (free ports) and helpers to connect identities to it.</summary>
internal sealed class TestRelay : IAsyncDisposable
{
    private TestRelay(RelayServer server, X25519KeyPair key, byte[] secret)
    {
        Server = server;
        Key = key;
        Secret = secret;
    }

    public RelayServer Server { get; }

    public X25519KeyPair Key { get; }

    public byte[] Secret { get; }

    public static async Task<TestRelay> StartAsync(Func<RelayOptions, RelayOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerProvider? logging = null)
    {
        var key = X25519KeyPair.Generate();
        var secret = RandomNumberGenerator.GetBytes(32);
        var options = new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            StaticKey = key,
            WebSocketSecret = secret,
            HandshakeTimeout = TimeSpan.FromSeconds(5),
        };
        return new TestRelay(await RelayServer.StartAsync(configure is null ? options : configure(options), logging), key, secret);
    }

    public RelayClientOptions ClientOptions => new() { RelayKey = Key.PublicKey.ToArray() };

    public Task<RelayClientConnection> TcpAsync(X25519KeyPair identity) =>
        RelayClientConnection.ConnectTcpAsync(Server.TcpEndPoint, identity, ClientOptions, CancellationToken.None);

    public Task<RelayClientConnection> WebSocketAsync(X25519KeyPair identity) =>
        RelayClientConnection.ConnectWebSocketAsync(WsUri, RelayToken.Mint(new Identity(identity.PublicKey), DateTimeOffset.UtcNow.AddMinutes(5), Secret), ClientOptions, CancellationToken.None);

    public Uri WsUri => new($"ws://{Server.WebSocketEndPoint}/ws");

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Key.Dispose();
    }
}

/// <summary>Reading helpers with a bound on waiting, so a broken relay fails a test instead of hanging it.</summary>
internal static class ClientExtensions
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<RelayFrame> ExpectAsync(this RelayClientConnection client, FrameType type)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame.HasValue, $"the relay closed the connection while {type} was expected");
        Assert.Equal(type, frame.Value.Type);
        return frame.Value;
    }

    public static async Task<RelayFrame> ExpectAnyAsync(this RelayClientConnection client)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame.HasValue, "the relay closed the connection while a frame was expected");
        return frame.Value;
    }

    public static async Task<(ulong RelayId, Identity Sender, byte[] Envelope)> ExpectDeliverAsync(this RelayClientConnection client)
    {
        var frame = await client.ExpectAsync(FrameType.Deliver);
        return (frame.RelayMessageId, frame.Identity, System.Buffers.BuffersExtensions.ToArray(frame.Envelope));
    }

    public static async Task SendAndExpectAcceptedAsync(this RelayClientConnection client, ulong id, X25519KeyPair recipient, byte[] envelope)
    {
        client.Send(id, new Identity(recipient.PublicKey), envelope);
        await client.FlushAsync();
        var accepted = await client.ExpectAsync(FrameType.Accepted);
        Assert.Equal(id, accepted.ClientMessageId);
    }

    /// <summary>A PING answered by a PONG with nothing before it proves nothing else was waiting for this client.</summary>
    public static async Task ExpectNothingPendingAsync(this RelayClientConnection client)
    {
        client.Ping(99);
        await client.FlushAsync();
        var pong = await client.ExpectAsync(FrameType.Pong);
        Assert.Equal(99UL, pong.ClientMessageId);
    }
}
