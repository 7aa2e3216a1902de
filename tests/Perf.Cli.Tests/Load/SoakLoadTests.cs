using Perf.Cli.Load;
using Perf.Cli.Options;
using Perf.Cli.Tests.Results;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Results.Soak;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// <c>perf load</c> as a soak, with a one-second minute (<c>--series-interval 1s</c>): the per-minute
/// series of a relay process, the rule's verdict and exit code, the client behaviours' counts, and
/// their flags' bad input.
/// </summary>
public sealed class SoakLoadTests : TempFolder
{
    [Fact]
    public void A_short_soak_of_a_relay_process_with_every_behaviour_behind_an_impaired_network_writes_its_series_and_judges_it()
    {
        var resultPath = Path.Combine(Folder, "soak.json");

        // Bounds no busy machine breaks: the run passes unless something is lost or not read.
        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--connections", "6", "--rate", "300", "--duration", "4s", "--warmup", "500ms",
            "--idle-connections", "40", "--series-interval", "1s", "--soak", "--soak-warmup", "1s", "--soak-rss-slope", "1000000", "--soak-p99-ratio", "1000",
            "--churn", "20", "--slow-consumers", "20", "--slow-consumer-rate", "100000", "--vanishing", "10", "--network", "latency=20ms,seed=3", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Output + run.Error);
        Assert.Contains("soak: passed", run.Output, StringComparison.Ordinal);
        var result = ResultFile.Read(resultPath);
        var series = result.Series!;
        Assert.Equal([0, 1, 2, 3], series.Select(e => e.Index));
        Assert.Equal(result.Metrics.Sent, series.Sum(e => e.Sent));
        Assert.All(series, e => Assert.True(e.RssBytes > 0 && e.Handles > 40 && e.GcHeapBytes > 0 && e.Gen2Collections >= 0 && e.GcPauseMs >= 0 && e.MailboxDepth >= 0, $"entry {e.Index}: {e}"));
        var slopes = result.SeriesSlopes!;
        Assert.Equal((1.0, 4), (slopes.FromS, slopes.Points));

        // --soak-gc induced (the default): every reading followed a full collection the harness induced in the relay.
        // Per entry that shows only a minute apart: a sampler woken late on a busy machine takes readings within the
        // relay's 300 ms scrape cache of each other, so here only the run's total is asserted.
        Assert.Equal((SeriesSlopeFit.InducedCollectionsBasis, 4), (slopes.RssBasis, slopes.RssPoints));
        Assert.True(series.Sum(e => e.Gen2Collections) >= 1, "no full collection in the series");
        Assert.NotNull(slopes.RssPercent);
        var soak = result.Soak!;
        Assert.True(soak.Passed);
        Assert.Equal(2, soak.WindowS); // five minutes of one second, at most half the run

        var behaviours = result.Behaviours!;
        Assert.Equal(0, behaviours.Churn!.Load.Failed);
        Assert.True(behaviours.Churn.Load.Reconnected > 0);
        Assert.Equal(40, behaviours.Churn.Idle!.Clients);
        Assert.True(behaviours.Churn.Idle.Reconnected > 0);
        Assert.Equal(0, behaviours.Churn.Idle.Failed);
        Assert.Equal((1, 5), (behaviours.SlowConsumers!.Slow.Connections, behaviours.SlowConsumers.Others.Connections));
        Assert.Equal(behaviours.SlowConsumers.Others.Sent, behaviours.SlowConsumers.Others.Delivered);
        Assert.True(behaviours.SlowConsumers.CaughtUp, $"catch-up {behaviours.SlowConsumers.CatchUpS} s");
        Assert.Contains("slow consumers: caught up in ", run.Output, StringComparison.Ordinal);
        Assert.True(behaviours.Vanishing!.Vanished > 0);
        Assert.Equal(0, result.Metrics.Lost);
        // The run's connections and each churned return crossed the impaired network.
        var proxy = result.Scenario.Network!.Proxy!;
        Assert.True(proxy.Connections >= 6 + behaviours.Churn.Load.Reconnected, $"{proxy.Connections} proxied connections");
        Assert.Equal(0, proxy.UpstreamFailures);
    }

    [Fact]
    public async Task A_broken_soak_rule_prints_one_line_per_rule_and_fails()
    {
        using var output = new StringWriter();
        var failed = ResultFixture.Soak() with
        {
            Soak = ResultFixture.Soak().Soak! with { Passed = false, Failures = ["memory: resident set grew 7 %/h after the warm-up (bound 5 %/h; 21 MB/h)", "loss: 3 message(s) lost (bound 0)"] },
        };

        var passed = await SoakVerdictLines.WriteAsync(output, [ResultFixture.Load(), failed]);

        Assert.False(passed);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("soak: relay-tcp: memory: resident set grew 7 %/h after the warm-up (bound 5 %/h; 21 MB/h)", lines[0]);
        Assert.Equal("soak: relay-tcp: loss: 3 message(s) lost (bound 0)", lines[1]);
        Assert.Equal("soak: FAILED, 2 rule(s) broken", lines[^1]);
    }

    [Fact]
    public async Task Runs_the_rule_did_not_judge_print_nothing_and_pass()
    {
        using var output = new StringWriter();

        Assert.True(await SoakVerdictLines.WriteAsync(output, [ResultFixture.Load()]));
        Assert.Empty(output.ToString());
    }

    [Theory]
    [InlineData(new[] { "--churn", "101" }, "--churn takes a percentage")]
    [InlineData(new[] { "--churn", "10", "--target", "relay-ws" }, "--churn and --slow-consumers act on relay-tcp")]
    [InlineData(new[] { "--slow-consumers", "5", "--target", "echo" }, "--churn and --slow-consumers act on relay-tcp")]
    [InlineData(new[] { "--slow-consumers", "5", "--slow-consumer-rate", "1" }, "--slow-consumer-rate must be at least 64")]
    [InlineData(new[] { "--churn-away", "soon" }, "--churn-away takes a time")]
    [InlineData(new[] { "--vanishing", "5" }, "--vanishing acts on idle clients")]
    [InlineData(new[] { "--series-interval", "0s" }, "--series-interval takes a time of at least 1s")]
    [InlineData(new[] { "--soak", "--duration", "1s" }, "--soak needs at least two series entries")]
    [InlineData(new[] { "--soak", "--find-max", "--duration", "10m" }, "--soak judges one long run")]
    [InlineData(new[] { "--soak-p99-ratio", "0.5" }, "the p99 ratio bound must be at least 1")]
    [InlineData(new[] { "--soak-gc", "sometimes" }, "--soak-gc takes induced or natural, not 'sometimes'")]
    public void Bad_soak_and_behaviour_flags_are_one_line_and_exit_2(string[] flags, string expected)
    {
        CliRun.Invoke(["load", "--warmup", "0s", .. flags]).AssertBadInput(expected);
    }

    [Theory]
    [InlineData("10m", false, false, true)]
    [InlineData("9m", false, false, false)]
    [InlineData("30m", true, false, false)]
    [InlineData("2m", false, true, true)]
    public void The_rule_is_on_by_default_from_ten_minutes_and_never_for_a_search(string duration, bool findMax, bool asked, bool judged)
    {
        var soak = new SoakArguments();
        var parse = new System.CommandLine.Command("load").WithOptions(soak).Parse(asked ? ["--soak"] : []);
        Assert.True(Perf.Load.DurationText.TryParse(duration, out var measured));

        Assert.True(soak.TryRead(parse, measured, findMax, out var interval, out var rule, out var induce, out var problem), problem);
        Assert.Equal(judged, rule is not null);
        Assert.True(induce);
        Assert.Equal(TimeSpan.FromMinutes(1), interval);
        Assert.Equal(TimeSpan.FromMinutes(10), SoakArguments.AutomaticFrom);
    }
}
