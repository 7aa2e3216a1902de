using System.Net;
using System.Security.Cryptography;
using Perf.Load.Hostile;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Server;

namespace Perf.Load.Tests.Hostile;

/// <summary>The handshake flood against a real relay on loopback: what it sends, what it counts, and its bound on sockets.</summary>
public sealed class HandshakeFloodTests
{
    [Fact]
    public async Task Against_a_relay_with_a_budget_of_five_the_flood_is_refused_past_it_and_every_attempt_is_accounted_for_while_a_client_exchanges()
    {
        using var key = X25519KeyPair.Generate();
        await using var relay = await StartRelayAsync(key, o => o with { HandshakeRatePerSource = 0.001, HandshakeBurstPerSource = 5 });
        var flood = HandshakeFlood.Start(new HandshakeFloodOptions { Target = relay.TcpEndPoint, RatePerSecond = 40, GarbageHold = TimeSpan.FromMilliseconds(300) });
        HandshakeFloodResult result;
        try
        {
            // A client from 127.0.0.1 keeps exchanging while the flood runs from 127.0.0.254.
            using var aliceKey = X25519KeyPair.Generate();
            using var bobKey = X25519KeyPair.Generate();
            var options = new RelayClientOptions { RelayKey = key.PublicKey.ToArray() };
            await using var alice = await RelayClientConnection.ConnectTcpAsync(relay.TcpEndPoint, aliceKey, options, CancellationToken.None);
            await using var bob = await RelayClientConnection.ConnectTcpAsync(relay.TcpEndPoint, bobKey, options, CancellationToken.None);
            for (var i = 0; i < 10; i++)
            {
                alice.Send((ulong)i, new Identity(bobKey.PublicKey), [(byte)i]);
                await alice.FlushAsync();
                Assert.Equal(FrameType.Accepted, (await ReadAsync(alice)).Type);
                var deliver = await ReadAsync(bob);
                Assert.Equal(FrameType.Deliver, deliver.Type);
                bob.Ack(deliver.RelayMessageId);
                await bob.FlushAsync();
                await Task.Delay(100);
            }
        }
        finally
        {
            result = await flood.StopAsync();
        }

        Assert.Equal("127.0.0.254", result.Source);
        foreach (var counts in new[] { result.Garbage, result.Abandoned })
        {
            Assert.True(counts.Attempted >= 20, $"attempted {counts.Attempted} in {result.Seconds:F1} s");
            Assert.Equal(counts.Attempted, counts.Refused + counts.Answered + counts.Unanswered + counts.Failed);
            Assert.Equal(0, counts.Failed);
            Assert.Equal(0, counts.Skipped);
        }

        // The source's five tokens went to five connections at most (the relay answered them, or read garbage and
        // waited for more); the rest were refused without a byte, but for those still under way when the flood stopped.
        Assert.InRange(result.Abandoned.Answered + result.Garbage.Answered, 1, 5);
        Assert.True(
            result.Abandoned.Refused + result.Garbage.Refused >= result.Abandoned.Attempted + result.Garbage.Attempted - 5 - result.Abandoned.Unanswered - result.Garbage.Unanswered,
            $"refused {result.Abandoned.Refused} + {result.Garbage.Refused} of {result.Abandoned.Attempted} + {result.Garbage.Attempted}");
        Assert.True(result.Abandoned.Refused > result.Abandoned.Attempted / 2, $"most abandoned attempts refused: {result.Abandoned.Refused} of {result.Abandoned.Attempted}");
    }

    [Fact]
    public async Task Connections_reset_at_the_syn_count_as_refused_not_failed()
    {
        // A port nobody listens on: the kernel answers each SYN with a reset, as a firewall's per-source limit
        // (deploy/nftables/relay-per-source.nft) answers a flood's connections past its rate.
        var closed = new IPEndPoint(IPAddress.Loopback, Perf.Load.Processes.LoopbackPort.Free());
        var flood = HandshakeFlood.Start(new HandshakeFloodOptions { Target = closed, RatePerSecond = 50 });
        await Task.Delay(TimeSpan.FromMilliseconds(600));

        var result = await flood.StopAsync();

        foreach (var counts in new[] { result.Garbage, result.Abandoned })
        {
            Assert.True(counts.Attempted >= 10, $"attempted {counts.Attempted} in {result.Seconds:F1} s");
            // An attempt the stop cut short counts as unanswered; every other one was refused.
            Assert.Equal((0L, 0L, counts.Attempted), (counts.Answered, counts.Failed, counts.Refused + counts.Unanswered));
            Assert.True(counts.Refused >= counts.Attempted - 2, $"refused {counts.Refused} of {counts.Attempted}");
        }
    }

    [Fact]
    public async Task The_flood_never_holds_more_sockets_than_its_bound_and_counts_what_it_skipped()
    {
        using var key = X25519KeyPair.Generate();
        // No handshake limit: every silent connection is answered and held, so the bound is what stops the flood.
        await using var relay = await StartRelayAsync(key, o => o with { HandshakeRatePerSource = 0 });
        var flood = HandshakeFlood.Start(new HandshakeFloodOptions { Target = relay.TcpEndPoint, RatePerSecond = 50, Kinds = HandshakeFloodKinds.Abandoned, MaxOpenSockets = 4 });
        var most = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < deadline)
        {
            most = Math.Max(most, flood.OpenSockets);
            await Task.Delay(5);
        }

        var result = await flood.StopAsync();
        Assert.InRange(most, 1, 4);
        Assert.True(result.Abandoned.Skipped > 0, "attempts past the bound are skipped");
        Assert.Equal(0, result.Garbage.Attempted);
        Assert.Equal(result.Abandoned.Attempted, result.Abandoned.Refused + result.Abandoned.Answered + result.Abandoned.Unanswered + result.Abandoned.Failed);
        Assert.True(result.Abandoned.Answered >= 1);
    }

    [Fact]
    public void A_rate_that_is_not_positive_is_refused()
    {
        var target = new IPEndPoint(IPAddress.Loopback, 1);
        Assert.Throws<ArgumentException>(() => HandshakeFlood.Start(new HandshakeFloodOptions { Target = target, RatePerSecond = 0 }));
        Assert.Throws<ArgumentException>(() => HandshakeFlood.Start(new HandshakeFloodOptions { Target = target, RatePerSecond = double.NaN }));
    }

    private static async Task<RelayFrame> ReadAsync(RelayClientConnection client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await client.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("the relay closed a legitimate client");
    }

    private static Task<RelayServer> StartRelayAsync(X25519KeyPair key, Func<RelayOptions, RelayOptions> configure) =>
        RelayServer.StartAsync(configure(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = null,
            StaticKey = key,
            WebSocketSecret = RandomNumberGenerator.GetBytes(32),
        }));
}
