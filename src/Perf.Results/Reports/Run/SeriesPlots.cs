using Perf.Results.Model;
using ScottPlot;

namespace Perf.Results.Reports.Run;

/// <summary>
/// The soak plots of the runs that have a per-minute <c>series</c>: the target's memory (resident
/// set and GC heap) and the end-to-end latency (p50, p99, p99.9) minute by minute, drawn by
/// ScottPlot as SVG text like the report's other plots.
/// </summary>
public static class SeriesPlots
{
    private const double Megabyte = 1_000_000;

    /// <summary>Resident set and GC heap (MB) at the end of each minute, per run; <c>null</c> when no run has a series with memory readings.</summary>
    public static string? Memory(IReadOnlyList<LoadRun> loads)
    {
        var plot = new Plot();
        var any = false;
        foreach (var (label, series) in WithSeries(loads))
        {
            any |= AddLine(plot, series, e => e.RssBytes / Megabyte, $"{label} resident set");
            AddLine(plot, series, e => e.GcHeapBytes / Megabyte, $"{label} GC heap");
        }

        return any ? ReportPlots.Svg(plot, "Target memory by minute (soak)", "minutes into the measured window", "MB") : null;
    }

    /// <summary>End-to-end p50, p99 and p99.9 (µs) of each minute, per run; <c>null</c> when no run has a series.</summary>
    public static string? Latency(IReadOnlyList<LoadRun> loads)
    {
        var plot = new Plot();
        var any = false;
        foreach (var (label, series) in WithSeries(loads))
        {
            any |= AddLine(plot, series, e => e.Count > 0 ? e.P50Us : null, $"{label} p50");
            AddLine(plot, series, e => e.Count > 0 ? e.P99Us : null, $"{label} p99");
            AddLine(plot, series, e => e.Count > 0 ? e.P999Us : null, $"{label} p99.9");
        }

        return any ? ReportPlots.Svg(plot, "End-to-end latency by minute (soak)", "minutes into the measured window", "latency (µs)") : null;
    }

    /// <summary>The runs that have a series, with their labels.</summary>
    internal static IEnumerable<(string Label, IReadOnlyList<SeriesEntry> Series)> WithSeries(IReadOnlyList<LoadRun> loads)
    {
        foreach (var load in loads)
        {
            if (load.Result.Series is { Count: > 0 } series)
            {
                yield return (RunDescription.Label(load), series);
            }
        }
    }

    // One line of the entries whose value is known, at each entry's end; false when none is.
    private static bool AddLine(Plot plot, IReadOnlyList<SeriesEntry> series, Func<SeriesEntry, double?> value, string label)
    {
        var xs = new List<double>(series.Count);
        var ys = new List<double>(series.Count);
        foreach (var entry in series)
        {
            if (value(entry) is { } y)
            {
                xs.Add((entry.StartS + entry.Seconds) / 60);
                ys.Add(y);
            }
        }

        if (xs.Count == 0)
        {
            return false;
        }

        var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
        scatter.LegendText = label;
        return true;
    }
}
