using Perf.Cli.Tests.Results;
using Perf.Load.Shards;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Processes;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// <c>perf load --shard I/N</c> and <c>--generators K</c> against a real <c>perf relay</c> process:
/// the shards of one run, merged, count exactly what the same run unsharded counts.
/// </summary>
public sealed class ShardLoadTests : TempFolder
{
    private static readonly string[] Scenario = ["--connections", "4", "--rate", "200", "--duration", "2s", "--warmup", "500ms"];

    [SkippableFact]
    public async Task Two_shards_merged_by_perf_merge_count_what_the_unsharded_run_counts_and_so_does_generators()
    {
        await using var relay = await PerfBinary.StartRelayAsync();
        string[] target = ["--target", $"relay-tcp://{relay.TcpEndPoint}", "--relay-key", Convert.ToBase64String(relay.RelayKey)];
        var unshardedPath = Path.Combine(Folder, "unsharded.json");
        var unsharded = CliRun.Invoke(["load", .. target, .. Scenario, "--out", unshardedPath]);
        Assert.True(unsharded.ExitCode == PerfCommandLine.Ok, unsharded.Error);

        // Both shards at once, with one start some seconds ahead (time to connect on a loaded machine); each prints its result for a pod's log.
        var start = ShardStart.Format(DateTimeOffset.UtcNow.AddSeconds(8));
        var shards = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() =>
            CliRun.Invoke(["load", .. target, .. Scenario, "--shard", $"{i}/2", "--start-at", start, "--result-stdout", "--out", Path.Combine(Folder, $"shard-{i}.json")]))));
        Assert.All(shards, s => Assert.True(s.ExitCode == PerfCommandLine.Ok, s.Error));

        // The copies (--out) alone merge: each carries its histograms.
        var merged = Path.Combine(Folder, "merged");
        var merge = CliRun.Invoke("merge", Path.Combine(Folder, "shard-0.json"), Path.Combine(Folder, "shard-1.json"), "--out", merged);
        Assert.True(merge.ExitCode == PerfCommandLine.Ok, merge.Error);
        var whole = ResultFile.Read(unshardedPath);
        var sum = ResultFile.Read(Path.Combine(merged, "result.json"));
        Assert.Equal(whole.Metrics.Sent, sum.Metrics.Sent);
        Assert.Equal(whole.Metrics.Delivered, sum.Metrics.Delivered);
        Assert.Equal(whole.Metrics.EndToEndUs!.Count, sum.Metrics.EndToEndUs!.Count);
        Assert.Equal(0, sum.Metrics.Lost);
        Assert.Equal((4, 200.0), (sum.Scenario.Connections, sum.Scenario.Rate));
        Assert.Equal([2, 2], sum.Shards!.Select(s => s.Connections));

        // What a Kubernetes pod prints is what the collector extracts and merges.
        for (var i = 0; i < 2; i++)
        {
            File.WriteAllText(Path.Combine(Folder, $"pod-{i}.log"), shards[i].Output);
        }

        var extracted = Path.Combine(Folder, "extracted");
        var extract = CliRun.Invoke("k6", "extract", Path.Combine(Folder, "pod-0.log"), Path.Combine(Folder, "pod-1.log"), "--out", extracted);
        Assert.True(extract.ExitCode == PerfCommandLine.Ok, extract.Error);
        var fromLogs = CliRun.Invoke(["merge", .. Directory.GetFiles(extracted, "*.json"), "--out", Path.Combine(Folder, "from-logs")]);
        Assert.True(fromLogs.ExitCode == PerfCommandLine.Ok, fromLogs.Error);
        Assert.Equal(whole.Metrics.Sent, ResultFile.Read(Path.Combine(Folder, "from-logs", "result.json")).Metrics.Sent);

        // --generators 2: the same two shards as processes of their own, merged by the command itself.
        var generatorsPath = Path.Combine(Folder, "generators.json");
        var generators = CliRun.Invoke(["load", .. target, .. Scenario, "--generators", "2", "--out", generatorsPath]);
        Assert.True(generators.ExitCode == PerfCommandLine.Ok, generators.Error + generators.Output);
        var byGenerators = ResultFile.Read(generatorsPath);
        Assert.Equal(whole.Metrics.Sent, byGenerators.Metrics.Sent);
        Assert.Equal(whole.Metrics.Delivered, byGenerators.Metrics.Delivered);
        Assert.Equal(2, byGenerators.Shards!.Count);
        Assert.Contains("[shard 1] shard ready", generators.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_shard_whose_start_has_passed_when_it_is_connected_says_so_and_exits_2()
    {
        await using var relay = await PerfBinary.StartRelayAsync();
        var past = ShardStart.Format(DateTimeOffset.UtcNow.AddSeconds(-30));

        var run = CliRun.Invoke(["load", "--target", $"relay-tcp://{relay.TcpEndPoint}", "--relay-key", Convert.ToBase64String(relay.RelayKey), .. Scenario, "--shard", "1/2", "--start-at", past]);

        run.AssertBadInput("ago when this shard's connections were open: give a later time (every shard the same).");
    }
}
