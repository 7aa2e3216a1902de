using System.Net.Sockets;
using System.Net.WebSockets;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;
using static Relay.Server.Tests.Abuse.SourceBoundClients;

namespace Relay.Server.Tests.Abuse;

/// <summary>
/// The per-source handshake budget and the busy relay's defence: a source over its budget is
/// refused before the relay reads a byte (no Diffie-Hellman work), finished handshakes give their
/// token back unless the relay is busy, a busy relay gives new handshakes a shorter timeout, and
/// clients from other sources keep connecting throughout.
/// </summary>
public sealed class HandshakeDefenceTests
{
    // A rate this small refills nothing during a test: the budget is the burst.
    private const double NoRefill = 0.001;

    [Fact]
    public async Task A_source_past_its_budget_is_refused_before_any_handshake_work_while_another_source_connects_and_exchanges()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = NoRefill, HandshakeBurstPerSource = 5 });
        using var probe = new CounterProbe(relay.Server);
        var hostile = Loopback(2);
        var flood = new List<Socket>();
        try
        {
            // 20 valid first messages left unfinished: 5 answered (message 2: the relay's DH work), 15 closed without a byte.
            var answers = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                var (socket, answered) = await AbandonedHandshakeAsync(hostile, relay.Server.TcpEndPoint);
                flood.Add(socket);
                answers.Add(answered);
            }

            Assert.Equal(5, answers.Count(a => a > 0));
            Assert.Equal(15, answers.Count(a => a == 0));
            await EventuallyAsync(() => probe.Sum("relay.connections.refused", "handshake_rate") == 15, "15 refusals are counted");
            Assert.Equal(5, probe.Sum("relay.handshakes.started")); // the refused 15 never reached the Noise code
            Assert.Equal(5, relay.Server.State.Sources.Unfinished);

            // Legitimate clients from 127.0.0.1, over TCP and WebSocket, are served meanwhile.
            using var aliceKey = X25519KeyPair.Generate();
            using var bobKey = X25519KeyPair.Generate();
            await using var alice = await relay.TcpAsync(aliceKey);
            await using var bob = await relay.WebSocketAsync(bobKey);
            await alice.SendAndExpectAcceptedAsync(1, bobKey, [42]);
            Assert.Equal(new byte[] { 42 }, (await bob.ExpectDeliverAsync()).Envelope);
            Assert.Equal(7, probe.Sum("relay.handshakes.started"));

            // The flood gives up: its five unfinished handshakes fail and their tokens stay spent.
            flood.ForEach(s => s.Dispose());
            flood.Clear();
            await EventuallyAsync(() => relay.Server.State.Sources.Unfinished == 0, "the abandoned handshakes are over");
            Assert.Equal(5, probe.Sum("relay.handshakes.failed"));
            var (again, answeredAgain) = await AbandonedHandshakeAsync(hostile, relay.Server.TcpEndPoint);
            again.Dispose();
            Assert.Equal(0, answeredAgain);
        }
        finally
        {
            flood.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Handshakes_that_finish_give_their_token_back_so_a_crowd_behind_one_address_connects_past_the_burst()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = NoRefill, HandshakeBurstPerSource = 3 });
        var natAddress = Loopback(3);
        for (var i = 0; i < 10; i++)
        {
            using var key = X25519KeyPair.Generate();
            await using var client = await NoiseAsync(relay, natAddress, key);
            await client.ExpectNothingPendingAsync();
        }

        for (var i = 0; i < 5; i++)
        {
            using var key = X25519KeyPair.Generate();
            using var socket = await WebSocketAsync(relay, natAddress, RelayToken.Mint(new Identity(key.PublicKey), DateTimeOffset.UtcNow.AddMinutes(5), relay.Secret));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }

    [Fact]
    public async Task While_the_relay_is_busy_finished_handshakes_count_against_their_source_too()
    {
        // A busy threshold of 1: every handshake in progress makes the relay busy.
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = NoRefill, HandshakeBurstPerSource = 3, HandshakeBusyThreshold = 1 });
        using var probe = new CounterProbe(relay.Server);
        var source = Loopback(4);
        for (var i = 0; i < 3; i++)
        {
            using var key = X25519KeyPair.Generate();
            await using var client = await NoiseAsync(relay, source, key);
            await client.ExpectNothingPendingAsync();
        }

        using var fourthKey = X25519KeyPair.Generate();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => NoiseAsync(relay, source, fourthKey));
        Assert.True(refused is Relay.Client.RelayClientException or SocketException, $"refused as {refused}"); // a reset may meet the connect itself
        Assert.Equal(1, probe.Sum("relay.connections.refused", "handshake_rate"));
    }

    [Fact]
    public async Task A_handshake_that_starts_while_the_relay_is_busy_must_finish_within_the_busy_timeout()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeTimeout = TimeSpan.FromSeconds(60), HandshakeBusyThreshold = 2, BusyHandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using var probe = new CounterProbe(relay.Server);
        var (first, firstAnswered) = await AbandonedHandshakeAsync(Loopback(5), relay.Server.TcpEndPoint);
        var (second, secondAnswered) = await AbandonedHandshakeAsync(Loopback(6), relay.Server.TcpEndPoint);
        using (first)
        using (second)
        {
            Assert.True(firstAnswered > 0 && secondAnswered > 0, "both handshakes were admitted");

            // The second arrived with two unfinished: busy. It is closed long before the 60 s timeout; the first is not.
            await EventuallyAsync(() => probe.Sum("relay.handshakes.failed", "handshake_timeout") == 1, "the busy timeout closes the second handshake");
            Assert.True(await ClosedByRelayAsync(second), "the relay closed the second connection");
            Assert.Equal(1, relay.Server.State.Sources.Unfinished);
        }
    }

    [Fact]
    public async Task The_websocket_listener_draws_on_the_same_budget_and_refuses_before_any_http_work()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = NoRefill, HandshakeBurstPerSource = 2 });
        using var probe = new CounterProbe(relay.Server);
        var hostile = Loopback(7);

        // Two silent connections to the gateway hold the source's two tokens.
        using var silent1 = await ConnectAsync(hostile, relay.Server.WebSocketEndPoint!);
        using var silent2 = await ConnectAsync(hostile, relay.Server.WebSocketEndPoint!);
        await EventuallyAsync(() => probe.Sum("relay.handshakes.started") == 2, "both are admitted");

        using var key = X25519KeyPair.Generate();
        var token = RelayToken.Mint(new Identity(key.PublicKey), DateTimeOffset.UtcNow.AddMinutes(5), relay.Secret);
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketAsync(relay, hostile, token));
        Assert.Equal(1, probe.Sum("relay.connections.refused", "handshake_rate"));

        // The same identity from another source connects.
        using var legitimate = await WebSocketAsync(relay, Loopback(1), token);
        Assert.Equal(WebSocketState.Open, legitimate.State);
    }
}
