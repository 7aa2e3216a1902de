using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>
/// <c>perf report</c> reads right: the scenario of every run, labels by what was run, failed
/// find-max steps as failed, <c>-</c> where a figure does not apply, one spelling of each unit,
/// ratios over the floor across rounds with their spread, and several folders in one report.
/// </summary>
public sealed class ReportCommandTests : TempFolder
{
    private static readonly DateTimeOffset Start = ResultFixture.Load().StartedAt;

    private static PerfResult Single(string target, double p99, int minute) => ResultFixture.Load(p99: p99) with
    {
        FindMax = null,
        StartedAt = Start.AddMinutes(minute),
        Scenario = ResultFixture.Load().Scenario with { Target = target },
    };

    private string Write(string relative, PerfResult result)
    {
        var path = Path.Combine(Folder, relative, "result.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ResultFile.Write(path, result);
        return path;
    }

    private string Report(params string[] folders)
    {
        var run = CliRun.Invoke(["report", .. folders, "--out", Path.Combine(Folder, "out")]);
        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        return File.ReadAllText(Path.Combine(Folder, "out", "report.md"));
    }

    [Fact]
    public void Rounds_give_each_ratio_over_its_rounds_floor_with_median_and_range()
    {
        // Round 1: echo p99 400, relay 1,200 (3×); round 2: echo 800, relay 2,000 (2.5×); round 3: echo 500, relay 2,000 (4×).
        Write("runs/round-1/echo", Single("echo", 400, 0));
        Write("runs/round-1/relay", Single("relay-tcp", 1_200, 1));
        Write("runs/round-2/echo", Single("echo", 800, 2));
        Write("runs/round-2/relay", Single("relay-tcp", 2_000, 3));
        Write("runs/round-3/echo", Single("echo", 500, 4));
        Write("runs/round-3/relay", Single("relay-tcp", 2_000, 5));

        var markdown = Report(Path.Combine(Folder, "runs"));

        Assert.Contains("| relay-tcp, 256 B, 20 k msgs/s, round 2 | perf relay, unpinned | 200 | 2000 | 2000 | 2.5× |", markdown, StringComparison.Ordinal);
        Assert.Contains("| relay-tcp, 256 B, 20 k msgs/s | 3 | 2000 | 3× (2.5–4×) | 400–800 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| echo, 256 B, 20 k msgs/s | 3 | 500 | floor | 400–800 |", markdown, StringComparison.Ordinal);
        Assert.Contains("the floor's own p99 moved 400 µs → 800 µs between runs", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ratio_below_one_is_flagged_with_its_likely_cause()
    {
        // The floor's p99 moved 411 → 782 µs, and the relay read 0.7× in the round where it was high.
        Write("runs/round-1/echo", Single("echo", 411, 0));
        Write("runs/round-1/relay", Single("relay-tcp", 900, 1));
        Write("runs/round-2/echo", Single("echo", 782, 2));
        Write("runs/round-2/relay", Single("relay-tcp", 550, 3));

        var markdown = Report(Path.Combine(Folder, "runs"));

        Assert.Contains("below 1: the floor's own p99 moved 411 µs → 782 µs between rounds", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_folders_make_one_report_with_every_run()
    {
        var a = Path.GetDirectoryName(Path.GetDirectoryName(Write("a/run", Single("echo", 400, 0)))!)!;
        var b = Path.GetDirectoryName(Path.GetDirectoryName(Write("b/run", Single("relay-tcp", 1_200, 1)))!)!;

        var markdown = Report(a, b);

        Assert.Contains("| relay-tcp, 256 B, 20 k msgs/s | perf relay, unpinned | 200 | 1200 | 2000 | 3.0× |", markdown, StringComparison.Ordinal);
        Assert.Contains(a, markdown, StringComparison.Ordinal);
        Assert.Contains(b, markdown, StringComparison.Ordinal);
        CliRun.Invoke("report", a, Path.Combine(Folder, "missing")).AssertBadInput("missing: no such folder");
    }

    [Fact]
    public void Every_report_says_what_was_run_and_where()
    {
        var pinned = ResultFixture.Pinned();
        Write("run", pinned with { Scenario = pinned.Scenario with { DurationS = 5, WarmupS = 2 } });

        var markdown = Report(Folder);

        Assert.Contains("## What was run", markdown, StringComparison.Ordinal);
        Assert.Contains("| relay-tcp, 256 B, find-max p99 ≤ 50 ms | 1000 | 256 B | find-max up to 57 k msgs/s within p99 ≤ 50 ms, steps of 5 s after 2 s warm-up | perf relay, CPUs 1; generator CPUs 0 | 19000 | - |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_step_shows_as_failed_with_why_and_no_latency_when_it_delivered_nothing()
    {
        var search = ResultFixture.Load().FindMax!;
        var dead = new FindMaxStep { Rate = 60_000, DeliveredRate = 0, P50Us = 0, P99Us = 0, P999Us = 0, Passed = false, Reason = "delivered 0 msgs/s of 60000 offered" };
        Write("run", ResultFixture.Load() with { FindMax = search with { Steps = [.. search.Steps, dead] } });

        var markdown = Report(Folder);
        var html = File.ReadAllText(Path.Combine(Folder, "out", "report.html"));

        Assert.Contains("| relay-tcp, 256 B, find-max p99 ≤ 50 ms | 60000 | 0 | - | - | - | - | - | failed: delivered 0 msgs/s of 60000 offered |", markdown, StringComparison.Ordinal);
        Assert.Contains("| relay-tcp, 256 B, find-max p99 ≤ 50 ms | 60000 | 44000 | 9000 | 400000 | 900000 | - | - | failed |", markdown, StringComparison.Ordinal);
        Assert.Contains("failed steps", html, StringComparison.Ordinal); // the plot's legend marks them apart
        Assert.DoesNotContain("40000 msgs/s", markdown, StringComparison.Ordinal); // not labelled by a rate it offered
    }

    [Fact]
    public void Figures_that_do_not_apply_are_a_dash_and_units_have_one_spelling()
    {
        var echo = Single("echo", 400, 0) with { Target = ResultFixture.Load().Target! with { Process = "perf echo", ContextSwitchesPerMessage = 0 } };
        Write("run", echo);

        var markdown = Report(Folder);

        // Echo answers no send (accepted: -); 0 context switches per message is not a measurement.
        Assert.Contains("| echo, 256 B, 20 k msgs/s | 600000 | - | 599990 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2.00 | - |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(" us ", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("msg/s", markdown.Replace("msgs/s", "", StringComparison.Ordinal).Replace("µs/msg", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
