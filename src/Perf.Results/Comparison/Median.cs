namespace Perf.Results.Comparison;

/// <summary>The median of a sample, shared by the two-run comparison and the A/B gate.</summary>
public static class Median
{
    /// <summary>The middle value, or the mean of the two middle values; the list must not be empty.</summary>
    public static double Of(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
