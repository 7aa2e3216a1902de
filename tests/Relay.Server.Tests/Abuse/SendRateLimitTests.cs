using System.Diagnostics;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests.Abuse;

/// <summary>The per-connection send rate: REJECTED 4 past it, the connection stays open, nothing accepted is lost, others are unaffected.</summary>
public sealed class SendRateLimitTests
{
    private const double Rate = 20;
    private const int Burst = 10;

    [Theory]
    [InlineData("tcp")]
    [InlineData("websocket")]
    public async Task Sends_past_the_rate_get_rejected_4_and_every_accepted_one_is_delivered_while_another_sender_is_unaffected(string transport)
    {
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = Rate, SendBurstPerConnection = Burst });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        using var carolKey = X25519KeyPair.Generate();
        await using var alice = transport == "tcp" ? await relay.TcpAsync(aliceKey) : await relay.WebSocketAsync(aliceKey);
        await using var bob = await relay.TcpAsync(bobKey);
        await using var carol = await relay.WebSocketAsync(carolKey);

        // Alice sends 100 at once: the burst and what refills while they go are accepted, the rest REJECTED 4.
        const int sent = 100;
        var started = Stopwatch.StartNew();
        for (var i = 0; i < sent; i++)
        {
            alice.Send((ulong)i, new Identity(bobKey.PublicKey), [(byte)i]);
        }

        await alice.FlushAsync();
        // Carol sends within her own budget meanwhile: every one accepted.
        for (var i = 0; i < 5; i++)
        {
            await carol.SendAndExpectAcceptedAsync((ulong)(1000 + i), bobKey, [0xCC, (byte)i]);
        }

        var accepted = new List<byte>();
        var rejected = 0;
        for (var i = 0; i < sent; i++)
        {
            var answer = await alice.ExpectAnyAsync();
            Assert.Equal((ulong)i, answer.ClientMessageId); // answered in order, one each
            if (answer.Type == FrameType.Accepted)
            {
                accepted.Add((byte)i);
            }
            else
            {
                Assert.Equal(FrameType.Rejected, answer.Type);
                Assert.Equal((byte)RejectReason.RateLimited, answer.Code);
                rejected++;
            }
        }

        var elapsed = started.Elapsed.TotalSeconds;
        Assert.InRange(accepted.Count, Burst, Burst + (int)Math.Ceiling(Rate * elapsed) + 1);
        Assert.Equal(sent, accepted.Count + rejected);

        // Every accepted message (and Carol's five) reaches Bob once; nothing rejected does.
        var delivered = new List<byte[]>();
        for (var i = 0; i < accepted.Count + 5; i++)
        {
            var (relayId, _, envelope) = await bob.ExpectDeliverAsync();
            bob.Ack(relayId);
            delivered.Add(envelope);
        }

        await bob.FlushAsync();
        await bob.ExpectNothingPendingAsync();
        Assert.Equal(accepted, delivered.Where(e => e.Length == 1).Select(e => e[0]));
        Assert.Equal(5, delivered.Count(e => e.Length == 2 && e[0] == 0xCC));

        // The connection stayed open: once the bucket has refilled (Burst / Rate = 0.5 s; a second
        // here), a burst's worth is accepted again.
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (var i = 0; i < Burst; i++)
        {
            await alice.SendAndExpectAcceptedAsync((ulong)(2000 + i), bobKey, [1]);
        }
    }

    [Fact]
    public async Task With_the_rate_off_a_connection_sends_as_fast_as_it_likes()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 0, SendBurstPerConnection = 1 });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using var alice = await relay.TcpAsync(aliceKey);
        for (var i = 0; i < 50; i++)
        {
            alice.Send((ulong)i, new Identity(bobKey.PublicKey), [1]);
        }

        await alice.FlushAsync();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(FrameType.Accepted, (await alice.ExpectAnyAsync()).Type);
        }
    }
}
