using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>The soak tables beside the series plots: per run with a series, its memory and collector (with the rule's verdict), and its latency over time.</summary>
public static class SeriesTable
{
    /// <summary>One row per run with a series; <c>null</c> when none has one.</summary>
    public static RunReportTables.Table? Soak(RunReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            if (load.Result.Series is not { Count: > 0 } series)
            {
                continue;
            }

            var slopes = load.Result.SeriesSlopes;
            var soak = load.Result.Soak;
            long? gen2 = Sum(series, e => e.Gen2Collections);
            var pause = series.All(e => e.GcPauseMs is not null) ? series.Sum(e => e.GcPauseMs!.Value) : (double?)null;
            rows.Add(
            [
                RunDescription.Label(load),
                (series.Sum(e => e.Seconds) / 60).ToString("0.#", CultureInfo.InvariantCulture),
                Mb(series[0].RssBytes) + " → " + Mb(series[^1].RssBytes),
                Pct(slopes?.RssPercent),
                Pct(slopes?.GcHeapPercent),
                slopes?.Handles is { } handles ? handles.ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) : "-",
                gen2 is { } g ? N(g) : "-",
                pause is { } p ? p.ToString("0.#", CultureInfo.InvariantCulture) : "-",
                soak is null ? "-" : $"{soak.FirstP99Us.ToString("0", CultureInfo.InvariantCulture)} → {soak.LastP99Us.ToString("0", CultureInfo.InvariantCulture)}",
                Lost(load.Result.Metrics.Lost, soak),
                soak is null ? "not judged" : soak.Passed ? "passed" : "FAILED: " + string.Join("; ", soak.Failures),
            ]);
        }

        return rows.Count == 0
            ? null
            : new RunReportTables.Table(["run", "minutes", "resident MB", "RSS %/h", "GC heap %/h", "handles/h", "gen-2", "GC pause ms", "p99 µs first → last", "lost", "soak rule"], rows);
    }

    /// <summary>One row per run with a series: the first and last windows' p99 and their ratio, the p99 slope, the worst minute; <c>null</c> when none has one.</summary>
    public static RunReportTables.Table? Latency(RunReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            if (load.Result.Series is not { Count: > 0 } series)
            {
                continue;
            }

            var worst = series.MaxBy(e => e.P99Us)!;
            var soak = load.Result.Soak;
            rows.Add(
            [
                RunDescription.Label(load),
                soak is null ? "-" : soak.FirstP99Us.ToString("0", CultureInfo.InvariantCulture),
                soak is null ? "-" : soak.LastP99Us.ToString("0", CultureInfo.InvariantCulture),
                soak is { FirstP99Us: > 0 } s ? (s.LastP99Us / s.FirstP99Us).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-",
                load.Result.SeriesSlopes is { } slopes ? slopes.P99Us.ToString("+0;-0;0", CultureInfo.InvariantCulture) : "-",
                $"{worst.P99Us.ToString("0", CultureInfo.InvariantCulture)} (minute {N(worst.Index)})",
                N(series.Sum(e => e.Delivered)),
            ]);
        }

        return rows.Count == 0
            ? null
            : new RunReportTables.Table(["run", "first window p99 µs", "last window p99 µs", "last / first", "p99 µs/h", "worst minute p99 µs", "delivered"], rows);
    }

    // The rule's loss (less the slow consumers' backlog the relay still held), and every undelivered message beside it when they differ.
    private static string Lost(long lost, SoakVerdict? soak) =>
        soak is null || soak.Lost == lost ? N(lost) : $"{N(soak.Lost)} ({N(lost)} with the backlog held for slow consumers)";

    private static long? Sum(IReadOnlyList<SeriesEntry> series, Func<SeriesEntry, long?> value)
    {
        long total = 0;
        foreach (var entry in series)
        {
            if (value(entry) is not { } v)
            {
                return null;
            }

            total += v;
        }

        return total;
    }

    private static string Mb(long? bytes) => bytes is { } b ? (b / 1e6).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Pct(double? percent) => percent is { } p ? p.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture) : "-";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
