using System.Diagnostics;
using System.Text.RegularExpressions;
using Perf.Cli.Tests.Results;
using Perf.Results.Files;
using Perf.Results.Tests.Fixtures;

namespace Perf.Cli.Tests.Load;

/// <summary><c>perf load --relay-process</c>: a real perf relay child process, measured and stopped.</summary>
public sealed partial class RelayProcessLoadTests : TempFolder
{
    [Fact]
    public void A_run_against_a_relay_process_records_its_cores_and_memory_and_stops_it()
    {
        var resultPath = Path.Combine(Folder, "result.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--relay-process", "--connections", "4", "--rate", "400", "--duration", "2s", "--warmup", "500ms", "--idle-connections", "100", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.NotNull(result.Relay);
        Assert.InRange(result.Relay.CoresUsed, 0.001, Environment.ProcessorCount);
        Assert.True(result.Relay.MemoryPerConnectionBytes >= 0);
        var pid = int.Parse(ProcessId().Match(run.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid)); // stopped with the run
    }

    [Fact]
    public void Relay_process_options_are_checked_before_anything_starts()
    {
        CliRun.Invoke("load", "--target", "echo", "--relay-process").AssertBadInput("use it with the bare targets relay-tcp or relay-ws");
        CliRun.Invoke("load", "--target", "relay-tcp://127.0.0.1:7400", "--relay-process").AssertBadInput("use it with the bare targets");
        CliRun.Invoke("load", "--target", "relay-tcp", "--relay-process", "--idle-connections", "0").AssertBadInput("--idle-connections must be 1 to 50000");
    }

    [GeneratedRegex(@"\(perf relay, process (\d+)\)")]
    private static partial Regex ProcessId();
}
