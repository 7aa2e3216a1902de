using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

public sealed class BaselineCommandTests : TempFolder
{
    [Fact]
    public void Update_copies_benchmark_reports_and_load_results_named_after_their_run()
    {
        var run = Path.Combine(Folder, "run");
        var loadFolder = Path.Combine(run, "20261125-010101-load-relay-tcp");
        Directory.CreateDirectory(loadFolder);
        ResultFile.Write(Path.Combine(loadFolder, RunFiles.ResultFileName), ResultFixture.Load());
        BenchmarkReportFixture.Write(run, "Aead", new BenchmarkReportFixture.Case("Seal", BenchmarkReportFixture.Samples(100, 1, 10, 1), 0));
        File.WriteAllText(Path.Combine(run, "unrelated.json"), "{\"hello\":1}");
        var baselines = Path.Combine(Folder, "baseline");

        var result = CliRun.Invoke("baseline", "update", run, "--name", "ci", "--baselines", baselines);

        Assert.Equal(PerfCommandLine.Ok, result.ExitCode);
        var copied = Directory.GetFiles(Path.Combine(baselines, "ci")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(2, copied.Length);
        Assert.Contains("20261125-010101-load-relay-tcp.json", copied);
        Assert.Contains(copied, f => f!.EndsWith("-report-full.json", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_of_a_missing_or_empty_folder_or_a_path_as_name_is_bad_input()
    {
        CliRun.Invoke("baseline", "update", Path.Combine(Folder, "nope"), "--baselines", Folder).AssertBadInput("no such run folder");
        CliRun.Invoke("baseline", "update", Folder, "--baselines", Path.Combine(Folder, "b")).AssertBadInput("holds no *-report-full.json");
        CliRun.Invoke("baseline", "update", Folder, "--name", "../escape", "--baselines", Folder).AssertBadInput("a plain folder name");
    }
}
