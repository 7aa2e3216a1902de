namespace Perf.Results.Comparison;

/// <summary>One row of a comparison: a benchmark's or load run's metric in both runs and the verdict.</summary>
/// <param name="Name">Benchmark full name, or a load run's scenario key.</param>
/// <param name="Metric"><c>time</c>, <c>allocated</c>, a latency like <c>end_to_end_us.p99</c>, <c>max_sustainable_rate</c>, or empty for added/removed.</param>
/// <param name="Unit">Unit of the values (<c>ns/op</c>, <c>B/op</c>, <c>us</c>, <c>msg/s</c>).</param>
/// <param name="Baseline">Baseline value (the median for per-iteration samples); null when added.</param>
/// <param name="Current">Current value; null when removed.</param>
/// <param name="Verdict">The outcome.</param>
/// <param name="Threshold">The relative threshold applied (0 for exact comparisons).</param>
/// <param name="PValue">Two-sided p-value, when a test was run (Mann–Whitney U between two runs; a one-sample t test on the log ratios of an A/B gate).</param>
/// <param name="Note">Why the verdict is what it is, in a few words; may be empty.</param>
public sealed record ComparisonEntry(
    string Name,
    string Metric,
    string Unit,
    double? Baseline,
    double? Current,
    Verdict Verdict,
    double Threshold,
    double? PValue,
    string Note)
{
    /// <summary>An A/B gate's interval of the ratio over its rounds; null for a comparison of two runs.</summary>
    public RatioInterval? Interval { get; init; }

    /// <summary>The interval's estimate when there is one, else current divided by baseline when both exist and the baseline is not zero.</summary>
    public double? Ratio => Interval is { } interval ? interval.Estimate : Baseline is { } b && Current is { } c && b != 0 ? c / b : null;

    /// <summary>Whether this entry fails a gate.</summary>
    public bool IsRegression => Verdict == Verdict.Slower;

    /// <summary>The identifier gate rules match against: <c>Name/Metric</c>.</summary>
    public string Id => Metric.Length == 0 ? Name : $"{Name}/{Metric}";
}
