using Perf.Results.Model;

namespace Perf.Results.Tests.Soak;

/// <summary>Synthetic series: minutes whose figures follow a formula.</summary>
internal static class SeriesFixture
{
    /// <summary><paramref name="minutes"/> one-minute entries; each field from its own function of the minute's number.</summary>
    public static IReadOnlyList<SeriesEntry> Minutes(int minutes, Func<int, long> rss, Func<int, double>? p99 = null, Func<int, long>? lost = null)
    {
        var entries = new SeriesEntry[minutes];
        for (var i = 0; i < minutes; i++)
        {
            entries[i] = new SeriesEntry
            {
                Index = i,
                StartS = i * 60,
                Seconds = 60,
                Sent = 300_000,
                Delivered = 300_000 - (lost?.Invoke(i) ?? 0),
                Rejected = 0,
                Lost = lost?.Invoke(i) ?? 0,
                Count = 300_000,
                P50Us = 200,
                P99Us = p99?.Invoke(i) ?? 900,
                P999Us = 2_000,
                MaxUs = 9_000,
                RssBytes = rss(i),
                GcHeapBytes = 40_000_000,
                Handles = 10_250,
                Gen2Collections = 1,
                GcPauseMs = 12.5,
                MailboxDepth = 0,
            };
        }

        return entries;
    }
}
