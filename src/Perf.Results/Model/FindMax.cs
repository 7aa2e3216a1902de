namespace Perf.Results.Model;

/// <summary>A search for the highest arrival rate that still meets a latency SLO.</summary>
public sealed record FindMax
{
    /// <summary>The SLO every step was judged against.</summary>
    public required Slo Slo { get; init; }

    /// <summary>The rates tried, in the order they were run.</summary>
    public required IReadOnlyList<FindMaxStep> Steps { get; init; }

    /// <summary>The highest offered rate (messages/s) that passed.</summary>
    public required double MaxSustainableRate { get; init; }
}

/// <summary>One rate tried during a find-max search.</summary>
public sealed record FindMaxStep
{
    /// <summary>Offered rate, messages/s.</summary>
    public required double Rate { get; init; }

    /// <summary>Achieved delivery rate, messages/s.</summary>
    public required double DeliveredRate { get; init; }

    /// <summary>End-to-end median, µs.</summary>
    public required double P50Us { get; init; }

    /// <summary>End-to-end 99th percentile, µs.</summary>
    public required double P99Us { get; init; }

    /// <summary>End-to-end 99.9th percentile, µs.</summary>
    public required double P999Us { get; init; }

    /// <summary>Whether the step met the SLO (and delivered what was offered).</summary>
    public required bool Passed { get; init; }
}

/// <summary>A latency objective: a percentile of end-to-end latency at or below a threshold.</summary>
public sealed record Slo
{
    /// <summary>Percentile name: <c>p50</c>, <c>p90</c>, <c>p99</c>, <c>p999</c> or <c>p9999</c>.</summary>
    public required string Percentile { get; init; }

    /// <summary>Upper bound in microseconds.</summary>
    public required double ThresholdUs { get; init; }
}

/// <summary>What the relay used during the run, the inputs of the capacity model.</summary>
public sealed record RelayUsage
{
    /// <summary>Relay memory per open connection, bytes (working set growth divided by connections).</summary>
    public required double MemoryPerConnectionBytes { get; init; }

    /// <summary>CPU cores the relay used at the maximum sustainable rate (CPU time / wall time).</summary>
    public required double CoresUsed { get; init; }
}
