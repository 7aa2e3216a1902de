namespace Perf.Results.Model;

/// <summary>
/// Marks a result as one slice of a larger run (<c>perf load --shard I/N</c>, a k6 runner with
/// an execution segment, <c>SHARD=I/N</c>): its <see cref="PerfResult.Scenario"/> connections and
/// rate are its own slice, and <c>perf merge</c> combines all <see cref="Count"/> shards into the whole.
/// </summary>
public sealed record ShardInfo
{
    /// <summary>This shard's 0-based index, below <see cref="Count"/>.</summary>
    public required int Index { get; init; }

    /// <summary>How many shards the run was split into.</summary>
    public required int Count { get; init; }

    /// <summary>The common start the shards scheduled against (before warm-up), UTC; shards of one run share it.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>The whole run's connections, of which this shard's scenario holds a slice, when known.</summary>
    public int? TotalConnections { get; init; }

    /// <summary>The whole run's offered rate, messages/s, of which this shard's scenario offers a slice, when known.</summary>
    public double? TotalRate { get; init; }
}

/// <summary>One shard that <c>perf merge</c> combined, kept in the merged file with what differs per shard.</summary>
public sealed record MergedShard
{
    /// <summary>The shard's index.</summary>
    public required int Index { get; init; }

    /// <summary>The shard file as given to <c>perf merge</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The shard's command line.</summary>
    public required string Command { get; init; }

    /// <summary>When the shard's measured window began.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The shard's connections (its slice).</summary>
    public required int Connections { get; init; }

    /// <summary>The shard's offered rate, messages/s (its slice).</summary>
    public required double Rate { get; init; }

    /// <summary>Messages the shard sent.</summary>
    public required long Sent { get; init; }

    /// <summary>Messages the shard's recipients opened.</summary>
    public required long Delivered { get; init; }

    /// <summary>The machine and runtime the shard ran on.</summary>
    public required EnvironmentInfo Environment { get; init; }

    /// <summary>The shard's generator process, when recorded.</summary>
    public GeneratorUsage? Generator { get; init; }
}
