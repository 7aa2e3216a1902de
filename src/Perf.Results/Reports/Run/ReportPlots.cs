using System.Globalization;
using HdrHistogram;
using Perf.Results.Benchmarks;
using Perf.Results.Model;
using ScottPlot;

namespace Perf.Results.Reports.Run;

/// <summary>The report's three plots, drawn by ScottPlot as SVG text (embedded in the HTML, written beside the Markdown).</summary>
public static class ReportPlots
{
    private const int Width = 820;
    private const int Height = 440;

    // Percentiles of the spectrum, plotted at x = log10(1 / (1 - p)): 90% -> 1, 99% -> 2, ..., 99.999% -> 5.
    private static readonly double[] SpectrumPercentiles = BuildSpectrumPercentiles();

    /// <summary>AEAD throughput (GB/s) by message size for each algorithm/backend's seal, with openssl's ceiling where recorded; <c>null</c> without AEAD benchmarks.</summary>
    public static string? AeadThroughput(IReadOnlyList<BenchmarkCase> cases, IReadOnlyDictionary<string, double> openSsl)
    {
        var series = AeadSeries(cases);
        if (series.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        foreach (var (name, points) in series)
        {
            var scatter = plot.Add.Scatter(Xs(points, p => Math.Log2(p.Size)), Xs(points, p => p.GigabytesPerSecond));
            scatter.LegendText = name;
        }

        foreach (var (algorithm, bytesPerSecond) in openSsl)
        {
            var line = plot.Add.HorizontalLine(bytesPerSecond / 1e9);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"openssl speed {algorithm} (16 KiB)";
        }

        var sizes = new[] { 64, 256, 1024, 4096, 16384, 65536 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Xs(sizes, s => Math.Log2(s)), Array.ConvertAll(sizes, SizeLabel));
        return Svg(plot, "AEAD seal throughput by message size", "message size", "GB/s");
    }

    /// <summary>End-to-end latency by percentile per load run (x log-scaled to 99.999%); <c>null</c> without load results.</summary>
    public static string? LatencySpectrum(IReadOnlyList<LoadRun> loads)
    {
        if (loads.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        foreach (var load in loads)
        {
            var (xs, ys) = load.EndToEnd is { } histogram ? FromHistogram(histogram) : FromSummary(load.Result.Metrics.EndToEndUs);
            if (xs.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = RunDescription.Label(load);
            scatter.MarkerSize = 0;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0, 1, 2, 3, 4, 5], ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
        return Svg(plot, "End-to-end latency by percentile", "percentile", "latency (µs)");
    }

    /// <summary>
    /// Latency (p50/p99/p99.9) against offered rate from every <c>--find-max</c> search: the passed
    /// steps as lines in rate order, each failed step as a cross at its p99 (at the SLO line when it
    /// delivered nothing to measure), never as a point at 0 µs; <c>null</c> without a search.
    /// </summary>
    public static string? ThroughputLatency(IReadOnlyList<LoadRun> loads)
    {
        var plot = new Plot();
        var any = false;
        foreach (var load in loads)
        {
            if (load.Result.FindMax is not { Steps.Count: > 0 } search)
            {
                continue;
            }

            any = true;
            var label = RunDescription.Label(load);
            var passed = search.Steps.Where(s => s.Passed && HasLatency(s)).OrderBy(s => s.Rate).ToList();
            var rates = Xs(passed, s => s.Rate);
            plot.Add.Scatter(rates, Xs(passed, s => s.P50Us)).LegendText = $"{label} p50";
            plot.Add.Scatter(rates, Xs(passed, s => s.P99Us)).LegendText = $"{label} p99";
            plot.Add.Scatter(rates, Xs(passed, s => s.P999Us)).LegendText = $"{label} p99.9";
            var failed = search.Steps.Where(s => !s.Passed).ToList();
            if (failed.Count > 0)
            {
                var crosses = plot.Add.Scatter(Xs(failed, s => s.Rate), Xs(failed, s => HasLatency(s) ? s.P99Us : search.Slo.ThresholdUs));
                crosses.LineWidth = 0;
                crosses.MarkerShape = MarkerShape.Eks;
                crosses.MarkerSize = 12;
                crosses.LegendText = $"{label} failed steps (p99; on the SLO line when nothing was delivered)";
            }

            var slo = plot.Add.HorizontalLine(search.Slo.ThresholdUs);
            slo.LinePattern = LinePattern.Dotted;
            slo.LegendText = $"SLO {search.Slo.Percentile} ≤ {Units.Micros(search.Slo.ThresholdUs)}";
        }

        if (!any)
        {
            return null;
        }

        return Svg(plot, "Throughput–latency curve (--find-max steps)", "offered rate (msgs/s)", "end-to-end latency (µs)");
    }

    /// <summary>Whether a step measured latency at all: one that delivered nothing records 0 µs, which is no latency.</summary>
    public static bool HasLatency(FindMaxStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.DeliveredRate > 0 && step.P50Us > 0;
    }

    // Every plot ends the same way: labels, the legend below the data, SVG text (the soak plots' too).
    internal static string Svg(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom);
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>Seal throughput per algorithm/backend and size, from the AEAD suite's cases.</summary>
    public static SortedDictionary<string, List<ThroughputPoint>> AeadSeries(IReadOnlyList<BenchmarkCase> cases)
    {
        var series = new SortedDictionary<string, List<ThroughputPoint>>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            if (c.Type != "AeadBenchmarks" || c.Method != "Seal" || c.NanosecondsPerOperation.Count == 0
                || !c.Parameters.TryGetValue("Cipher", out var cipher)
                || !c.Parameters.TryGetValue("Size", out var sizeText)
                || !int.TryParse(sizeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
            {
                continue;
            }

            var median = Median(c.NanosecondsPerOperation);
            if (!series.TryGetValue(cipher, out var points))
            {
                series[cipher] = points = [];
            }

            points.Add(new ThroughputPoint(size, median, size / median));
        }

        foreach (var points in series.Values)
        {
            points.Sort((a, b) => a.Size.CompareTo(b.Size));
        }

        return series;
    }

    private static (double[] Xs, double[] Ys) FromHistogram(HistogramBase histogram)
    {
        var xs = new double[SpectrumPercentiles.Length];
        var ys = new double[SpectrumPercentiles.Length];
        for (var i = 0; i < SpectrumPercentiles.Length; i++)
        {
            xs[i] = -Math.Log10(1 - (SpectrumPercentiles[i] / 100));
            ys[i] = histogram.GetValueAtPercentile(SpectrumPercentiles[i]);
        }

        return (xs, ys);
    }

    private static (double[] Xs, double[] Ys) FromSummary(LatencyMetric? metric)
    {
        if (metric is null || metric.Count == 0)
        {
            return ([], []);
        }

        double[] percentiles = [50, 90, 99, 99.9, 99.99];
        double[] values = [metric.P50, metric.P90, metric.P99, metric.P999, metric.P9999];
        return (Array.ConvertAll(percentiles, p => -Math.Log10(1 - (p / 100))), values);
    }

    private static double[] BuildSpectrumPercentiles()
    {
        var list = new List<double>();
        for (var x = 0.0; x <= 5.0001; x += 0.05)
        {
            list.Add(100 * (1 - Math.Pow(10, -x)));
        }

        return [.. list];
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = new double[values.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = values[i];
        }

        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double[] Xs<T>(IReadOnlyList<T> items, Func<T, double> select)
    {
        var result = new double[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = select(items[i]);
        }

        return result;
    }

    private static string SizeLabel(int size) => size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";
}

/// <summary>One point of AEAD throughput.</summary>
/// <param name="Size">Message size in bytes.</param>
/// <param name="NanosecondsPerOperation">Median time per seal.</param>
/// <param name="GigabytesPerSecond">Size / time, in GB/s.</param>
public sealed record ThroughputPoint(int Size, double NanosecondsPerOperation, double GigabytesPerSecond);
