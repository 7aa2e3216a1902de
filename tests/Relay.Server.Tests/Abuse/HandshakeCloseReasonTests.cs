using System.Net.Sockets;
using static Relay.Server.Tests.Abuse.SourceBoundClients;

namespace Relay.Server.Tests.Abuse;

/// <summary>
/// A peer that leaves mid-handshake is counted under one reason, the same every time: an end of
/// stream is <c>handshake_truncated</c>, a reset <c>handshake_abandoned</c>. (The handshake once
/// also watched Kestrel's ConnectionClosed token, which fires on the same end of stream; under load
/// a few percent of closes raced to <c>handshake_abandoned</c>, and AbuseMetricsTests failed in CI.)
/// </summary>
public sealed class HandshakeCloseReasonTests
{
    private const int Closes = 100;

    [Fact]
    public async Task A_peer_that_closes_after_the_first_message_is_counted_as_truncated_every_time()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = 0 });
        using var probe = new CounterProbe(relay.Server);
        for (var i = 0; i < Closes; i++)
        {
            var (socket, answered) = await AbandonedHandshakeAsync(Loopback(20), relay.Server.TcpEndPoint);
            Assert.True(answered > 0, "the relay answered the first message");
            socket.Dispose(); // nothing unread: an end of stream (FIN)
        }

        await EventuallyAsync(() => probe.Sum("relay.handshakes.failed") == Closes, "every close is counted");
        Assert.Equal(Closes, probe.Sum("relay.handshakes.failed", "handshake_truncated"));
    }

    [Fact]
    public async Task A_peer_that_resets_after_the_first_message_is_counted_as_abandoned_every_time()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeRatePerSource = 0 });
        using var probe = new CounterProbe(relay.Server);
        for (var i = 0; i < Closes; i++)
        {
            var (socket, answered) = await AbandonedHandshakeAsync(Loopback(21), relay.Server.TcpEndPoint);
            Assert.True(answered > 0, "the relay answered the first message");
            socket.LingerState = new LingerOption(enable: true, seconds: 0); // close with a reset (RST)
            socket.Dispose();
        }

        await EventuallyAsync(() => probe.Sum("relay.handshakes.failed") == Closes, "every reset is counted");
        Assert.Equal(Closes, probe.Sum("relay.handshakes.failed", "handshake_abandoned"));
    }
}
