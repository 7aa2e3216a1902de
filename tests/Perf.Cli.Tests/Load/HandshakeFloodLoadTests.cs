using Perf.Cli.Tests.Results;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Load;

/// <summary><c>perf load --handshake-flood N</c>: a hostile client beside the legitimate ones, its counts kept in the result.</summary>
public sealed class HandshakeFloodLoadTests : TempFolder
{
    [Fact]
    public void A_short_flooded_run_loses_nothing_and_keeps_the_floods_counts_in_the_result()
    {
        var resultPath = Path.Combine(Folder, "flood.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--connections", "4", "--rate", "400", "--duration", "2s", "--warmup", "500ms",
            "--handshake-flood", "100", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        Assert.Contains("handshake flood from 127.0.0.254: 100/s of both", run.Output, StringComparison.Ordinal);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Delivered);

        var flood = result.HandshakeFlood!;
        Assert.Equal(100, flood.RatePerSecond);
        Assert.Equal(("both", "127.0.0.254"), (flood.Kinds, flood.Source));
        foreach (var counts in new[] { flood.Garbage, flood.Abandoned })
        {
            Assert.True(counts.Attempted >= 100, $"attempted {counts.Attempted} in {flood.Seconds:F1} s");
            Assert.Equal(counts.Attempted, counts.Refused + counts.Answered + counts.Unanswered + counts.Failed);
        }

        // The relay's default budget (500, then 20 a second) admitted some; the rest were refused before any work.
        Assert.True(flood.Abandoned.Answered > 0, "the budget admitted some");
        Assert.True(flood.Abandoned.Answered <= 500 + (20 * flood.Seconds) + 1, $"answered {flood.Abandoned.Answered}");
    }

    [Theory]
    [InlineData("relay-tcp", false, "-1", "--handshake-flood takes connections a second")]
    [InlineData("relay-tcp", false, "100", "--handshake-flood floods a relay's Noise/TCP listener")]
    [InlineData("relay-ws", true, "100", "--handshake-flood floods a relay's Noise/TCP listener")]
    public void A_flood_without_a_relay_tcp_process_or_with_a_bad_rate_is_one_line_and_exit_2(string target, bool process, string rate, string expected)
    {
        string[] arguments = ["load", "--target", target, "--duration", "1s", "--warmup", "0s", "--handshake-flood", rate];
        CliRun.Invoke(process ? [.. arguments, "--target-process"] : arguments).AssertBadInput(expected);
    }
}
