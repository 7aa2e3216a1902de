namespace Perf.Results.Comparison;

/// <summary>How strict a comparison is. Thresholds are fractions (0.05 = 5%).</summary>
public sealed record ComparisonOptions
{
    /// <summary>Relative change in benchmark time below which a significant change still counts as <see cref="Verdict.Same"/>.</summary>
    public double Threshold { get; init; } = 0.05;

    /// <summary>Significance level of the Mann–Whitney U test.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Fewest Result-stage iterations per side for a statistical verdict; fewer gives <see cref="Verdict.Inconclusive"/>.</summary>
    public int MinIterations { get; init; } = 5;

    /// <summary>Relative threshold for a load run's latency percentiles (single values, so threshold only).</summary>
    public double LatencyThreshold { get; init; } = 0.10;

    /// <summary>Relative threshold for a load run's maximum sustainable rate (single value, so threshold only).</summary>
    public double RateThreshold { get; init; } = 0.05;

    /// <summary>Per-entry threshold overrides (from <c>results/gate.json</c>); none when null.</summary>
    public ThresholdRules? Rules { get; init; }

    /// <summary>Checks every value is in range.</summary>
    /// <exception cref="BadInputException">When a value is out of range.</exception>
    public void Validate()
    {
        if (!(Threshold >= 0 && Threshold < 1)) throw new BadInputException($"--threshold must be at least 0% and below 100%, got {Percent.Format(Threshold)}");
        if (!(Alpha > 0 && Alpha < 1)) throw new BadInputException($"--alpha must be between 0 and 1 exclusive, got {Alpha}");
        if (MinIterations < 2) throw new BadInputException($"--min-iterations must be at least 2, got {MinIterations}");
        if (!(LatencyThreshold >= 0 && LatencyThreshold < 1)) throw new BadInputException($"--latency-threshold must be at least 0% and below 100%");
        if (!(RateThreshold >= 0 && RateThreshold < 1)) throw new BadInputException($"--rate-threshold must be at least 0% and below 100%");
    }
}
