using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Perf.Cli.Load;
using Perf.Cli.Tests.Results;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Perf.Cli.Tests.Relay;

/// <summary>
/// <c>perf relay</c>'s abuse limits and its log: a bad value is one line and exit 2, and a
/// connection closed for a malformed frame prints its line (it printed nothing before: the relay
/// had no log provider at all).
/// </summary>
public sealed class RelayAbuseOptionsTests
{
    [Theory]
    [InlineData("--send-rate", "-1", "--send-rate must be 0 (no limit) or a positive number")]
    [InlineData("--send-burst", "0", "--send-burst must be at least 1")]
    [InlineData("--handshake-rate", "-5", "--handshake-rate must be 0 (no limit) or a positive number")]
    [InlineData("--handshake-burst", "0", "--handshake-burst must be at least 1")]
    [InlineData("--busy-handshakes", "0", "--busy-handshakes must be at least 1")]
    [InlineData("--busy-handshake-timeout", "0s", "--busy-handshake-timeout must be a positive duration")]
    [InlineData("--anonymous-per-source", "-1", "--anonymous-per-source must be at least 0")]
    [InlineData("--source-prefix-v4", "33", "--source-prefix-v4 must be between 0 and 32")]
    [InlineData("--source-prefix-v6", "129", "--source-prefix-v6 must be between 0 and 128")]
    [InlineData("--close-log-lines", "-1", "--close-log-lines must be at least 0")]
    public void A_bad_abuse_limit_is_one_line_and_exit_2(string option, string value, string expected)
    {
        CliRun.Invoke("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", option, value).AssertBadInput(expected);
    }

    [Fact]
    public async Task A_connection_closed_for_a_malformed_frame_is_logged_by_perf_relay_with_its_reason_and_source()
    {
        var info = PerfChildCommand.StartInfo();
        foreach (var argument in (string[])["relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--ws-secret", "a-load-test-secret-0123"])
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var perf = Process.Start(info) ?? throw new InvalidOperationException("perf did not start");
        var lines = new ConcurrentQueue<string>();
        perf.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        perf.BeginOutputReadLine();
        perf.BeginErrorReadLine();
        try
        {
            var listening = await LineAsync(lines, l => l.StartsWith("relay listening ", StringComparison.Ordinal));
            var fields = listening.Split(' ').Select(f => f.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            using var key = X25519KeyPair.Generate();
            await using var client = await RelayClientConnection.ConnectTcpAsync(IPEndPoint.Parse(fields["tcp"]), key, new RelayClientOptions { RelayKey = Convert.FromBase64String(fields["key"]) }, CancellationToken.None);
            client.WriteRaw([0x99, 1, 2, 3]);
            await client.FlushAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                Assert.Equal(FrameType.Error, (await client.ReadAsync(timeout.Token))?.Type);
            }

            var closed = await LineAsync(lines, l => l.Contains("closed connection", StringComparison.Ordinal));
            Assert.Contains("from 127.0.0.1: frame_unknown_type", closed, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(key.PublicKey), string.Join('\n', lines), StringComparison.Ordinal);
        }
        finally
        {
            perf.Kill(entireProcessTree: true);
            await perf.WaitForExitAsync();
        }
    }

    private static async Task<string> LineAsync(ConcurrentQueue<string> lines, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            Assert.True(DateTime.UtcNow < deadline, $"perf relay printed no such line; it printed: {string.Join(" / ", lines)}");
            await Task.Delay(50);
        }
    }
}
