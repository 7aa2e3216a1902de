namespace Perf.Results.Model;

/// <summary>
/// One load run as stored on disk (schema <c>perf-result/1</c>, see <c>results/schema/perf-result-1.schema.json</c>).
/// All latencies are microseconds; all rates are messages per second.
/// </summary>
public sealed record PerfResult
{
    /// <summary>The schema identifier every file of this version carries.</summary>
    public const string SchemaId = "perf-result/1";

    /// <summary>The only kind this schema version describes.</summary>
    public const string LoadKind = "load";

    /// <summary>Always <see cref="SchemaId"/>; readers reject anything else.</summary>
    public string Schema { get; init; } = SchemaId;

    /// <summary>Always <see cref="LoadKind"/>.</summary>
    public string Kind { get; init; } = LoadKind;

    /// <summary>The tool that produced the run: <c>perf</c> or <c>k6</c>.</summary>
    public required string Tool { get; init; }

    /// <summary>The exact command line that produced the run (never with secrets in it).</summary>
    public required string Command { get; init; }

    /// <summary>What was run.</summary>
    public required Scenario Scenario { get; init; }

    /// <summary>Where it was run.</summary>
    public required EnvironmentInfo Environment { get; init; }

    /// <summary>When measurement (after warm-up) began, UTC.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Latency histograms and message counters.</summary>
    public required LoadMetrics Metrics { get; init; }

    /// <summary>The search for the highest rate meeting an SLO, when the run was a find-max run.</summary>
    public FindMax? FindMax { get; init; }

    /// <summary>What the target used, when it ran in its own process.</summary>
    public TargetUsage? Target { get; init; }

    /// <summary>What the generator used over the measured window, when the target ran in its own process.</summary>
    public GeneratorUsage? Generator { get; init; }

    /// <summary>
    /// The relay process's durable store (<c>perf load --store</c>: its <c>nats-server</c>) over the
    /// same measured window as <see cref="Target"/>, when that process could be read: CPU per
    /// delivered message beside the relay's.
    /// </summary>
    public TargetUsage? Store { get; init; }

    /// <summary>The relay cluster's size, faults and failover counts, for a <c>relay-cluster</c> run.</summary>
    public ClusterRun? Cluster { get; init; }

    /// <summary>Set when this file is one shard of a larger run; <c>perf merge</c> combines the shards.</summary>
    public ShardInfo? Shard { get; init; }

    /// <summary>The shards a <c>perf merge</c> result combined, by index; absent in a file that was not merged.</summary>
    public IReadOnlyList<MergedShard>? Shards { get; init; }

    /// <summary>Per-minute figures of the measured window (runs of at least one minute): counts, latency, the target's memory and collector.</summary>
    public IReadOnlyList<SeriesEntry>? Series { get; init; }

    /// <summary>The slope of every <see cref="Series"/> field per hour after the soak warm-up.</summary>
    public SeriesSlopes? SeriesSlopes { get; init; }

    /// <summary>The soak rule's verdict, when it was evaluated (<c>--soak</c>, or a run of 10 minutes or more).</summary>
    public SoakVerdict? Soak { get; init; }

    /// <summary>Churn, slow consumers and vanishing clients, when any ran.</summary>
    public ClientBehaviourRun? Behaviours { get; init; }

    /// <summary>The hostile client's counts, when <c>--handshake-flood</c> ran beside the run.</summary>
    public HandshakeFloodRun? HandshakeFlood { get; init; }

    /// <summary>Relay resource use as older files recorded it (<c>--relay-process</c>); read, never written: see <see cref="TargetOrRelay"/>.</summary>
    public RelayUsage? Relay { get; init; }

    /// <summary>The <see cref="Target"/> section, or one made from an older file's <see cref="Relay"/> section (its cores and memory; CPU per message derived from the cores at the reported rate).</summary>
    public TargetUsage? TargetOrRelay()
    {
        if (Target is not null || Relay is null)
        {
            return Target;
        }

        var rate = FindMax?.MaxSustainableRate is > 0 and var max ? max : Metrics.ThroughputMsgsPerS;
        return new TargetUsage
        {
            Process = "perf relay",
            CoresUsed = Relay.CoresUsed,
            CpuUsPerMessage = rate > 0 ? Relay.CoresUsed * 1_000_000 / rate : null,
            MemoryPerConnectionBytes = Relay.MemoryPerConnectionBytes,
        };
    }
}
