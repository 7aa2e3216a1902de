using System.Net;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Server;

namespace Relay.Store.Nats.Tests;

/// <summary>An in-process relay node on loopback with its own JetStream store on a shared NATS; nodes of one test share the relay key.</summary>
internal sealed class RelayNode : IAsyncDisposable
{
    private RelayNode(RelayServer server, JetStreamMailboxStore store, byte[] relayKey)
    {
        Server = server;
        Store = store;
        RelayKey = relayKey;
    }

    public RelayServer Server { get; }

    public JetStreamMailboxStore Store { get; }

    public byte[] RelayKey { get; }

    public static async Task<RelayNode> StartAsync(string natsUrl, X25519KeyPair key, MailboxLimits? limits = null, int replicas = 1)
    {
        var store = await JetStreamMailboxStore.ConnectAsync(new JetStreamStoreOptions { Url = natsUrl, Limits = limits ?? new MailboxLimits(), Replicas = replicas });
        var server = await RelayServer.StartAsync(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = null,
            StaticKey = key,
            Store = store,
        });
        return new RelayNode(server, store, key.PublicKey.ToArray());
    }

    public Task<RelayClientConnection> ConnectAsync(X25519KeyPair identity) =>
        RelayClientConnection.ConnectTcpAsync(Server.TcpEndPoint, identity, new RelayClientOptions { RelayKey = RelayKey }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Store.DisposeAsync();
    }
}

/// <summary>Reading with a bound, so a broken relay fails a test instead of hanging it.</summary>
internal static class Frames
{
    public static async Task<RelayFrame> ExpectAsync(this RelayClientConnection client, FrameType type, int seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame.HasValue, $"the relay closed the connection while {type} was expected");
        Assert.True(type == frame.Value.Type, $"expected {type}, got {frame.Value.Type} (code {frame.Value.Code})");
        return frame.Value;
    }

    public static async Task<RelayFrame> SendAsync(this RelayClientConnection client, ulong id, X25519KeyPair recipient, byte[] envelope)
    {
        client.Send(id, new Identity(recipient.PublicKey), envelope);
        await client.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame is { Type: FrameType.Accepted or FrameType.Rejected }, $"no answer to SEND {id}: {frame?.Type} {frame?.ClientMessageId} {frame?.Code}");
        Assert.Equal(id, frame!.Value.ClientMessageId);
        return frame.Value;
    }

    public static async Task ExpectNothingPendingAsync(this RelayClientConnection client)
    {
        client.Ping(99);
        await client.FlushAsync();
        Assert.Equal(99UL, (await client.ExpectAsync(FrameType.Pong)).ClientMessageId);
    }
}
