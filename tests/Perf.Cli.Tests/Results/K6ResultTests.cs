using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>Results written by the k6 script (tool k6, no machine fields, no .hlog) go through compare, gate and report.</summary>
public sealed class K6ResultTests : TempFolder
{
    private static PerfResult K6Result(double p99) => ResultFixture.Load(p99) with
    {
        Tool = "k6",
        FindMax = null,
        Target = null,
        Generator = null,
        Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" },
    };

    [Fact]
    public void Compare_gate_and_report_read_k6_results()
    {
        var baseline = Path.Combine(Folder, "baseline");
        var current = Path.Combine(Folder, "current");
        Directory.CreateDirectory(baseline);
        Directory.CreateDirectory(current);
        ResultFile.Write(Path.Combine(baseline, "k6-result.json"), K6Result(900));
        ResultFile.Write(Path.Combine(current, "k6-result.json"), K6Result(2000));

        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("compare", baseline, current).ExitCode);
        var gate = CliRun.Invoke("gate", baseline, current);
        Assert.Equal(PerfCommandLine.Failed, gate.ExitCode);
        Assert.Contains("end_to_end_us.p99", gate.Output, StringComparison.Ordinal);

        var report = CliRun.Invoke("report", current);
        Assert.True(report.ExitCode == PerfCommandLine.Ok, report.Error);
        var markdown = File.ReadAllText(Path.Combine(current, "report.md"));
        Assert.Contains("| tool | k6 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| CPU | - |", markdown, StringComparison.Ordinal);
    }
}
