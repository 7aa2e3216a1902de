using Perf.Results.Files;
using Perf.Results.Tests.Fixtures;

namespace Perf.Cli.Tests.Results;

/// <summary>The report's find-max table carries what capacity planning reads: the relay's cores per step and whether the generator was the limit.</summary>
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
        Assert.Contains("relay cores", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1.60 |", markdown, StringComparison.Ordinal);
        Assert.Contains("(generator-bound: a lower bound)", markdown, StringComparison.Ordinal);
        Assert.Contains("relay KiB per idle connection", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2.00 | 19.5 |", markdown, StringComparison.Ordinal); // the fixture's 2 cores and 20,000 B
    }
}
