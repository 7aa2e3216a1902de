using System.Text.Json;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>The fixture result: 40000 msg/s at p99 ≤ 50 ms on 2 cores, 20000 B per connection, 8e9 B of memory, 256-byte messages.</summary>
public sealed class CapacityCommandTests : TempFolder
{
    private readonly string resultPath;

    public CapacityCommandTests()
    {
        resultPath = Path.Combine(Folder, "findmax.json");
        ResultFile.Write(resultPath, ResultFixture.Load());
    }

    private string[] Args(params string[] overrides)
    {
        var options = new Dictionary<string, string>
        {
            ["--result"] = resultPath,
            ["--users"] = "10000000",
            ["--concurrent-fraction"] = "0.1",
            ["--msgs-per-user-per-day"] = "43.2",
            ["--peak-factor"] = "2",
            ["--size"] = "256",
            ["--slo"] = "p99=50ms",
            ["--headroom"] = "20%",
        };
        for (int i = 0; i < overrides.Length; i += 2) options[overrides[i]] = overrides[i + 1];
        return ["capacity", .. options.SelectMany(o => new[] { o.Key, o.Value })];
    }

    [Fact]
    public void Prints_assumptions_formulas_and_writes_json()
    {
        // connections = 1e7 × 0.1 = 1,000,000; peak = 1e7 × 43.2 / 86400 × 2 = 10,000 msg/s;
        // cores = 10,000 / (20,000 × 0.8) = 0.625 -> 1 node of the measured 2 cores;
        // memory = 1e6 × 20,000 / 0.8 = 2.5e10 B -> ceil(2.5e10 / 8e9) = 4 nodes of the measured 8e9 B: memory binds.
        string outPath = Path.Combine(Folder, "plan.json");

        var run = CliRun.Invoke(Args("--out", outPath));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("connections = users × fraction = 10,000,000 × 0.1 = 1,000,000", run.Output, StringComparison.Ordinal);
        Assert.Contains("= 10,000", run.Output, StringComparison.Ordinal);
        Assert.Contains("headroom = 20%", run.Output, StringComparison.Ordinal);
        Assert.Contains("Result: 4 relay node(s), bound by memory (msg/s per core from CPU per message).", run.Output, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(File.ReadAllText(outPath));
        Assert.Equal(4, plan.RootElement.GetProperty("nodes").GetInt64());
        Assert.Equal(1, plan.RootElement.GetProperty("nodes_for_cpu").GetInt64());
        Assert.Equal("memory", plan.RootElement.GetProperty("binding").GetString());
        Assert.Equal(10_000, plan.RootElement.GetProperty("peak_msgs_per_s").GetDouble(), 6);
    }

    [Fact]
    public void Node_size_options_change_the_binding_resource()
    {
        // 64e9 B per node: memory needs ceil(2.5e10 / 6.4e10) = 1 node; 0.5 cores per node: cpu needs ceil(0.625 / 0.5) = 2.
        var run = CliRun.Invoke(Args("--memory-per-node", "64000000000", "--cores-per-node", "0.5"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Result: 2 relay node(s), bound by cpu (msg/s per core from CPU per message).", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--users", "-5", "--users must be positive")]
    [InlineData("--users", "0", "--users must be positive")]
    [InlineData("--concurrent-fraction", "1.5", "--concurrent-fraction must be in (0, 1]")]
    [InlineData("--concurrent-fraction", "0", "--concurrent-fraction must be in (0, 1]")]
    [InlineData("--msgs-per-user-per-day", "0", "--msgs-per-user-per-day must be positive")]
    [InlineData("--peak-factor", "-2", "--peak-factor must be at least 1")]
    [InlineData("--size", "0", "--size must be positive")]
    [InlineData("--size", "4096", "cannot vouch for 4096-byte ones")]
    [InlineData("--headroom", "-10%", "--headroom")]
    [InlineData("--headroom", "100%", "--headroom must be at least 0% and below 100%")]
    [InlineData("--slo", "p99=fast", "--slo")]
    [InlineData("--slo", "p99=10ms", "weaker than the asked")]
    [InlineData("--cores-per-node", "0", "--cores-per-node must be positive")]
    public void Bad_inputs_exit_2_with_one_line(string option, string value, string expected)
    {
        CliRun.Invoke(Args(option, value)).AssertBadInput(expected);
    }

    [Fact]
    public void Missing_or_invalid_result_files_exit_2()
    {
        CliRun.Invoke(Args("--result", Path.Combine(Folder, "nope.json"))).AssertBadInput("file not found");
        string broken = Path.Combine(Folder, "broken.json");
        File.WriteAllText(broken, "[");
        CliRun.Invoke(Args("--result", broken)).AssertBadInput("not a perf-result/1 file");
    }

    [Fact]
    public void A_result_without_a_target_section_exits_2_saying_how_to_measure_one()
    {
        string embedded = Path.Combine(Folder, "embedded.json");
        ResultFile.Write(embedded, ResultFixture.Load() with { Target = null, Generator = null });

        CliRun.Invoke(Args("--result", embedded)).AssertBadInput("--target-process");
    }

    [Fact]
    public void A_single_run_that_missed_the_asked_slo_exits_2()
    {
        string plain = Path.Combine(Folder, "plain.json");
        ResultFile.Write(plain, ResultFixture.Load() with { FindMax = null });

        Assert.Equal(0, CliRun.Invoke(Args("--result", plain)).ExitCode);
        CliRun.Invoke(Args("--result", plain, "--slo", "p99=500us")).AssertBadInput("over the asked p99=500us");
    }
}
