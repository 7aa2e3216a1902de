using Perf.Cli.Tests.Results;
using Perf.Load.K6;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.K6;

/// <summary>perf k6 run drives the real k6 when one is installed and says so plainly when none is; perf k6 extract takes runners' results out of their logs.</summary>
public sealed class K6RunCommandTests : TempFolder
{
    [Fact]
    public void Says_plainly_when_the_k6_it_was_given_is_not_there()
    {
        CliRun.Invoke("k6", "run", "--k6", Path.Combine(Folder, "k6")).AssertBadInput("--k6 " + Path.Combine(Folder, "k6") + ": file not found");
        CliRun.Invoke("k6", "run", "--k6", "/bin/true", "--relay", "ws://127.0.0.1:1/ws").AssertBadInput("--relay and --ws-secret go together");
    }

    [Fact]
    public void Says_plainly_when_no_k6_is_installed()
    {
        // Its own process, with a PATH that holds no k6 (this machine has none anyway).
        var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(PerfCommandLine).Assembly.Location);
        start.ArgumentList.Add("k6");
        start.ArgumentList.Add("run");
        start.Environment["PATH"] = Folder;
        using var perf = System.Diagnostics.Process.Start(start)!;
        var error = perf.StandardError.ReadToEnd();
        perf.WaitForExit();

        Assert.Equal(PerfCommandLine.BadInput, perf.ExitCode);
        Assert.StartsWith("perf k6 run: no k6 on the PATH: install k6 v1.6.0 or newer", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [SkippableFact]
    public void Runs_the_script_under_the_real_k6_and_checks_its_exit_code_and_result()
    {
        var k6 = K6Binary.Find(Environment.GetEnvironmentVariable("PATH"));
        Skip.If(k6 is null, "k6 is not installed on this machine (no k6 on the PATH); the Node tests in loadtest/k6 check the script without it");

        var run = CliRun.Invoke("k6", "run", "--users", "2", "--rate", "50", "--duration", "2s");

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Output + run.Error);
        Assert.Contains("k6 exited 0: every threshold passed", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"result: .*result\.json: sent \d+, delivered \d+, lost 0, unsent 0", run.Output);
    }

    [Fact]
    public void Extracts_runner_results_from_their_logs_for_perf_merge()
    {
        var logs = Enumerable.Range(0, 2).Select(index =>
        {
            var result = K6ShardFixture.Result(index, 2, [1007, 2]);
            var log = Path.Combine(Folder, $"runner-{index}.log");
            File.WriteAllText(log, $"     ✓ 'count==0'\n{K6ResultExtractor.Begin}\n{ResultFile.ToJson(result)}\n{K6ResultExtractor.End}\n");
            return log;
        }).ToArray();
        var results = Path.Combine(Folder, "results");

        var extract = CliRun.Invoke("k6", "extract", logs[0], logs[1], "--out", results);

        Assert.True(extract.ExitCode == PerfCommandLine.Ok, extract.Error);
        var files = Directory.GetFiles(results).Order().ToArray();
        Assert.Equal(["k6-result-shard-0-of-2.json", "k6-result-shard-1-of-2.json"], files.Select(Path.GetFileName));
        var merged = Path.Combine(Folder, "merged");
        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("merge", files[0], files[1], "--out", merged).ExitCode);
        Assert.Equal(4, ResultFile.Read(Path.Combine(merged, "result.json")).Metrics.Delivered);

        CliRun.Invoke("k6", "extract", logs[0], logs[0], "--out", Path.Combine(Folder, "again")).AssertBadInput("two logs hold the same shard");
        File.WriteAllText(logs[1], "nothing printed\n");
        CliRun.Invoke("k6", "extract", logs[1], "--out", Path.Combine(Folder, "none")).AssertBadInput("holds no result (was the runner started with RESULT_STDOUT=1?)");
    }
}
