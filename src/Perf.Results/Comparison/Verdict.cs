namespace Perf.Results.Comparison;

/// <summary>The outcome of comparing one benchmark or metric between a baseline and a current run.</summary>
public enum Verdict
{
    /// <summary>No change beyond noise and threshold.</summary>
    Same,

    /// <summary>Better beyond the threshold (and significant, where a test applies); for allocations: fewer bytes.</summary>
    Faster,

    /// <summary>Worse beyond the threshold (and significant, where a test applies); for allocations: any extra byte. A regression.</summary>
    Slower,

    /// <summary>Present only in the current run.</summary>
    Added,

    /// <summary>Present only in the baseline.</summary>
    Removed,

    /// <summary>Not enough data to decide (too few iterations); reported, not gated.</summary>
    Inconclusive,

    /// <summary>
    /// An A/B gate's interval of the ratio is still too wide to say whether the change reaches the
    /// threshold: rounds are added while the budget lasts; reported, not gated.
    /// </summary>
    Unsure,
}
