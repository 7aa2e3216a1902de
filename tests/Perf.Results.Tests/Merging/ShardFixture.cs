using HdrHistogram;
using Perf.Results.Files;
using Perf.Results.Merging;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Merging;

/// <summary>
/// Shard run folders made from known latencies: a whole run's values dealt round-robin to
/// <c>count</c> shards, each written as <c>perf load</c> writes a run (result.json and an .hlog of
/// one-second intervals), so a merge can be compared with the unsharded histogram.
/// </summary>
internal static class ShardFixture
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Deterministic latencies, µs, spread over <paramref name="seconds"/> one-second intervals: value i falls in interval i % seconds.</summary>
    public static long[] Latencies(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (long)(50 + Math.Exp(random.NextDouble() * 9)))];
    }

    /// <summary>The histogram of every value at once: what an unsharded run would have recorded.</summary>
    public static HistogramBase Whole(long[] values)
    {
        var whole = ResultHistograms.Empty();
        foreach (var v in values) whole.RecordValue(v);
        return whole;
    }

    /// <summary>Writes shard <paramref name="index"/> of <paramref name="count"/> into <c>folder/shard-index/result.json</c>.</summary>
    public static string WritePerf(string folder, long[] values, int index, int count, int seconds = 3, Func<PerfResult, PerfResult>? change = null)
    {
        var intervals = new List<HistogramBase>();
        for (var s = 0; s < seconds; s++)
        {
            var interval = ResultHistograms.Empty();
            // Shards take their intervals a few ms apart, as separate processes do.
            interval.StartTimeStamp = Start.ToUnixTimeMilliseconds() + s * 1000 + index * 7;
            interval.EndTimeStamp = interval.StartTimeStamp + 1000;
            intervals.Add(interval);
        }

        var mine = values.Where((_, i) => i % count == index).ToArray();
        for (var i = 0; i < mine.Length; i++) intervals[i % seconds].RecordValue(mine[i]);
        var total = ResultHistograms.Empty();
        foreach (var interval in intervals) total.Add(interval);
        var result = Result(index, count, mine.Length, LatencyMetric.FromHistogram(total), seconds);
        result = change?.Invoke(result) ?? result;
        return RunFiles.Write(Path.Combine(folder, $"shard-{index}"), result, new Dictionary<string, IEnumerable<HistogramBase>> { ["end_to_end_us"] = intervals });
    }

    /// <summary>Writes shard <paramref name="index"/> as the k6 script does: one file, its histogram inside as [value, count] pairs.</summary>
    public static string WriteK6(string folder, long[] values, int index, int count, Func<PerfResult, PerfResult>? change = null)
    {
        var mine = values.Where((_, i) => i % count == index).Order().ToArray();
        var pairs = mine.GroupBy(v => v).Select(g => new[] { g.Key, (long)g.Count() }).ToArray();
        var metric = LatencyMetric.FromHistogram(ResultHistograms.FromPairs(pairs)) with { Histogram = pairs };
        var result = Result(index, count, mine.Length, metric, 3) with
        {
            Tool = "k6",
            Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" },
            Target = null,
            Generator = null,
        };
        result = change?.Invoke(result) ?? result;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"k6-result-{index}.json");
        ResultFile.Write(path, result);
        return path;
    }

    private static PerfResult Result(int index, int count, long delivered, LatencyMetric endToEnd, int seconds)
    {
        var fixture = ResultFixture.Load();
        return fixture with
        {
            FindMax = null,
            Target = null,
            Scenario = fixture.Scenario with { Connections = 10, Rate = 1000, DurationS = seconds },
            StartedAt = Start.AddMilliseconds(index * 7),
            Shard = new ShardInfo { Index = index, Count = count, StartTime = Start.AddSeconds(-5), TotalConnections = 10 * count, TotalRate = 1000 * count },
            Metrics = new LoadMetrics
            {
                EndToEndUs = endToEnd,
                Sent = delivered + 2,
                Accepted = delivered + 1,
                Delivered = delivered,
                Rejected = 1,
                Lost = 1,
                ThroughputMsgsPerS = delivered / (double)seconds,
            },
            Generator = new GeneratorUsage { CoresUsed = 0.5, CpuUsPerMessage = 100 + index },
        };
    }
}
