namespace Perf.Results.Comparison;

/// <summary>How an A/B gate judges a metric.</summary>
public enum AbMetricKind
{
    /// <summary>A cost (time per operation, CPU per message): ratio interval against the threshold.</summary>
    Cost,

    /// <summary>A latency percentile: ratio interval against the latency threshold.</summary>
    Latency,

    /// <summary>
    /// A count the code fixes (allocated bytes per operation): a difference of any size counts when
    /// every round of one side lies beyond every round of the other.
    /// </summary>
    Exact,
}

/// <summary>One value one side's process measured in one round of an A/B gate; higher is worse.</summary>
/// <param name="Name">Benchmark full name, or a load scenario's key.</param>
/// <param name="Metric"><c>time</c>, <c>allocated</c>, <c>target.cpu_us_per_message</c>, <c>end_to_end_us.p99</c>.</param>
/// <param name="Unit">Unit of <paramref name="Value"/>.</param>
/// <param name="Value">The round's value (for benchmarks, the median of the process's measured iterations).</param>
/// <param name="Kind">How it is judged.</param>
public sealed record AbMeasurement(string Name, string Metric, string Unit, double Value, AbMetricKind Kind);
