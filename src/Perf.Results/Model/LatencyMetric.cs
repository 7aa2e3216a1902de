using HdrHistogram;

namespace Perf.Results.Model;

/// <summary>A latency histogram summarised in microseconds.</summary>
public sealed record LatencyMetric
{
    /// <summary>Number of recorded values.</summary>
    public required long Count { get; init; }

    /// <summary>Arithmetic mean.</summary>
    public required double Mean { get; init; }

    /// <summary>Median.</summary>
    public required double P50 { get; init; }

    /// <summary>90th percentile.</summary>
    public required double P90 { get; init; }

    /// <summary>99th percentile.</summary>
    public required double P99 { get; init; }

    /// <summary>99.9th percentile.</summary>
    public required double P999 { get; init; }

    /// <summary>99.99th percentile.</summary>
    public required double P9999 { get; init; }

    /// <summary>Largest recorded value.</summary>
    public required double Max { get; init; }

    /// <summary>
    /// The whole histogram, kept inside the file by tools that write no <c>.hlog</c> beside it (k6):
    /// pairs of [a bucket's highest value in µs, how many values fell in the bucket], ascending.
    /// <c>perf merge</c> adds these (or the <c>.hlog</c>), never percentiles.
    /// </summary>
    public IReadOnlyList<long[]>? Histogram { get; init; }

    /// <summary>Summarises a histogram whose values were recorded in microseconds.</summary>
    /// <exception cref="ArgumentNullException">When <paramref name="histogram"/> is null.</exception>
    public static LatencyMetric FromHistogram(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        // An empty histogram reports 0 everywhere rather than NaN, which JSON cannot carry.
        if (histogram.TotalCount == 0)
        {
            return new LatencyMetric { Count = 0, Mean = 0, P50 = 0, P90 = 0, P99 = 0, P999 = 0, P9999 = 0, Max = 0 };
        }

        return new LatencyMetric
        {
            Count = histogram.TotalCount,
            Mean = histogram.GetMean(),
            P50 = histogram.GetValueAtPercentile(50),
            P90 = histogram.GetValueAtPercentile(90),
            P99 = histogram.GetValueAtPercentile(99),
            P999 = histogram.GetValueAtPercentile(99.9),
            P9999 = histogram.GetValueAtPercentile(99.99),
            Max = histogram.GetMaxValue(),
        };
    }

    /// <summary>The value of a named percentile (<c>p50</c>, <c>p90</c>, <c>p99</c>, <c>p999</c>, <c>p9999</c>, <c>max</c>).</summary>
    /// <exception cref="ArgumentException">When the name is not one of those.</exception>
    public double Percentile(string name) => name switch
    {
        "p50" => P50,
        "p90" => P90,
        "p99" => P99,
        "p999" => P999,
        "p9999" => P9999,
        "max" => Max,
        _ => throw new ArgumentException($"unknown percentile '{name}'", nameof(name)),
    };
}
