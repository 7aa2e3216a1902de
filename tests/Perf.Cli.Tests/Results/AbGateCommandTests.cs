using System.Text.Json;
using System.Xml.Linq;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Results;

/// <summary>
/// <c>perf gate --ab</c>: its command line refused before anything is built, and once end to end
/// (a worktree of HEAD under .gate/, a Release build, six interleaved rounds of two benchmarks)
/// with a known slowdown injected into one of them, which must be the one and only failure.
/// </summary>
public sealed class AbGateCommandTests : TempFolder
{
    private const string Injected = "Perf.Benchmarks.Aead.AeadBenchmarks.Seal(Cipher: \"chacha20-poly1305/sodium\", Size: 64)";
    private const string Other = "Perf.Benchmarks.Aead.AeadBenchmarks.Seal(Cipher: \"xchacha20-poly1305/sodium\", Size: 64)";

    [Fact]
    public void A_100_percent_slowdown_injected_into_one_row_fails_that_row_and_no_other()
    {
        string junit = Path.Combine(Folder, "gate.xml");

        var run = CliRun.Invoke("gate", "--ab", "HEAD", "--head", "HEAD", "--filter", Injected, Other,
            "--inject-slowdown", $"{Injected}=100%", "--min-rounds", "6", "--max-rounds", "6", "--seed", "7", "--budget", "30m", "--junit", junit);

        Assert.True(run.ExitCode == 1, run.Output + run.Error);
        string[] lines = run.Output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        // The closing lines: the verdict, the one failure by its full name (never wrapped), then
        // only unsure rows (the other row, if a loaded machine left it undecided) and next steps.
        int verdict = Array.FindLastIndex(lines, l => l.StartsWith("gate: ", StringComparison.Ordinal));
        Assert.StartsWith("gate: FAILED, 1 regression(s)", lines[verdict], StringComparison.Ordinal);
        Assert.StartsWith($"  slower {Injected}/time: ", lines[verdict + 1], StringComparison.Ordinal);
        Assert.All(lines[(verdict + 2)..], l => Assert.True(l.StartsWith($"  unsure {Other}/", StringComparison.Ordinal) || l.StartsWith("next: ", StringComparison.Ordinal), l));
        Assert.StartsWith("next: ", lines[^1], StringComparison.Ordinal);
        Assert.Contains("caught 1 of 1 affected rows (100.0%)", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"seed 7;", run.Output);

        string folder = lines.Single(l => l.StartsWith("gate record: ", StringComparison.Ordinal))["gate record: ".Length..];
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "gate.json")));
        Assert.Equal("perf-gate-ab/1", record.RootElement.GetProperty("schema").GetString());
        Assert.Equal(7, record.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(6, record.RootElement.GetProperty("rounds").GetArrayLength());
        // One look (6 to 6 rounds), so the flagging interval is the 95 % one.
        Assert.Equal([6], record.RootElement.GetProperty("decision_rounds").EnumerateArray().Select(r => r.GetInt32()));
        Assert.Equal(0.05, record.RootElement.GetProperty("flag_alpha").GetDouble(), 12);
        var time = record.RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == Injected && r.GetProperty("metric").GetString() == "time");
        Assert.Equal(6, time.GetProperty("base").GetArrayLength());
        Assert.Equal(6, time.GetProperty("head").GetArrayLength());
        Assert.Equal("slower", time.GetProperty("verdict").GetString());
        // Doing the operation twice: a ratio near 2 (the hook's counter adds a little).
        Assert.InRange(time.GetProperty("estimate").GetDouble(), 1.6, 2.4);

        var failed = XDocument.Load(junit).Descendants("failure").Select(f => f.Parent!.Attribute("classname")!.Value).ToList();
        Assert.Equal([Injected], failed);
    }

    [Theory]
    [InlineData("--ab no-such-ref-zz9", "--ab no-such-ref-zz9: not a commit")]
    [InlineData("--ab HEAD --head no-such-ref-zz9", "--head no-such-ref-zz9: not a commit")]
    [InlineData("--ab HEAD base.json current.json", "give no BASELINE/CURRENT")]
    [InlineData("--ab HEAD --budget 0", "--budget 0")]
    [InlineData("--ab HEAD --budget soon", "--budget soon")]
    [InlineData("--ab HEAD --inject-slowdown *Seal*", "--inject-slowdown *Seal*: GLOB=N%")]
    [InlineData("--ab HEAD --inject-slowdown *Seal*=0%", "N% must be above 0%")]
    [InlineData("--ab HEAD --min-rounds 1", "--min-rounds")]
    [InlineData("--ab HEAD --max-rounds 5", "--max-rounds (5) must be at least --min-rounds (10)")]
    [InlineData("--ab HEAD --threshold 0%", "--threshold")]
    [InlineData("--ab HEAD --alpha 0.5", "--alpha")]
    [InlineData("--ab HEAD --rules gate.json", "--rules applies to perf gate BASELINE CURRENT")]
    [InlineData("--ab HEAD --load --inject-slowdown *=5%", "--inject-slowdown is a benchmark knob")]
    [InlineData("base.json current.json --filter *Seal*", "--filter goes with --ab")]
    [InlineData("base.json current.json --budget 5m", "--budget goes with --ab")]
    [InlineData("", "give BASELINE and CURRENT")]
    public void A_command_line_the_ab_gate_cannot_run_is_one_line_and_exit_2(string arguments, string expected)
    {
        var run = CliRun.Invoke(["gate", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        run.AssertBadInput(expected);
    }

    [Theory]
    [InlineData("--targets echo,relay-tcp", "--targets does not fit a gate")]
    [InlineData("--find-max --slo p99=5ms", "--find-max does not fit a gate")]
    [InlineData("--rate 100 --out x.json", "--out does not fit a gate")]
    public void Load_arguments_the_gate_cannot_compare_are_refused(string load, string expected)
    {
        var run = CliRun.Invoke("gate", "--ab", "HEAD", "--load", load);

        run.AssertBadInput(expected);
    }
}
