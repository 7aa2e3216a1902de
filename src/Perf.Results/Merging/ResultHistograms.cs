using HdrHistogram;
using Perf.Results.Model;

namespace Perf.Results.Merging;

/// <summary>
/// The histograms <c>perf merge</c> adds: microseconds, 3 significant digits, up to an hour, as
/// <c>perf load</c> records them; and the <c>[value, count]</c> pairs a k6 result keeps inside itself.
/// </summary>
public static class ResultHistograms
{
    /// <summary>Largest value a merged histogram holds, µs (one hour, as <c>perf load</c> records); larger values are clamped.</summary>
    public const long HighestTrackableMicroseconds = 3_600_000_000;

    /// <summary>Significant decimal digits of a merged histogram.</summary>
    public const int SignificantDigits = 3;

    /// <summary>An empty histogram of the merged shape.</summary>
    public static HistogramBase Empty() => new LongHistogram(1, HighestTrackableMicroseconds, SignificantDigits);

    /// <summary>A histogram holding the <c>[value µs, count]</c> pairs of <see cref="LatencyMetric.Histogram"/>.</summary>
    public static HistogramBase FromPairs(IReadOnlyList<long[]> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var histogram = Empty();
        foreach (var pair in pairs)
        {
            histogram.RecordValueWithCount(Math.Min(pair[0], HighestTrackableMicroseconds), pair[1]);
        }

        return histogram;
    }

    /// <summary>
    /// The <c>[value µs, count]</c> pairs of <paramref name="histogram"/>: each recorded bucket's
    /// highest equivalent value and its count, ascending. <see cref="FromPairs"/> records every
    /// value back into the bucket it came from, so a histogram of the merged shape round-trips exactly.
    /// </summary>
    public static IReadOnlyList<long[]> ToPairs(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var pairs = new List<long[]>();
        foreach (var bucket in histogram.RecordedValues())
        {
            pairs.Add([bucket.ValueIteratedTo, bucket.CountAtValueIteratedTo]);
        }

        return pairs;
    }

    /// <summary>A copy of <paramref name="source"/> in the merged shape, so histograms of other shapes add into it.</summary>
    public static HistogramBase Widened(HistogramBase source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = Empty();
        copy.Add(source);
        copy.StartTimeStamp = source.StartTimeStamp;
        copy.EndTimeStamp = source.EndTimeStamp;
        return copy;
    }
}
