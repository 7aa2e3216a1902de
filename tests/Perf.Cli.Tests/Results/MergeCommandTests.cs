using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Results;

/// <summary>perf merge RESULT... --out DIR: exit 0 and a one-line account; bad input is one line and exit 2.</summary>
public sealed class MergeCommandTests : TempFolder
{
    private string Shard(int index, int count, params long[][] histogram)
    {
        var result = K6ShardFixture.Result(index, count, histogram);
        var path = Path.Combine(Folder, $"runner-{index}-{Guid.NewGuid():N}.json");
        ResultFile.Write(path, result);
        return path;
    }

    [Fact]
    public void Merges_two_runner_files_into_a_run_folder_that_perf_report_reads()
    {
        var out_ = Path.Combine(Folder, "merged");

        var run = CliRun.Invoke("merge", Shard(0, 2, [1000, 3], [2000, 1]), Shard(1, 2, [1000, 2], [9000, 4]), "--out", out_);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        Assert.Contains("merged 2 shards", run.Output, StringComparison.Ordinal);
        Assert.Contains("delivered 10", run.Output, StringComparison.Ordinal);
        var merged = ResultFile.Read(Path.Combine(out_, "result.json"));
        Assert.Equal(10, merged.Metrics.EndToEndUs!.Count);
        Assert.Equal(4, merged.Scenario.Connections);
        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("report", out_).ExitCode);
    }

    [Fact]
    public void A_shard_counted_twice_or_missing_is_bad_input_in_one_line()
    {
        var first = Shard(0, 2, [1000, 1]);

        CliRun.Invoke("merge", first, Shard(0, 2, [1000, 1]), "--out", Path.Combine(Folder, "a")).AssertBadInput("shard 0 of 2 counted twice");
        CliRun.Invoke("merge", first, "--out", Path.Combine(Folder, "b")).AssertBadInput("shard 1 of 2 missing");
        CliRun.Invoke("merge", first, Path.Combine(Folder, "absent.json"), "--out", Path.Combine(Folder, "c")).AssertBadInput("file not found");
        Assert.Equal(PerfCommandLine.BadInput, CliRun.Invoke("merge", first).ExitCode);
    }
}
