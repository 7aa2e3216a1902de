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
        await using var rig = await Rig.StartAsync(_relayKey, answers: 3);
        for (ulong i = 1; i <= 3; i++)
        {
            var plain = Encoding.UTF8.GetBytes($"message {i}");
            var envelope = new byte[rig.Session.GetEnvelopeSize(plain.Length)];
            rig.Client.Send(i, rig.PeerIdentity, envelope.AsSpan(0, rig.Session.Seal(plain, envelope)));
        }

        await rig.Client.FlushAsync(rig.Timeout.Token);
        var answers = new List<string>();
        while (answers.Count < 3)
        {
            var frame = await rig.Client.ReadAsync(rig.Timeout.Token) ?? throw new InvalidOperationException("relay closed");
            if (frame.Type != FrameType.Deliver)
            {
                continue;
            }

            Assert.Equal(rig.PeerIdentity, frame.Identity);
            var envelope = frame.Envelope.ToArray();
            var opened = new byte[envelope.Length];
            Assert.Equal(E2eError.None, rig.Session.TryOpen(envelope, opened, out var written));
            answers.Add(Encoding.UTF8.GetString(opened, 0, written));
            rig.Client.Ack(frame.RelayMessageId);
            await rig.Client.FlushAsync(rig.Timeout.Token);
        }

        Assert.Equal(["message 1", "message 2", "message 3"], answers);
        Assert.Equal(3, await rig.Answering);
    }

    [Fact]
    public async Task A_message_the_peer_cannot_open_is_reported_and_acknowledged()
    {
        await using var rig = await Rig.StartAsync(_relayKey, answers: 1);
        var envelope = new byte[rig.Session.GetEnvelopeSize(4)];
        var length = rig.Session.Seal([1, 2, 3, 4], envelope);
        envelope[length - 1] ^= 0x01; // tampered tag
        rig.Client.Send(1, rig.PeerIdentity, envelope.AsSpan(0, length));
        await rig.Client.FlushAsync(rig.Timeout.Token);

        var ex = await Assert.ThrowsAsync<K6PeerException>(() => rig.Answering);
        Assert.Contains("AuthenticationFailed", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A relay, a pairs data set, the peer as user 1 answering, and a client as user 0 with its session.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private RelayServer _relay = null!;
        private K6Peer _peer = null!;

        public CancellationTokenSource Timeout { get; } = new(TimeSpan.FromSeconds(20));

        public RelayClientConnection Client { get; private set; } = null!;

        public E2eSession Session { get; private set; } = null!;

        public Identity PeerIdentity { get; private set; }

        public Task<int> Answering { get; private set; } = null!;

        public static async Task<Rig> StartAsync(X25519KeyPair relayKey, int answers)
        {
            var rig = new Rig();
            rig._relay = await RelayServer.StartAsync(new RelayOptions
            {
                TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                StaticKey = relayKey,
                WebSocketSecret = Secret,
            });
            var data = K6DataSetBuilder.Create(2, K6Pairing.Pairs, Secret, DateTimeOffset.UtcNow.AddHours(1));
            var uri = new Uri($"ws://{rig._relay.WebSocketEndPoint}/ws");
            rig._peer = await K6Peer.ConnectAsync(uri, data, 1, rig.Timeout.Token);
            rig.Answering = rig._peer.AnswerAsync(answers, rig.Timeout.Token);
            rig.Client = await RelayClientConnection.ConnectWebSocketAsync(uri, data.Users[0].Token, new RelayClientOptions(), rig.Timeout.Token);
            rig.Session = E2eSession.ImportState(data.Users[0].Sessions[0], new E2eSessionOptions());
            rig.PeerIdentity = new Identity(Convert.FromBase64String(data.Users[1].Identity));
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            Session.Dispose();
            await Client.DisposeAsync();
            await _peer.DisposeAsync();
            await _relay.DisposeAsync();
            Timeout.Dispose();
        }
    }
}
