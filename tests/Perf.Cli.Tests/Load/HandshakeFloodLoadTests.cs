using Perf.Cli.Tests.Results;
using Perf.Results.Files;
using Perf.Results.Model;
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
        // How many it reached is the result's to say (achieved_per_s, reached_rate), not the test's:
        // at SCHED_IDLE beside a full build the flood got 13 attempts in 3.3 s. It attempted some of each.
        foreach (var counts in new[] { flood.Garbage, flood.Abandoned })
        {
            Assert.True(counts.Attempted >= 1, $"attempted {counts.Attempted} in {flood.Seconds:F1} s");
            Assert.Equal(counts.Attempted, counts.Refused + counts.Answered + counts.Unanswered + counts.Failed);
        }

        // It ran in a process of its own beside the generator, at the lowest priority, and says what it reached and spent.
        Assert.Matches(@"^perf flood \(pid \d+\), SCHED_IDLE$", flood.RanIn);
        Assert.Contains($"in {flood.RanIn} while the run goes", run.Output, StringComparison.Ordinal);
        Assert.True(flood.Cores > 0, $"flood cores {flood.Cores}");
        Assert.Equal(Math.Min(flood.Garbage.Attempted, flood.Abandoned.Attempted) / flood.Seconds, flood.AchievedPerSecond!.Value, 6);
        Assert.Equal(flood.AchievedPerSecond >= 95, flood.ReachedRate);

        // The relay's default budget (500, then 20 a second) admitted some; the rest were refused before any work.
        Assert.True(flood.Abandoned.Answered > 0, "the budget admitted some");
        Assert.True(flood.Abandoned.Answered <= 500 + (20 * flood.Seconds) + 1, $"answered {flood.Abandoned.Answered}");
    }

    [Fact]
    public void With_a_baseline_the_same_run_goes_first_without_the_flood_and_both_are_kept_side_by_side()
    {
        var resultPath = Path.Combine(Folder, "flood.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--connections", "4", "--rate", "400", "--duration", "2s", "--warmup", "500ms",
            "--handshake-flood", "100", "--handshake-flood-baseline", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var output = run.Output;
        Assert.True(output.IndexOf("handshake flood baseline: the same run without the flood", StringComparison.Ordinal) < output.IndexOf("handshake flood: 100 connections/s", StringComparison.Ordinal), output);
        Assert.Contains("handshake flood vs without: delivered 100.000 % (without 100.000 %)", output, StringComparison.Ordinal);
        var result = ResultFile.Read(resultPath);
        var flood = result.HandshakeFlood!;
        var baseline = flood.Baseline!;
        // Both runs the same scenario: 400 a second for 2 seconds, all delivered.
        Assert.InRange(baseline.Sent, 800 - 4, 800 + 4);
        Assert.Equal((baseline.Sent, 0L, 100.0), (baseline.Delivered, baseline.Lost, baseline.DeliveredPercent));
        Assert.Equal((result.Metrics.Sent, result.Metrics.Delivered, result.Metrics.EndToEndUs!.P99), (flood.Flooded!.Sent, flood.Flooded.Delivered, flood.Flooded.P99Us!.Value));
        Assert.Equal(flood.Flooded.P99Us!.Value / baseline.P99Us!.Value, flood.P99Ratio!.Value, 9);
        Assert.True(flood.Garbage.Attempted >= 1, $"attempted {flood.Garbage.Attempted}"); // at SCHED_IDLE: what it reached is the result's to say

        // What tells the relay's slowdown from the generator's: both runs' generator lag and cores, and the relay's.
        foreach (var clients in new[] { baseline, flood.Flooded })
        {
            Assert.True(clients.GeneratorLagP99Us >= 0 && clients.GeneratorCores > 0 && clients.TargetCores > 0, $"{clients}");
        }

        Assert.Equal(result.Metrics.GeneratorLagUs!.P99, flood.Flooded.GeneratorLagP99Us);
        var connected = flood.Garbage.Attempted - flood.Garbage.Failed + flood.Abandoned.Attempted - flood.Abandoned.Failed;
        Assert.Equal((flood.Flooded.TargetCores!.Value - baseline.TargetCores!.Value) * flood.Seconds * 1e6 / connected, flood.RelayCpuUsPerConnection!.Value, 6);
        Assert.Contains("us relay CPU per flood connection; flood ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void With_pairs_the_runs_alternate_and_the_result_keeps_every_pair_and_their_median_ratio()
    {
        var (output, result) = ShortFlood("relay-tcp", "--handshake-flood-pairs", "3");
        var flood = result.HandshakeFlood!;

        Assert.Contains("handshake flood pair 1 of 3 (the flood first): end-to-end p99 ", output, StringComparison.Ordinal);
        Assert.Contains("handshake flood pair 2 of 3: end-to-end p99 ", output, StringComparison.Ordinal);
        Assert.Contains("the median of 3 pairs' ratios", output, StringComparison.Ordinal);
        var pairs = flood.Pairs!;
        Assert.Equal([true, false, false], pairs.Select(p => p.FloodFirst));
        Assert.Equal((flood.Baseline!, flood.Flooded!), (pairs[^1].Baseline, pairs[^1].Flooded));
        Assert.All(pairs, pair => Assert.Equal((pair.Baseline.Sent, pair.Flooded.Sent), (pair.Baseline.Delivered, pair.Flooded.Delivered)));
        var ratios = pairs.Select(p => p.P99Ratio!.Value).Order().ToArray();
        Assert.Equal(ratios[1], flood.P99Ratio!.Value, 9);
    }

    [Fact]
    public void The_echo_floor_takes_the_same_flood_and_answers_it_with_its_own_bytes()
    {
        var (_, result) = ShortFlood("echo", "--handshake-flood-baseline");

        var flood = result.HandshakeFlood!;
        Assert.Equal("echo", result.Scenario.Target);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.NotNull(flood.P99Ratio);
        // Echo sends back what it gets: a flood connection that reached it was answered, none refused by it.
        Assert.Equal(flood.Garbage.Attempted - flood.Garbage.Failed - flood.Garbage.Unanswered, flood.Garbage.Answered);
    }

    [Fact]
    public void Handshake_flood_cpus_places_the_floods_process_and_the_result_says_where()
    {
        var flood = ShortFlood("relay-tcp", "--handshake-flood-cpus", "0").Result.HandshakeFlood!;

        Assert.Matches(@"^perf flood \(pid \d+\), CPUs 0, SCHED_IDLE$", flood.RanIn);
        Assert.True(flood.Garbage.Attempted + flood.Abandoned.Attempted >= 1, "it flooded from there");
    }

    // A one-second run of two clients of <target> in its own process under a flood of 50 a second with the flags given; its output and result.
    private (string Output, PerfResult Result) ShortFlood(string target, params string[] flags)
    {
        var resultPath = Path.Combine(Folder, "short-flood.json");
        var run = CliRun.Invoke(["load", "--target", target, "--target-process", "--connections", "2", "--rate", "200", "--duration", "1s", "--warmup", "200ms",
            "--handshake-flood", "50", .. flags, "--out", resultPath]);
        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        return (run.Output, ResultFile.Read(resultPath));
    }

    [Theory]
    [InlineData(new[] { "--handshake-flood-cpus", "0" }, "--handshake-flood-cpus places the flood's process: give --handshake-flood N with it.")]
    [InlineData(new[] { "--handshake-flood", "100", "--handshake-flood-cpus", "first" }, "--handshake-flood-cpus: 'first' is not a CPU list")]
    [InlineData(new[] { "--handshake-flood", "100", "--handshake-flood-cpus", "1023" }, "--handshake-flood-cpus 1023: this process may run on CPUs")]
    public void A_flood_placement_without_a_flood_or_off_this_machines_cpus_is_one_line_and_exit_2(string[] flags, string expected)
    {
        CliRun.Invoke(["load", "--target", "relay-tcp", "--target-process", "--duration", "1s", "--warmup", "0s", .. flags]).AssertBadInput(expected);
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

    [Theory]
    [InlineData(new[] { "--handshake-flood-baseline" }, "give --handshake-flood N")]
    [InlineData(new[] { "--handshake-flood", "100", "--handshake-flood-baseline", "--find-max", "--slo", "p99=50ms" }, "without --find-max")]
    [InlineData(new[] { "--handshake-flood-pairs", "3" }, "--handshake-flood-pairs takes 1 to 20 pairs of runs without and with a --handshake-flood N, without --find-max.")]
    [InlineData(new[] { "--handshake-flood", "100", "--handshake-flood-pairs", "21" }, "--handshake-flood-pairs takes 1 to 20 pairs")]
    public void A_baseline_without_a_flood_or_beside_a_search_is_one_line_and_exit_2(string[] flags, string expected)
    {
        CliRun.Invoke(["load", "--target", "relay-tcp", "--target-process", "--duration", "1s", "--warmup", "0s", .. flags]).AssertBadInput(expected);
    }

    [Theory]
    [InlineData("localhost", "100", "perf flood: ")]
    [InlineData("127.0.0.1:7700", "0", "perf flood: the flood's rate must be a positive number")]
    public void The_flood_process_answers_a_bad_target_or_rate_with_one_line_and_exit_2(string target, string rate, string expected)
    {
        CliRun.Invoke("flood", "--target", target, "--rate", rate).AssertBadInput(expected);
    }
}
