using HdrHistogram;

namespace Perf.Results.Merging;

/// <summary>
/// Lines up the shards' interval series by wall-clock time: the merged interval k is the sum of
/// every shard interval whose start falls in the k-th slot after the earliest start. Shards
/// without an interval series (k6 keeps only the whole histogram) make one interval of the window.
/// </summary>
internal static class IntervalSeries
{
    public static IReadOnlyList<HistogramBase> Align(IReadOnlyList<ShardHistogram> parts, DateTimeOffset startedAt, double durationS)
    {
        if (parts.Any(p => p.Intervals.Count == 0))
        {
            return [Whole(parts, startedAt, durationS)];
        }

        long origin = parts.Min(p => p.Intervals.Min(i => i.StartTimeStamp));
        long width = SlotWidth(parts[0].Intervals);
        var slots = new SortedDictionary<long, HistogramBase>();
        foreach (var part in parts)
        {
            foreach (var interval in part.Intervals)
            {
                long slot = (long)Math.Round((interval.StartTimeStamp - origin) / (double)width);
                if (!slots.TryGetValue(slot, out var sum))
                {
                    sum = ResultHistograms.Empty();
                    sum.StartTimeStamp = origin + slot * width;
                    sum.EndTimeStamp = sum.StartTimeStamp + width;
                    slots[slot] = sum;
                }

                sum.Add(interval);
            }
        }

        return [.. slots.Values];
    }

    // The shards' own interval length (perf load takes one a second), as the median of the first shard's.
    private static long SlotWidth(IReadOnlyList<HistogramBase> intervals)
    {
        var lengths = intervals.Select(i => i.EndTimeStamp - i.StartTimeStamp).Where(l => l > 0).Order().ToArray();
        return lengths.Length == 0 ? 1000 : lengths[lengths.Length / 2];
    }

    private static HistogramBase Whole(IReadOnlyList<ShardHistogram> parts, DateTimeOffset startedAt, double durationS)
    {
        var whole = ResultHistograms.Empty();
        foreach (var part in parts)
        {
            whole.Add(part.Total);
        }

        whole.StartTimeStamp = startedAt.ToUnixTimeMilliseconds();
        whole.EndTimeStamp = whole.StartTimeStamp + (long)(durationS * 1000);
        return whole;
    }
}
