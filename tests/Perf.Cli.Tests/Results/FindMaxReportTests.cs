using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>The report carries what capacity planning reads: the target's cores per step, whether the generator was the limit, and the floor beside each run.</summary>
public sealed class FindMaxReportTests : TempFolder
{
    [Fact]
    public void The_find_max_table_shows_relay_cores_and_a_generator_bound_maximum()
    {
        var result = ResultFixture.Load() with { FindMax = ResultFixture.Load().FindMax! with { GeneratorBound = true } };
        ResultFile.Write(Path.Combine(Folder, "result.json"), result);

        var report = CliRun.Invoke("report", Folder);

        Assert.True(report.ExitCode == PerfCommandLine.Ok, report.Error);
        var markdown = File.ReadAllText(Path.Combine(Folder, "report.md"));
        Assert.Contains("target cores", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2.00 | 50.0 |", markdown, StringComparison.Ordinal); // the step's cores and µs per message
        Assert.Contains("(generator-bound: a lower bound)", markdown, StringComparison.Ordinal);
        Assert.Contains("target KiB per idle connection", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2.00 | 10000 | 19.5 |", markdown, StringComparison.Ordinal); // the fixture's 2 cores, 10,000 held, 20,000 B
    }

    [Fact]
    public void Every_run_is_shown_beside_the_echo_floor_with_cpu_per_message()
    {
        var relay = ResultFixture.Load() with { FindMax = null, Scenario = ResultFixture.Load().Scenario with { Target = "relay-tcp" } };
        var echo = ResultFixture.Load(p99: 300) with
        {
            FindMax = null,
            StartedAt = ResultFixture.Load().StartedAt.AddMinutes(-1),
            Scenario = ResultFixture.Load().Scenario with { Target = "echo" },
            Target = new Perf.Results.Model.TargetUsage { Process = "perf echo", Cpus = "1", CoresUsed = 0.2, CpuUsPerMessage = 10, ContextSwitchesPerMessage = 1.25 },
        };
        Directory.CreateDirectory(Path.Combine(Folder, "a"));
        Directory.CreateDirectory(Path.Combine(Folder, "b"));
        ResultFile.Write(Path.Combine(Folder, "a", "result.json"), echo);
        ResultFile.Write(Path.Combine(Folder, "b", "result.json"), relay);

        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("report", Folder).ExitCode);
        var markdown = File.ReadAllText(Path.Combine(Folder, "report.md"));

        Assert.Contains("## The floor beside every run", markdown, StringComparison.Ordinal);
        Assert.Contains("| echo, 256 B, 20 k msgs/s | perf echo, CPUs 1 | 200 | 300 | 2000 | floor | 10.0 | 37.5 | 0.20 | 1.25 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| relay-tcp, 256 B, 20 k msgs/s | perf relay, unpinned | 200 | 900 | 2000 | 3.0× | 50.0 | 37.5 | 2.00 | - |", markdown, StringComparison.Ordinal);
    }
}
