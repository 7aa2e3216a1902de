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

    /// <summary>Relay resource use for capacity planning, when the relay was measured.</summary>
    public RelayUsage? Relay { get; init; }
}
