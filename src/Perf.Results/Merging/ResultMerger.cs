using HdrHistogram;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Results.Merging;

/// <summary>
/// <c>perf merge</c>: combines the shards of one run into one <c>perf-result/1</c> exactly.
/// Histograms are added (from each shard's <c>.hlog</c> or embedded pairs), counters summed,
/// rates summed (every shard measured a window of the same length), interval series aligned by
/// time, each shard's machine kept in <c>shards[]</c>, and the target's CPU per message re-divided
/// over every shard's deliveries.
/// </summary>
public static class ResultMerger
{
    /// <summary>Reads, checks and merges <paramref name="paths"/>.</summary>
    /// <exception cref="BadInputException">A file is unreadable, or the files are not the complete shards of one run.</exception>
    public static MergedRun Merge(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<ShardFile>(paths.Count);
        foreach (var path in paths)
        {
            files.Add(ShardFile.Read(path));
        }

        return Merge(files);
    }

    /// <summary>Checks and merges shards already read.</summary>
    /// <exception cref="BadInputException">The files are not the complete shards of one run.</exception>
    public static MergedRun Merge(IReadOnlyList<ShardFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        ShardChecks.Check(files);
        var ordered = files.OrderBy(f => f.Result.Shard!.Index).ToArray();
        var first = ordered[0].Result;
        var histograms = MergedHistograms(ordered);
        var delivered = ordered.Sum(f => f.Result.Metrics.Delivered);
        var result = new PerfResult
        {
            Tool = first.Tool,
            Command = "perf merge " + string.Join(' ', ordered.Select(f => f.Path)),
            Scenario = first.Scenario with
            {
                Connections = ordered.Sum(f => f.Result.Scenario.Connections),
                Rate = ordered.Sum(f => f.Result.Scenario.Rate),
            },
            Environment = SharedEnvironment(ordered.Select(f => f.Result.Environment).ToArray()),
            StartedAt = ordered.Min(f => f.Result.StartedAt),
            Metrics = Metrics(ordered, histograms),
            Target = Rescaled(ordered.Select(f => (f.Result.Target, f.Result.Metrics.Delivered)), delivered),
            Generator = Generators(ordered),
            Cluster = Cluster(ordered, delivered),
            Shards = ordered.Select(ToShard).ToArray(),
        };
        return new MergedRun(result, histograms);
    }

    // Each reason's count summed over the shards; null when none had an error.
    private static SortedDictionary<string, long>? ErrorsByReason(ShardFile[] files)
    {
        SortedDictionary<string, long>? merged = null;
        foreach (var file in files)
        {
            foreach (var (reason, count) in file.Result.Metrics.ErrorsByReason ?? new Dictionary<string, long>())
            {
                merged ??= new SortedDictionary<string, long>(StringComparer.Ordinal);
                merged[reason] = merged.GetValueOrDefault(reason) + count;
            }
        }

        return merged;
    }

    private static LoadMetrics Metrics(ShardFile[] files, IReadOnlyDictionary<string, MergedHistogram> histograms)
    {
        LatencyMetric? Latency(string name) => histograms.TryGetValue(name, out var h) ? LatencyMetric.FromHistogram(h.Total) : null;
        long Sum(Func<LoadMetrics, long> counter) => files.Sum(f => counter(f.Result.Metrics));
        var anyDuplicates = files.Any(f => f.Result.Metrics.Duplicates is not null);
        return new LoadMetrics
        {
            SealUs = Latency("seal_us"),
            ForwardUs = Latency("forward_us"),
            OpenUs = Latency("open_us"),
            EndToEndUs = Latency("end_to_end_us"),
            GeneratorLagUs = Latency("generator_lag_us"),
            Sent = Sum(m => m.Sent),
            Accepted = Sum(m => m.Accepted),
            Delivered = Sum(m => m.Delivered),
            Rejected = Sum(m => m.Rejected),
            Lost = Sum(m => m.Lost),
            Duplicates = anyDuplicates ? Sum(m => m.Duplicates ?? 0) : null,
            Errors = files.Any(f => f.Result.Metrics.Errors is not null) ? Sum(m => m.Errors ?? 0) : null,
            ErrorsByReason = ErrorsByReason(files),
            Unsent = files.Any(f => f.Result.Metrics.Unsent is not null) ? Sum(m => m.Unsent ?? 0) : null,
            // Every shard measured a window of scenario.duration_s: the run's rate is the sum of theirs.
            ThroughputMsgsPerS = files.Sum(f => f.Result.Metrics.ThroughputMsgsPerS),
        };
    }

    private static Dictionary<string, MergedHistogram> MergedHistograms(ShardFile[] files)
    {
        var merged = new Dictionary<string, MergedHistogram>(StringComparer.Ordinal);
        foreach (var name in files[0].Histograms.Keys)
        {
            var parts = files.Select(f => f.Histograms[name]).ToArray();
            var total = ResultHistograms.Empty();
            foreach (var part in parts)
            {
                total.Add(part.Total);
            }

            merged[name] = new MergedHistogram(total, IntervalSeries.Align(parts, files.Min(f => f.Result.StartedAt), files[0].Result.Scenario.DurationS));
        }

        return merged;
    }

    // The fields every shard's machine agrees on; the rest stays in shards[].
    private static EnvironmentInfo SharedEnvironment(EnvironmentInfo[] all)
    {
        T? Agreed<T>(Func<EnvironmentInfo, T?> field) => all.All(e => EqualityComparer<T?>.Default.Equals(field(e), field(all[0]))) ? field(all[0]) : default;
        return new EnvironmentInfo
        {
            CpuModel = Agreed(e => e.CpuModel),
            Cores = Agreed(e => e.Cores),
            Os = Agreed(e => e.Os),
            DotnetVersion = Agreed(e => e.DotnetVersion),
            GcServer = Agreed(e => e.GcServer),
            GcConcurrent = Agreed(e => e.GcConcurrent),
            Backend = Agreed(e => e.Backend) ?? string.Join('+', all.Select(e => e.Backend).Distinct()),
            Cipher = Agreed(e => e.Cipher) ?? string.Join('+', all.Select(e => e.Cipher).Distinct()),
            GitCommit = Agreed(e => e.GitCommit),
            MemoryBytes = Agreed(e => e.MemoryBytes),
        };
    }

    // The one shard's measurement of a process, its per-message figures over every shard's deliveries
    // (CPU time and context switches are the process's; only the divisor grows).
    private static TargetUsage? Rescaled(IEnumerable<(TargetUsage? Usage, long Delivered)> measured, long delivered)
    {
        foreach (var (usage, own) in measured)
        {
            if (usage is null)
            {
                continue;
            }

            double? PerMessage(double? value) => value is { } v && delivered > 0 ? v * own / delivered : value;
            return usage with { CpuUsPerMessage = PerMessage(usage.CpuUsPerMessage), ContextSwitchesPerMessage = PerMessage(usage.ContextSwitchesPerMessage) };
        }

        return null;
    }

    // The generators are separate processes: their cores add, their per-message figures are CPU over all deliveries.
    private static GeneratorUsage? Generators(ShardFile[] files)
    {
        var measured = files.Where(f => f.Result.Generator is not null).ToArray();
        if (measured.Length != files.Length)
        {
            return null;
        }

        var delivered = files.Sum(f => f.Result.Metrics.Delivered);
        double? Total(Func<GeneratorUsage, double?> perMessage) =>
            delivered == 0 || measured.Any(f => perMessage(f.Result.Generator!) is null)
                ? null
                : measured.Sum(f => perMessage(f.Result.Generator!)!.Value * f.Result.Metrics.Delivered) / delivered;
        return new GeneratorUsage
        {
            CoresUsed = measured.Sum(f => f.Result.Generator!.CoresUsed),
            CpuUsPerMessage = Total(g => g.CpuUsPerMessage),
            ContextSwitchesPerMessage = Total(g => g.ContextSwitchesPerMessage),
        };
    }

    private static ClusterRun? Cluster(ShardFile[] files, long delivered)
    {
        var clusters = files.Select(f => f.Result.Cluster).Where(c => c is not null).Select(c => c!).ToArray();
        if (clusters.Length == 0)
        {
            return null;
        }

        long Sum(Func<ClusterRun, long> counter) => clusters.Sum(counter);
        return clusters[0] with
        {
            Faults = clusters.SelectMany(c => c.Faults).ToArray(),
            Nats = Rescaled(files.Select(f => (f.Result.Cluster?.Nats, f.Result.Metrics.Delivered)), delivered),
            Reconnects = Sum(c => c.Reconnects),
            Resent = Sum(c => c.Resent),
            RetriedRejections = Sum(c => c.RetriedRejections),
            RelayIdDuplicates = Sum(c => c.RelayIdDuplicates),
            ReplayDuplicates = Sum(c => c.ReplayDuplicates),
            Unanswered = Sum(c => c.Unanswered),
        };
    }

    private static MergedShard ToShard(ShardFile file) => new()
    {
        Index = file.Result.Shard!.Index,
        Source = file.Path,
        Command = file.Result.Command,
        StartedAt = file.Result.StartedAt,
        Connections = file.Result.Scenario.Connections,
        Rate = file.Result.Scenario.Rate,
        Sent = file.Result.Metrics.Sent,
        Delivered = file.Result.Metrics.Delivered,
        Environment = file.Result.Environment,
        Generator = file.Result.Generator,
    };
}

/// <summary>One metric merged: the whole histogram and the interval series for its <c>.hlog</c>.</summary>
/// <param name="Total">Every shard's values.</param>
/// <param name="Intervals">Intervals aligned by time, each the sum of the shards' intervals that cover it.</param>
public sealed record MergedHistogram(HistogramBase Total, IReadOnlyList<HistogramBase> Intervals);

/// <summary>A merged run: its result and histograms, written like a <c>perf load</c> run folder.</summary>
/// <param name="Result">The merged <c>perf-result/1</c>.</param>
/// <param name="Histograms">Each latency metric's merged histogram, by JSON name.</param>
public sealed record MergedRun(PerfResult Result, IReadOnlyDictionary<string, MergedHistogram> Histograms)
{
    /// <summary>Writes <c>result.json</c>, <c>&lt;metric&gt;.hlog</c> and <c>&lt;metric&gt;.percentiles.txt</c> into <paramref name="folder"/>; returns the result's path.</summary>
    /// <exception cref="BadInputException">The folder already holds a result, or the merged result breaks the schema.</exception>
    public string Write(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(Path.Combine(folder, RunFiles.ResultFileName)))
        {
            throw new BadInputException($"{folder}: already holds {RunFiles.ResultFileName}; merge into a new folder");
        }

        var intervals = new Dictionary<string, IEnumerable<HistogramBase>>(StringComparer.Ordinal);
        foreach (var (name, histogram) in Histograms)
        {
            intervals[name] = histogram.Intervals;
        }

        return RunFiles.Write(folder, Result, intervals);
    }
}
