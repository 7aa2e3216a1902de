namespace Perf.Results.Comparison;

/// <summary>How an A/B gate decides and how long it may run. Thresholds and alpha are fractions (0.05 = 5 %).</summary>
public sealed record AbOptions
{
    /// <summary>Relative slowdown of a cost (time per operation, CPU per message) that fails the gate.</summary>
    public double Threshold { get; init; } = 0.05;

    /// <summary>Relative rise of a latency percentile that fails the gate.</summary>
    public double LatencyThreshold { get; init; } = 0.10;

    /// <summary>One minus the confidence of the ratio's interval (0.05: a 95 % interval).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Rounds every row gets before a verdict: three pairs of opposite orders, the fewest from which a 95 % sign-test interval exists.</summary>
    public int MinRounds { get; init; } = 6;

    /// <summary>Rounds at most, whatever the budget.</summary>
    public int MaxRounds { get; init; } = 30;

    /// <summary>Seed of the per-round order (which side runs first).</summary>
    public int Seed { get; init; }

    /// <summary>The threshold that applies to <paramref name="kind"/> (0 for exact metrics).</summary>
    public double ThresholdFor(AbMetricKind kind) => kind switch
    {
        AbMetricKind.Latency => LatencyThreshold,
        AbMetricKind.Exact => 0,
        _ => Threshold,
    };

    /// <summary>Checks every value is in range.</summary>
    /// <exception cref="BadInputException">When a value is out of range.</exception>
    public void Validate()
    {
        if (!(Threshold > 0 && Threshold < 1)) throw new BadInputException($"--threshold must be above 0% and below 100%, got {Percent.Format(Threshold)}");
        if (!(LatencyThreshold > 0 && LatencyThreshold < 1)) throw new BadInputException($"--latency-threshold must be above 0% and below 100%, got {Percent.Format(LatencyThreshold)}");
        if (!(Alpha > 0 && Alpha < 0.5)) throw new BadInputException($"--alpha must be above 0 and below 0.5, got {Alpha}");
        if (MinRounds < 2) throw new BadInputException($"--min-rounds must be at least 2, got {MinRounds}");
        if (MaxRounds < MinRounds) throw new BadInputException($"--max-rounds ({MaxRounds}) must be at least --min-rounds ({MinRounds})");
    }
}
