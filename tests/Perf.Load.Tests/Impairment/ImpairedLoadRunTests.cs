using System.Net;
using System.Text.Json;
using Json.Schema;
using Perf.Load.Engine;
using Perf.Load.Impairment;
using Perf.Load.Recording;
using Perf.Load.Output;
using Perf.Load.Targets.Echo;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Load.Tests.Impairment;

/// <summary>The load engine's open-loop run through the proxy: every message is delayed by the profile, none is lost, and the result records the profile in a file that validates.</summary>
public sealed class ImpairedLoadRunTests : TempFolder
{
    // Built once, in a registry of its own: the global one refuses a second schema with the same $id (other tests build theirs).
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(SchemaFile.Path()), new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    [Fact]
    public async Task A_run_through_the_proxy_is_delayed_by_the_profile_and_its_result_records_the_profile()
    {
        await using var echo = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var profile = NetworkProfile.Parse("latency=20ms,jitter=2ms,seed=9");
        await using var proxy = ImpairmentProxy.Start(profile, new IPEndPoint(IPAddress.Loopback, 0), echo.EndPoint);
        await using var target = new EchoTarget(proxy.EndPoint);
        var scenario = new LoadScenario { Connections = 2, RatePerSecond = 200, MessageSize = 64, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromMilliseconds(300) };

        var run = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        var network = profile.ToResult(proxy.Counters.ToUsage(run.Recorders.Sent));
        var plain = LoadResultFiles.ToResult(run, "perf load --target echo --network latency=20ms,jitter=2ms,seed=9", "aesgcm", "auto", EnvironmentInfo.Capture("auto", "aesgcm"));
        var path = LoadResultFiles.Write(Folder, plain with { Scenario = plain.Scenario with { Network = network } }, run);

        Assert.Equal(0, run.Lost);
        // Each message crossed the link twice: at least 2 x (20 - 2) ms from its intended send time.
        Assert.True(run.Recorders.Total(LoadStage.EndToEnd).GetValueAtPercentile(0) >= 36_000, "a message came back faster than the link's latency allows");
        AssertValid(path);
        var read = ResultFile.Read(path).Scenario.Network!;
        Assert.Equal(profile, NetworkProfile.Parse(read.Profile));
        Assert.Equal(20_000, read.Up.LatencyUs);
        Assert.Equal(2_000, read.Down.JitterUs);
        Assert.Equal(2, read.Proxy!.Connections);
        Assert.True(read.Proxy.BytesUp >= run.Recorders.Sent * 64);
        Assert.True(read.Proxy.CpuUsPerMessage > 0);
    }

    [Fact]
    public void Every_named_profile_and_every_key_records_as_a_valid_result()
    {
        var lines = new List<string>(NetworkProfiles.Names)
        {
            "up-jitter=1ms,down-bandwidth=1mbit,loss=1%,retransmit=1s,stall=2s@1/m,reset=0.01/s,reset-after=1mib,slice=10b,slice-variation=2b,slice-delay=1ms,seed=5",
        };
        var counters = new ImpairmentCounters(3, 0, 100, 200, 1, 0, 4, 5, 0, TimeSpan.FromMilliseconds(12));
        foreach (var line in lines)
        {
            var result = Minimal() with { Scenario = Minimal().Scenario with { Network = NetworkProfile.Parse(line).ToResult(counters.ToUsage(1000)) } };
            var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".json");
            ResultFile.Write(path, result);

            AssertValid(path);
            Assert.Equal(NetworkProfile.Parse(line).ToString(), ResultFile.Read(path).Scenario.Network!.Profile);
        }
    }

    [Theory]
    [InlineData("\"loss\": 0", "\"loss\": 1.5")]
    [InlineData("\"latency_us\": 75000", "\"latency_us\": -1")]
    [InlineData("\"seed\": 1", "\"seed\": -3")]
    public void A_result_whose_network_breaks_the_rules_is_refused_in_one_line(string field, string broken)
    {
        var json = ResultFile.ToJson(Minimal() with { Scenario = Minimal().Scenario with { Network = NetworkProfile.Parse("mobile").ToResult() } });
        Assert.Contains(field, json, StringComparison.Ordinal);

        var error = Assert.Throws<Perf.Results.BadInputException>(() => ResultFile.Parse(json.Replace(field, broken, StringComparison.Ordinal), "edited.json"));
        Assert.Contains("scenario.network", error.Message, StringComparison.Ordinal);
    }

    private static void AssertValid(string path)
    {
        var json = File.ReadAllText(path);
        using var document = JsonDocument.Parse(json);
        Assert.True(Schema.Evaluate(document.RootElement).IsValid, json);
    }

    private static PerfResult Minimal() => new()
    {
        Tool = "perf",
        Command = "perf load --network",
        Scenario = new Scenario { Target = "echo", Connections = 1, Rate = 10, Size = 64, DurationS = 1, WarmupS = 0, Arrival = "constant", Cipher = "aesgcm", Backend = "auto" },
        Environment = EnvironmentInfo.Capture("auto", "aesgcm"),
        StartedAt = DateTimeOffset.UnixEpoch,
        Metrics = new LoadMetrics { Sent = 10, Accepted = 10, Delivered = 10, Rejected = 0, Lost = 0, ThroughputMsgsPerS = 10 },
    };
}
