using System.Xml.Linq;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;
using Case = Perf.Testing.Results.BenchmarkReportFixture.Case;

namespace Perf.Cli.Tests.Results;

public sealed class GateCommandTests : TempFolder
{
    private const string Seal = "Perf.Benchmarks.Aead.Seal(Size: 256)";
    private const string Parse = "Perf.Benchmarks.Frame.Parse";

    private static double[] Noisy(double center, int seed) => BenchmarkReportFixture.Samples(center, 0.02, 15, seed);

    private static double[] ThirtyPercentSlower(double[] samples) => [.. samples.Select(v => v * 1.3)];

    private string Side(string name, params Case[] cases) => BenchmarkReportFixture.Write(Path.Combine(Folder, name), "Suite", cases);

    [Fact]
    public void Identical_runs_pass()
    {
        string baseline = Side("base", new Case(Seal, Noisy(100, 1), 0), new Case(Parse, Noisy(20, 2), 0));

        var run = CliRun.Invoke("gate", baseline, baseline);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("gate: passed", run.Output.TrimEnd().Split('\n')[^1]);
        Assert.Contains("4 entries: 0 slower", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void Every_sample_30_percent_slower_fails()
    {
        double[] before = Noisy(100, 1);
        string baseline = Side("base", new Case(Seal, before, 0));
        string current = Side("current", new Case(Seal, ThirtyPercentSlower(before), 0));

        var run = CliRun.Invoke("gate", baseline, current);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("slower", run.Output, StringComparison.Ordinal);
        Assert.Contains("gate: FAILED, 1 regression(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_lines_list_each_failure_by_full_name_and_the_next_step()
    {
        const string longName = "Perf.Benchmarks.Aead.AeadBenchmarks.Seal(Cipher: \"xchacha20-poly1305/sodium\", Size: 65536)";
        double[] before = Noisy(100, 1);
        string baseline = Side("base", new Case(longName, before, 0), new Case(Parse, Noisy(20, 2), 0));
        string current = Side("current", new Case(longName, ThirtyPercentSlower(before), 0), new Case(Parse, Noisy(20, 2), 0));

        var run = CliRun.Invoke("gate", baseline, current);

        string[] lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal("gate: FAILED, 1 regression(s)", lines[^3]);
        Assert.Equal($"  slower {longName}/time: 1.300x, threshold ±5%", lines[^2]);
        Assert.StartsWith("next: ", lines[^1], StringComparison.Ordinal);
        Assert.Contains("perf gate --ab BASE_REF --filter 'NAME'", lines[^1], StringComparison.Ordinal);
        Assert.Contains("perf baseline update", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Table_cells_never_wrap_so_grep_finds_a_name_with_its_parameters()
    {
        string name = "Perf.Benchmarks.Relay.RelayPathBenchmarks.Forward(Cipher: \"chacha20-poly1305/libcrypto\", Connections: 10000, Padding: \"padme\", Size: 61440)";

        var run = CliRun.Invoke("gate", Side("base", new Case(name, Noisy(100, 1), 0)), Side("current", new Case(name, Noisy(100, 1), 0)));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Output.Split('\n').Count(l => l.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_tiny_p_value_prints_as_below_a_thousandth_not_zero()
    {
        double[] before = Noisy(100, 1);

        var run = CliRun.Invoke("gate", Side("base", new Case(Seal, before, 0)), Side("current", new Case(Seal, ThirtyPercentSlower(before), 0)));

        Assert.Contains("│ < 0.001 │", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("│       0 │", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void One_byte_more_allocated_fails()
    {
        double[] samples = Noisy(100, 1);

        var run = CliRun.Invoke("gate", Side("base", new Case(Seal, samples, 0)), Side("current", new Case(Seal, samples, 1)));

        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Two_percent_noise_passes()
    {
        var run = CliRun.Invoke("gate", Side("base", new Case(Seal, Noisy(100, 10), 32)), Side("current", new Case(Seal, Noisy(100, 11), 32)));

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Added_and_removed_benchmarks_do_not_fail_the_gate()
    {
        var run = CliRun.Invoke("gate",
            Side("base", new Case(Seal, Noisy(100, 1), 0), new Case("Old.Bench", Noisy(5, 3), 0)),
            Side("current", new Case(Seal, Noisy(100, 1), 0), new Case("New.Bench", Noisy(5, 3), 0)));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("added", run.Output, StringComparison.Ordinal);
        Assert.Contains("removed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void JUnit_output_has_one_testcase_per_entry_and_the_failures()
    {
        double[] before = Noisy(100, 1);
        string baseline = Side("base", new Case(Seal, before, 0), new Case(Parse, Noisy(20, 2), 0));
        string current = Side("current", new Case(Seal, ThirtyPercentSlower(before), 0), new Case(Parse, Noisy(20, 2), 8));
        string junit = Path.Combine(Folder, "gate.xml");

        var run = CliRun.Invoke("gate", baseline, current, "--junit", junit);

        Assert.Equal(1, run.ExitCode);
        var document = XDocument.Load(junit);
        var testcases = document.Descendants("testcase").ToList();
        // Two benchmarks × (time, allocated); Seal's time and Parse's allocation regressed.
        Assert.Equal(4, testcases.Count);
        var failed = testcases.Where(t => t.Element("failure") is not null).Select(t => $"{t.Attribute("classname")!.Value}/{t.Attribute("name")!.Value}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"{Seal}/time", $"{Parse}/allocated"], failed);
    }

    [Fact]
    public void A_rules_file_loosens_a_threshold()
    {
        double[] before = Noisy(100, 1);
        string rules = Path.Combine(Folder, "gate.json");
        File.WriteAllText(rules, """{"rules":[{"match":"*Aead.Seal*","threshold":"40%"}]}""");

        var run = CliRun.Invoke("gate", Side("base", new Case(Seal, before, 0)), Side("current", new Case(Seal, ThirtyPercentSlower(before), 0)), "--rules", rules);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("±40%", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_results_in_folders_are_gated_too()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "lb"));
        Directory.CreateDirectory(Path.Combine(Folder, "lc"));
        ResultFile.Write(Path.Combine(Folder, "lb", "run.json"), ResultFixture.Load(p99: 900));
        ResultFile.Write(Path.Combine(Folder, "lc", "run.json"), ResultFixture.Load(p99: 1200));

        var run = CliRun.Invoke("gate", Path.Combine(Folder, "lb"), Path.Combine(Folder, "lc"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("end_to_end_us.p99", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_bad_input()
    {
        CliRun.Invoke("gate", Path.Combine(Folder, "nope.json"), Path.Combine(Folder, "nope.json")).AssertBadInput("no such file or folder");
    }

    [Fact]
    public void Malformed_json_is_bad_input()
    {
        string broken = Path.Combine(Folder, "broken-report-full.json");
        File.WriteAllText(broken, "{\"Benchmarks\": [");

        CliRun.Invoke("gate", broken, broken).AssertBadInput("malformed JSON");
    }

    [Fact]
    public void Wrong_schema_is_bad_input()
    {
        string path = Path.Combine(Folder, "run.json");
        File.WriteAllText(path, ResultFile.ToJson(ResultFixture.Load()).Replace("perf-result/1", "perf-result/9", StringComparison.Ordinal));

        CliRun.Invoke("gate", path, path).AssertBadInput("schema is 'perf-result/9'");
    }

    [Theory]
    [InlineData("--threshold", "-5%")]
    [InlineData("--threshold", "abc")]
    [InlineData("--alpha", "0")]
    [InlineData("--min-iterations", "0")]
    [InlineData("--min-iterations", "-3")]
    public void Out_of_range_options_are_bad_input(string option, string value)
    {
        string baseline = Side("base", new Case(Seal, Noisy(100, 1), 0));

        CliRun.Invoke("gate", baseline, baseline, option, value).AssertBadInput(option);
    }
}
