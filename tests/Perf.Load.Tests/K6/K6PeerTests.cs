using System.Buffers;
using System.Net;
using System.Text;
using Perf.Load.K6;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Server;

namespace Perf.Load.Tests.K6;

/// <summary>The C# peer that the k6 library's Node test talks to, checked here against a C# client.</summary>
public sealed class K6PeerTests : IDisposable
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("k6-peer-secret-0123456789");
    private readonly X25519KeyPair _relayKey = X25519KeyPair.Generate();

    public void Dispose() => _relayKey.Dispose();

    [Fact]
    public async Task The_peer_answers_each_message_over_the_same_session()
    {
        await using var relay = await StartRelay();
        var data = K6DataSetBuilder.Create(2, K6Pairing.Pairs, Secret, DateTimeOffset.UtcNow.AddHours(1));
        var uri = new Uri($"ws://{relay.WebSocketEndPoint}/ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var peer = await K6Peer.ConnectAsync(uri, data, 1, timeout.Token);
        var answering = peer.AnswerAsync(3, timeout.Token);

        await using var client = await RelayClientConnection.ConnectWebSocketAsync(uri, data.Users[0].Token, new RelayClientOptions(), timeout.Token);
        using var session = E2eSession.ImportState(data.Users[0].Sessions[0], new E2eSessionOptions());
        var peerIdentity = new Identity(Convert.FromBase64String(data.Users[1].Identity));
        for (ulong i = 1; i <= 3; i++)
        {
            var plain = Encoding.UTF8.GetBytes($"message {i}");
            var envelope = new byte[session.GetEnvelopeSize(plain.Length)];
            client.Send(i, peerIdentity, envelope.AsSpan(0, session.Seal(plain, envelope)));
        }

        await client.FlushAsync(timeout.Token);
        var answers = new List<string>();
        while (answers.Count < 3)
        {
            var frame = await client.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("relay closed");
            if (frame.Type != FrameType.Deliver)
            {
                continue;
            }

            Assert.Equal(peerIdentity, frame.Identity);
            var envelope = frame.Envelope.ToArray();
            var opened = new byte[envelope.Length];
            Assert.Equal(E2eError.None, session.TryOpen(envelope, opened, out var written));
            answers.Add(Encoding.UTF8.GetString(opened, 0, written));
            client.Ack(frame.RelayMessageId);
            await client.FlushAsync(timeout.Token);
        }

        Assert.Equal(["message 1", "message 2", "message 3"], answers);
        Assert.Equal(3, await answering);
    }

    [Fact]
    public async Task A_message_the_peer_cannot_open_is_reported_and_acknowledged()
    {
        await using var relay = await StartRelay();
        var data = K6DataSetBuilder.Create(2, K6Pairing.Pairs, Secret, DateTimeOffset.UtcNow.AddHours(1));
        var uri = new Uri($"ws://{relay.WebSocketEndPoint}/ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var peer = await K6Peer.ConnectAsync(uri, data, 1, timeout.Token);
        var answering = peer.AnswerAsync(1, timeout.Token);

        await using var client = await RelayClientConnection.ConnectWebSocketAsync(uri, data.Users[0].Token, new RelayClientOptions(), timeout.Token);
        using var session = E2eSession.ImportState(data.Users[0].Sessions[0], new E2eSessionOptions());
        var envelope = new byte[session.GetEnvelopeSize(4)];
        var length = session.Seal([1, 2, 3, 4], envelope);
        envelope[length - 1] ^= 0x01; // tampered tag
        client.Send(1, new Identity(Convert.FromBase64String(data.Users[1].Identity)), envelope.AsSpan(0, length));
        await client.FlushAsync(timeout.Token);

        var ex = await Assert.ThrowsAsync<K6PeerException>(() => answering);
        Assert.Contains("AuthenticationFailed", ex.Message, StringComparison.Ordinal);
    }

    private async Task<RelayServer> StartRelay()
    {
        return await RelayServer.StartAsync(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            StaticKey = _relayKey,
            WebSocketSecret = Secret,
        });
    }
}
