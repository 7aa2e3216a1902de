using System.Text.RegularExpressions;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using static Relay.Server.Tests.Abuse.SourceBoundClients;

namespace Relay.Server.Tests.Abuse;

/// <summary>The abuse limits' counters in the Prometheus text at /metrics, by reason.</summary>
[Collection(nameof(RunsAloneCollection))]
public sealed class AbuseMetricsTests
{
    [Fact]
    public async Task Refusals_rejections_failed_handshakes_and_bad_input_are_scraped_by_reason()
    {
        await using var relay = await TestRelay.StartAsync(o => o with
        {
            PrometheusMetrics = true,
            HandshakeRatePerSource = 0.001,
            HandshakeBurstPerSource = 1,
            SendRatePerConnection = 0.001,
            SendBurstPerConnection = 1,
            MaxAnonymousConnectionsPerSource = 1,
        });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();

        // Over its send rate: one accepted, one REJECTED 4.
        await using (var alice = await relay.TcpAsync(aliceKey))
        {
            await alice.SendAndExpectAcceptedAsync(1, bobKey, [1]);
            alice.Send(2, new Identity(bobKey.PublicKey), [2]);
            await alice.FlushAsync();
            Assert.Equal((byte)RejectReason.RateLimited, (await alice.ExpectAsync(FrameType.Rejected)).Code);
        }

        // Over its handshake budget (one token, spent by an abandoned handshake): one refused before any work.
        var (abandoned, _) = await AbandonedHandshakeAsync(Loopback(12), relay.Server.TcpEndPoint);
        abandoned.Dispose();
        var (refused, answered) = await AbandonedHandshakeAsync(Loopback(12), relay.Server.TcpEndPoint);
        refused.Dispose();
        Assert.Equal(0, answered);

        // Over the anonymous cap, and a bad frame.
        using var throwaway1 = X25519KeyPair.Generate();
        using var throwaway2 = X25519KeyPair.Generate();
        using var malloryKey = X25519KeyPair.Generate();
        await using var anonymous = await NoiseAsync(relay, Loopback(13), throwaway1, anonymous: true);
        await using (var second = await NoiseAsync(relay, Loopback(14), malloryKey))
        {
            second.WriteRaw([0x99]);
            await second.FlushAsync();
            await second.ExpectAsync(FrameType.Error);
        }

        await using (var capped = await NoiseAsync(relay, Loopback(13), throwaway2, anonymous: true))
        {
            Assert.Equal((byte)FrameError.SourceLimit, (await capped.ExpectAsync(FrameType.Error)).Code);
        }

        using var http = new HttpClient();
        var text = "";
        await EventuallyAsync(() =>
        {
            text = http.GetStringAsync(new Uri($"http://{relay.Server.WebSocketEndPoint}/metrics")).GetAwaiter().GetResult();
            return Counted(text, "relay_handshakes_failed_total", "handshake_truncated") == 1;
        }, "the abandoned handshake's failure is scraped");

        Assert.Equal(1, Counted(text, "relay_messages_rejected_total", "rate_limited"));
        Assert.Equal(1, Counted(text, "relay_connections_refused_total", "handshake_rate"));
        Assert.Equal(1, Counted(text, "relay_connections_refused_total", "anonymous_limit"));
        Assert.Equal(1, Counted(text, "relay_connections_bad_input_total", "frame_unknown_type"));
        Assert.Matches(@"(?m)^relay_handshakes_started_total(\{[^}]*\})? \d+", text);
        Assert.Matches(@"(?m)^relay_handshakes_unfinished(\{[^}]*\})? \d+", text);
    }

    // The value of a counter's series with reason="...", or -1 when there is none.
    private static long Counted(string text, string name, string reason)
    {
        var match = Regex.Match(text, $@"(?m)^{name}\{{[^}}]*reason=""{reason}""[^}}]*\}} (?<value>\d+)");
        return match.Success ? long.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }
}
