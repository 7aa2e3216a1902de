using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Merging;

/// <summary>
/// What makes a set of result files the shards of one run, each broken rule a one-line refusal
/// naming the field: one tool and scenario, every file a shard of the same count, each index once
/// and none missing, slices that add up to the whole, no find-max search, and one process measuring the target.
/// </summary>
internal static class ShardChecks
{
    public static void Check(IReadOnlyList<ShardFile> files)
    {
        if (files.Count == 0) throw new BadInputException("no result files to merge");
        var first = files[0];
        foreach (var file in files)
        {
            SameRun(first, file);
        }

        Indices(files);
        Slices(files);
        OneMeasures(files, "target", f => f.Result.Target is not null);
        OneMeasures(files, "cluster.nats", f => f.Result.Cluster?.Nats is not null);
    }

    private static void SameRun(ShardFile first, ShardFile file)
    {
        var a = first.Result;
        var b = file.Result;
        if (b.Shard is null)
        {
            throw new BadInputException($"{file.Path}: no shard object: perf merge combines the shards of one run (perf load --shard I/N, a k6 runner with an execution segment, or SHARD=I/N)");
        }

        if (b.FindMax is not null)
        {
            throw new BadInputException($"{file.Path}: find_max: a find-max search runs its own steps per shard and cannot be merged");
        }

        Same(first, file, "tool", a.Tool, b.Tool);
        Same(first, file, "scenario.target", a.Scenario.Target, b.Scenario.Target);
        Same(first, file, "scenario.size", a.Scenario.Size, b.Scenario.Size);
        Same(first, file, "scenario.duration_s", a.Scenario.DurationS, b.Scenario.DurationS);
        Same(first, file, "scenario.warmup_s", a.Scenario.WarmupS, b.Scenario.WarmupS);
        Same(first, file, "scenario.arrival", a.Scenario.Arrival, b.Scenario.Arrival);
        Same(first, file, "scenario.cipher", a.Scenario.Cipher, b.Scenario.Cipher);
        Same(first, file, "scenario.backend", a.Scenario.Backend, b.Scenario.Backend);
        Same(first, file, "shard.count", a.Shard!.Count, b.Shard.Count);
        Same(first, file, "shard.total_connections", a.Shard.TotalConnections, b.Shard.TotalConnections);
        Same(first, file, "shard.total_rate", a.Shard.TotalRate, b.Shard.TotalRate);
        Same(first, file, "cluster.relay_nodes", a.Cluster?.RelayNodes, b.Cluster?.RelayNodes);
        Same(first, file, "cluster.nats_nodes", a.Cluster?.NatsNodes, b.Cluster?.NatsNodes);
        foreach (var (name, _) in a.Metrics.Latencies().Concat(b.Metrics.Latencies()))
        {
            Same(first, file, $"metrics.{name}", first.Histograms.ContainsKey(name) ? "present" : "absent", file.Histograms.ContainsKey(name) ? "present" : "absent");
        }
    }

    private static void Same<T>(ShardFile first, ShardFile file, string field, T a, T b)
    {
        if (!EqualityComparer<T>.Default.Equals(a, b))
        {
            throw new BadInputException($"{field}: {first.Path} has {Shown(a)}, {file.Path} has {Shown(b)}: not shards of one run");
        }
    }

    private static string Shown<T>(T value) => value switch
    {
        null => "none",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static void Indices(IReadOnlyList<ShardFile> files)
    {
        var count = files[0].Result.Shard!.Count;
        var seen = new ShardFile?[count];
        foreach (var file in files)
        {
            var index = file.Result.Shard!.Index;
            if (seen[index] is { } earlier)
            {
                throw new BadInputException($"shard.index: shard {index} of {count} counted twice: {earlier.Path} and {file.Path}");
            }

            seen[index] = file;
        }

        var missing = Enumerable.Range(0, count).Where(i => seen[i] is null).ToArray();
        if (missing.Length > 0)
        {
            throw new BadInputException($"shard.index: shard {string.Join(", ", missing)} of {count} missing (the files say the run had {count} shards)");
        }
    }

    private static void Slices(IReadOnlyList<ShardFile> files)
    {
        var shard = files[0].Result.Shard!;
        var connections = files.Sum(f => (long)f.Result.Scenario.Connections);
        if (shard.TotalConnections is { } totalConnections && connections != totalConnections)
        {
            throw new BadInputException($"scenario.connections: the shards' slices add to {connections}, shard.total_connections is {totalConnections}");
        }

        var rate = files.Sum(f => f.Result.Scenario.Rate);
        if (shard.TotalRate is { } totalRate && Math.Abs(rate - totalRate) > 1e-6 * totalRate)
        {
            throw new BadInputException(string.Create(CultureInfo.InvariantCulture, $"scenario.rate: the shards' slices add to {rate:G6} msgs/s, shard.total_rate is {totalRate:G6}"));
        }
    }

    // A process (the target, the NATS nodes) is measured by the one shard that started it; two
    // shards measuring it would count its CPU twice.
    private static void OneMeasures(IReadOnlyList<ShardFile> files, string field, Func<ShardFile, bool> measures)
    {
        var measuring = files.Where(measures).ToArray();
        if (measuring.Length > 1)
        {
            throw new BadInputException($"{field}: measured by {measuring[0].Path} and {measuring[1].Path}: one shard measures a process, or its CPU counts twice");
        }
    }
}
