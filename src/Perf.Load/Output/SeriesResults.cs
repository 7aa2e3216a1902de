using HdrHistogram;
using Perf.Load.Engine;
using Perf.Load.Probes;
using Perf.Load.Recording;
using Perf.Results.Model;
using Perf.Results.Soak;

namespace Perf.Load.Output;

/// <summary>
/// A run's series as the result file holds it: one <see cref="SeriesEntry"/> per interval (the
/// probe's readings turned into per-interval collections and pauses), the slopes after the soak
/// warm-up, and the soak rule's verdict, whose first and last windows' p99 come from the intervals'
/// own histograms added together (not from averaging percentiles).
/// </summary>
public static class SeriesResults
{
    /// <summary>The series entries of <paramref name="run"/>, or <c>null</c> when it had no series.</summary>
    public static IReadOnlyList<SeriesEntry>? Entries(LoadRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Series is not { } series)
        {
            return null;
        }

        var readings = run.SeriesReadings;
        var entries = new SeriesEntry[series.Closed];
        for (var i = 0; i < entries.Length; i++)
        {
            var interval = series[i];
            var latency = interval.Latency.Histogram();
            var (before, after) = readings.Count > i + 1 ? (readings[i], readings[i + 1]) : (null, null);
            entries[i] = new SeriesEntry
            {
                Index = interval.Index,
                StartS = interval.StartS,
                Seconds = interval.Seconds,
                Sent = interval.Sent,
                Delivered = interval.Delivered,
                Rejected = interval.Rejected,
                Lost = Math.Max(0, interval.Sent - interval.Delivered - interval.Rejected),
                Count = latency.TotalCount,
                P50Us = Percentile(latency, 50),
                P99Us = Percentile(latency, 99),
                P999Us = Percentile(latency, 99.9),
                MaxUs = latency.TotalCount == 0 ? 0 : latency.GetMaxValue(),
                RssBytes = after?.ResidentBytes,
                GcHeapBytes = after?.GcHeapBytes,
                Handles = after?.Handles,
                Gen2Collections = Difference(before?.Gen2Collections, after?.Gen2Collections),
                GcPauseMs = before?.GcPauseSeconds is { } from && after?.GcPauseSeconds is { } to ? Math.Max(0, to - from) * 1000 : null,
                MailboxDepth = after?.MailboxDepth,
            };
        }

        return entries;
    }

    /// <summary>
    /// The soak rule on <paramref name="run"/> written as <paramref name="result"/>: its slopes,
    /// its first and last windows' p99, and its loss as <c>metrics.lost</c> counts it. Nothing held
    /// is subtracted: the slow consumers read at full speed after the measured window and the drain
    /// waits for what the relay held for them (<see cref="Behaviours.ClientBehaviours.SlowConsumerDrain"/>),
    /// so a message still missing then was not delivered when its recipient could read it.
    /// </summary>
    public static SoakVerdict Evaluate(LoadRunResult run, PerfResult result, SoakRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var window = options.WindowFor(run.Scenario.Duration);
        var (first, last) = WindowP99s(run, window);
        var buffersFull = result.Series is { } series ? SeriesSlopeFit.BuffersFullS(series) : null;
        return SoakRule.Evaluate(new SoakReading(result.SeriesSlopes, window.TotalSeconds, first, last, result.Metrics.Lost, buffersFull), options);
    }

    /// <summary>The end-to-end p99 of the intervals that start within the first <paramref name="window"/>, and of those that end within the last.</summary>
    public static (double First, double Last) WindowP99s(LoadRunResult run, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Series is not { Closed: > 0 } series)
        {
            return (0, 0);
        }

        var end = series[series.Closed - 1].StartS + series[series.Closed - 1].Seconds;
        var first = new LongHistogram(1, LoadRecorders.HighestTrackableMicroseconds, LoadRecorders.SignificantDigits);
        var last = new LongHistogram(1, LoadRecorders.HighestTrackableMicroseconds, LoadRecorders.SignificantDigits);
        for (var i = 0; i < series.Closed; i++)
        {
            var interval = series[i];
            var inFirst = interval.StartS < window.TotalSeconds - 1e-6;
            var inLast = interval.StartS + interval.Seconds > end - window.TotalSeconds + 1e-6;
            if (inFirst || inLast)
            {
                var histogram = interval.Latency.Histogram();
                if (inFirst)
                {
                    first.Add(histogram);
                }

                if (inLast)
                {
                    last.Add(histogram);
                }
            }
        }

        return (Percentile(first, 99), Percentile(last, 99));
    }

    private static double Percentile(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

    private static long? Difference(long? before, long? after) => before is { } b && after is { } a ? Math.Max(0, a - b) : null;
}
