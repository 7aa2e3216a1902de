using Perf.Cli.Tests.Results;
using Perf.Load.Impairment;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Impair;

/// <summary><c>perf load --network</c>: the run's connections cross the impairment proxy, and the result records the profile and what the proxy did.</summary>
public sealed class NetworkLoadTests : TempFolder
{
    [Fact]
    public void An_echo_run_through_a_latency_profile_is_delayed_and_records_the_profile()
    {
        var resultPath = Path.Combine(Folder, "echo.json");

        var run = CliRun.Invoke("load", "--target", "echo", "--network", "latency=20ms,seed=3", "--connections", "2", "--rate", "200", "--duration", "1s", "--warmup", "200ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.True(result.Metrics.EndToEndUs!.P50 >= 40_000, $"p50 {result.Metrics.EndToEndUs.P50} us is less than the 2 x 20 ms the link adds");
        var network = Assert.IsType<Perf.Results.Model.NetworkConditions>(result.Scenario.Network);
        Assert.Equal("latency=20ms,seed=3", network.Profile);
        Assert.Null(network.Name);
        Assert.Equal(2, network.Proxy!.Connections);
        Assert.True(network.Proxy.BytesUp > 0 && network.Proxy.BytesDown == network.Proxy.BytesUp);
        Assert.True(network.Proxy.CpuUsPerMessage > 0);
        Assert.Contains("network: latency=20ms,seed=3 (impairment proxy 127.0.0.1:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relay_run_through_the_mobile_profile_loses_nothing_and_takes_at_least_both_links_latency()
    {
        var resultPath = Path.Combine(Folder, "relay.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--network", "mobile", "--connections", "4", "--rate", "100", "--duration", "1s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.True(result.Metrics.Delivered > 0);
        // Sender's uplink (75 ms) and recipient's downlink (75 ms): no message can beat 150 ms.
        Assert.True(result.Metrics.EndToEndUs!.P50 >= 150_000, $"p50 {result.Metrics.EndToEndUs.P50} us");
        var network = result.Scenario.Network!;
        Assert.Equal("mobile", network.Name);
        Assert.Equal(NetworkProfile.Parse("mobile").ToString(), network.Profile);
        Assert.Equal(750_000, network.Up.BandwidthBitsPerS);
        Assert.Contains("Lighthouse", network.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latency=5xs", "--network: latency")]
    [InlineData("mobile,jitter", "--network: unknown profile 'jitter'")]
    public void A_malformed_profile_is_one_line_naming_the_key(string profile, string expected)
    {
        CliRun.Invoke("load", "--target", "echo", "--network", profile, "--duration", "1s").AssertBadInput(expected);
    }

    [Fact]
    public void The_relay_cluster_is_refused()
    {
        CliRun.Invoke("load", "--target", "relay-cluster", "--network", "mobile", "--duration", "1s").AssertBadInput("--network: not with relay-cluster");
    }
}
