using System.Text.Json;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>
/// <c>perf capacity</c> on the pinned fixture (38 µs per message at 64 % of its CPU, 20 µs per
/// PING, 450 µs per handshake, 8,000 + 3,000 B per connection over 19,000, 2 cores, 24 GiB) for
/// the 50 M users; the worked plan in docs/commands.md is the command's output on the real
/// result beside it (docs/examples/capacity-pinned-relay-tcp.json).
/// </summary>
public sealed class CapacityCommandTests : TempFolder
{
    private readonly string resultPath;

    public CapacityCommandTests()
    {
        resultPath = Path.Combine(Folder, "pinned.json");
        ResultFile.Write(resultPath, ResultFixture.Pinned());
    }

    private string[] Args(params string[] overrides)
    {
        var options = new Dictionary<string, string>
        {
            ["--result"] = resultPath,
            ["--users"] = "50000000",
            ["--concurrent-fraction"] = "0.1",
            ["--msgs-per-user-per-day"] = "40",
            ["--peak-factor"] = "3",
            ["--size"] = "256",
            ["--slo"] = "p99=50ms",
        };
        for (int i = 0; i < overrides.Length; i += 2) options[overrides[i]] = overrides[i + 1];
        return ["capacity", .. options.SelectMany(o => new[] { o.Key, o.Value })];
    }

    [Fact]
    public void The_fifty_million_plan_names_every_limit_and_the_binding_one_and_writes_json()
    {
        string outPath = Path.Combine(Folder, "plan.json");

        var run = CliRun.Invoke(Args("--out", outPath));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("keep-alives    connections / keep-alive interval = 5,000,000 / 60 s = 83.3 k PINGs/s", run.Output, StringComparison.Ordinal);
        Assert.Contains("CPU: reconnects", run.Output, StringComparison.Ordinal);
        Assert.Contains("memory: kernel per connection       kernel socket memory per connection (sockstat+slabinfo), measured = 2.93 KiB", run.Output, StringComparison.Ordinal);
        Assert.Contains("= ceil(5,000,000 / 140,000) = 36   <- binding", run.Output, StringComparison.Ordinal);
        Assert.Contains("Result: 36 relay node(s), bound by connections per node.", run.Output, StringComparison.Ordinal);
        Assert.Contains("! a memory-store relay keeps every held message in its own memory", run.Output, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(File.ReadAllText(outPath));
        Assert.Equal(36, plan.RootElement.GetProperty("nodes").GetInt64());
        Assert.Equal("connections", plan.RootElement.GetProperty("binding").GetString());
        Assert.Equal(6, plan.RootElement.GetProperty("relay").GetProperty("limits")[0].GetProperty("nodes").GetInt64());
        Assert.Equal(69_444.444, plan.RootElement.GetProperty("peak_msgs_per_s").GetDouble(), 3);
    }

    [Fact]
    public void The_worked_plan_in_the_docs_is_what_the_command_prints()
    {
        var docs = File.ReadAllText(Path.Combine(Perf.Vectors.VectorDirectory.FindRepoRoot()!, "docs", "commands.md"));
        const string start = "<!-- capacity-50m -->\n```\n";
        var from = docs.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, "docs/commands.md lost its worked capacity plan");
        var block = docs[(from + start.Length)..docs.IndexOf("```", from + start.Length, StringComparison.Ordinal)];

        var run = CliRun.Invoke(Args("--result", Path.Combine(Perf.Vectors.VectorDirectory.FindRepoRoot()!, "docs", "examples", "capacity-pinned-relay-tcp.json")));

        Assert.Equal(block.Replace("\r\n", "\n", StringComparison.Ordinal), run.Output.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Node_and_fleet_options_change_the_binding_limit()
    {
        // 0.5 cores per node: ceil(11.5 / 0.5) = 24 for CPU; 1,000,000 connections and 64 GiB per node allow 8 and 2.
        var cpu = CliRun.Invoke(Args("--cores-per-node", "0.5", "--max-connections", "1000000", "--memory-per-node", "64GiB", "--max-extrapolation", "11", "--n-plus-one", "true"));

        Assert.True(cpu.ExitCode == 0, cpu.Error);
        Assert.Contains("Result: 25 relay node(s), bound by CPU (with one spare).", cpu.Output, StringComparison.Ordinal);
        Assert.Contains("nodes        = 24, + 1 spare (N+1) = 25", cpu.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--users", "-5", "--users must be positive")]
    [InlineData("--concurrent-fraction", "1.5", "--concurrent-fraction must be in (0, 1]")]
    [InlineData("--peak-factor", "-2", "--peak-factor must be at least 1")]
    [InlineData("--size", "4096", "cannot vouch for 4096-byte ones")]
    [InlineData("--headroom", "100%", "--headroom must be at least 0% and below 100%")]
    [InlineData("--slo", "p99=fast", "--slo")]
    [InlineData("--slo", "p99=10ms", "weaker than the asked")]
    [InlineData("--cores-per-node", "0", "--cores-per-node must be positive")]
    [InlineData("--memory-per-node", "lots", "--memory-per-node: 'lots' is not a positive size")]
    [InlineData("--keep-alive", "soon", "--keep-alive: 'soon' is not a time")]
    [InlineData("--reconnect-fraction", "150%", "--reconnect-fraction must be 0% to 100%")]
    [InlineData("--descriptors-per-node", "10", "--descriptors-per-node must exceed")]
    [InlineData("--max-extrapolation", "5", "--max-extrapolation: measure over 27,778 or more")]
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
    public void A_result_without_a_target_section_exits_2_naming_the_file_and_how_to_measure_one()
    {
        string embedded = Path.Combine(Folder, "embedded.json");
        ResultFile.Write(embedded, ResultFixture.Pinned() with { Target = null, Generator = null });

        CliRun.Invoke(Args("--result", embedded)).AssertBadInput($"{embedded}: the result has no target section");
    }
}
