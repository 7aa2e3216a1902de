using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;
using static Relay.Server.Tests.Abuse.SourceBoundClients;

namespace Relay.Server.Tests.Abuse;

/// <summary>
/// Every close for bad input is logged once (connection id, source, reason; no identity, key,
/// secret or payload byte) and counted by reason, and the log itself is rate-limited.
/// </summary>
public sealed partial class CloseLogTests
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("PAYLOAD-MARKER");

    [Fact]
    public async Task Six_connections_closed_for_malformed_frames_give_six_lines_with_their_reason_and_source_and_no_secret()
    {
        var log = new CapturedLog();
        await using var relay = await TestRelay.StartAsync(logging: log);
        using var probe = new CounterProbe(relay.Server);
        var source = Loopback(10);
        var keys = Enumerable.Range(0, 6).Select(_ => X25519KeyPair.Generate()).ToArray();
        try
        {
            // Five over TCP, one over the gateway, each from 127.0.0.10.
            byte[][] frames =
            [
                [0x99, .. Marker],                                  // unknown type
                [0x01, 0, 0, 0, 0, 0, 0, 0, 1, .. Marker],          // truncated SEND
                [0x06, 0, 0, 0, 0, 0, 0, 0, 1, .. Marker],          // PING with trailing bytes
                Deliver(),                                           // a client may not send DELIVER
                [0x03, 0, 0, 0],                                     // truncated ACK
            ];
            for (var i = 0; i < frames.Length; i++)
            {
                await using var client = await NoiseAsync(relay, source, keys[i]);
                client.WriteRaw(frames[i]);
                await client.FlushAsync();
                await client.ExpectAsync(FrameType.Error);
                Assert.Null(await client.ReadAsync());
            }

            using (var socket = await WebSocketAsync(relay, source, RelayToken.Mint(new Identity(keys[5].PublicKey), DateTimeOffset.UtcNow.AddMinutes(5), relay.Secret)))
            {
                await socket.SendAsync(Marker, WebSocketMessageType.Text, true, CancellationToken.None);
                var buffer = new byte[256];
                while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
                {
                }
            }

            await EventuallyAsync(() => probe.Sum("relay.connections.bad_input") == 6, "six bad-input closes are counted");
            var closes = log.Lines.Where(l => l.StartsWith("closed connection", StringComparison.Ordinal)).ToList();
            Assert.Equal(6, closes.Count);
            Assert.All(closes, line => Assert.Matches(CloseLine(), line));
            Assert.Equal(
                ["frame_trailing_bytes", "frame_truncated", "frame_truncated", "frame_unexpected_type", "frame_unknown_type", "websocket_text_message"],
                closes.Select(l => CloseLine().Match(l).Groups["reason"].Value).Order(StringComparer.Ordinal));
            Assert.Equal(2, probe.Sum("relay.connections.bad_input", "frame_truncated"));
            Assert.Equal(1, probe.Sum("relay.connections.bad_input", "websocket_text_message"));

            // No identity, no key, no secret, no payload byte.
            var everything = string.Join('\n', log.Lines);
            string[] secrets =
            [
                "PAYLOAD-MARKER",
                Convert.ToBase64String(relay.Key.PublicKey),
                Convert.ToBase64String(relay.Secret),
                .. keys.Select(k => Convert.ToBase64String(k.PublicKey)),
                .. keys.Select(k => Convert.ToHexString(k.PublicKey)),
                .. keys.Select(k => new Identity(k.PublicKey).ToString()),
            ];
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, everything, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Array.ForEach(keys, k => k.Dispose());
        }
    }

    [Fact]
    public async Task A_flood_of_bad_connections_logs_at_most_the_lines_a_second_and_a_summary_accounts_for_the_rest()
    {
        var log = new CapturedLog();
        await using var relay = await TestRelay.StartAsync(o => o with { CloseLogLinesPerSecond = 3, HandshakeRatePerSource = 0 }, log);
        using var probe = new CounterProbe(relay.Server);
        var source = Loopback(11);
        var started = DateTime.UtcNow;
        const int garbage = 30;
        for (var i = 0; i < garbage; i++)
        {
            using var socket = await ConnectAsync(source, relay.Server.TcpEndPoint);
            await socket.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            Assert.True(await ClosedByRelayAsync(socket));
        }

        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        await EventuallyAsync(() => probe.Sum("relay.handshakes.failed") == garbage, "every garbage close is counted");

        // Once the last second is over, the summaries account for every close that got no line.
        await EventuallyAsync(() => Logged(log) + Suppressed(log) == garbage, "the lines and the summaries add up to every close");
        Assert.InRange(Logged(log), 3, 3 * ((int)Math.Ceiling(seconds) + 1));
        Assert.True(Suppressed(log) > 0, "some closes were left to the summary");
    }

    private static int Logged(CapturedLog log) => log.Lines.Count(l => l.StartsWith("closed connection", StringComparison.Ordinal) && l.Contains("from 127.0.0.11:", StringComparison.Ordinal));

    private static long Suppressed(CapturedLog log) => log.Lines.Select(l => SummaryLine().Match(l)).Where(m => m.Success).Sum(m => long.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static byte[] Deliver()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteDeliver(writer, 1, default, sealedSender: true, Marker);
        return writer.WrittenSpan.ToArray();
    }

    [GeneratedRegex(@"^closed connection \S+ from 127\.0\.0\.10: (?<reason>[a-z_]+) \(.+\)$")]
    private static partial Regex CloseLine();

    [GeneratedRegex(@"^(?<count>\d+) more refused or closed connections were not logged")]
    private static partial Regex SummaryLine();
}
