using Perf.Results.Benchmarks;
using Perf.Results.Model;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace Perf.Results.Comparison;

/// <summary>
/// Compares two result sets. Benchmark times: Mann–Whitney U (Perfolizer) on per-iteration ns/op AND a relative
/// threshold on the medians — a significant but tiny change is <see cref="Verdict.Same"/>. Allocations: exact, any
/// extra byte is <see cref="Verdict.Slower"/>. Load runs (single values): threshold only.
/// </summary>
public static class ResultComparer
{
    private static readonly string[] LoadPercentiles = ["p50", "p99", "p999"];

    // A run that delivers 1 % fewer of its messages has lost what a soak or a flood must keep (the goal is 99 %).
    private const double DeliveryThreshold = 0.01;

    /// <summary>Compares every benchmark and load metric of <paramref name="baseline"/> and <paramref name="current"/>, sorted by name.</summary>
    /// <exception cref="BadInputException">When the options are out of range.</exception>
    public static IReadOnlyList<ComparisonEntry> Compare(ResultSet baseline, ResultSet current, ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var entries = new List<ComparisonEntry>();
        foreach (var name in baseline.Benchmarks.Keys.Union(current.Benchmarks.Keys))
        {
            bool inBase = baseline.Benchmarks.TryGetValue(name, out var b);
            bool inCurrent = current.Benchmarks.TryGetValue(name, out var c);
            if (inBase && inCurrent) entries.AddRange(CompareBenchmark(b!, c!, options));
            else entries.Add(OneSided(name, inCurrent));
        }

        foreach (var name in baseline.Loads.Keys.Union(current.Loads.Keys))
        {
            bool inBase = baseline.Loads.TryGetValue(name, out var b);
            bool inCurrent = current.Loads.TryGetValue(name, out var c);
            if (inBase && inCurrent) entries.AddRange(CompareLoad(name, b!, c!, options));
            else entries.Add(OneSided(name, inCurrent));
        }

        return [.. entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Metric, StringComparer.Ordinal)];
    }

    private static ComparisonEntry OneSided(string name, bool inCurrent) =>
        new(name, "", "", null, null, inCurrent ? Verdict.Added : Verdict.Removed, 0, null, inCurrent ? "only in current" : "only in baseline");

    private static IEnumerable<ComparisonEntry> CompareBenchmark(BenchmarkCase b, BenchmarkCase c, ComparisonOptions options)
    {
        yield return CompareTime(b, c, options);
        if (b.AllocatedBytesPerOperation is { } before && c.AllocatedBytesPerOperation is { } after)
        {
            // Allocations are deterministic, so there is no noise to forgive: one byte more is a regression.
            var verdict = after > before ? Verdict.Slower : after < before ? Verdict.Faster : Verdict.Same;
            string note = verdict == Verdict.Same ? "" : $"{after - before:+#;-#} B/op";
            yield return new ComparisonEntry(b.Name, "allocated", "B/op", before, after, verdict, 0, null, note);
        }
    }

    private static ComparisonEntry CompareTime(BenchmarkCase b, BenchmarkCase c, ComparisonOptions options)
    {
        const string metric = "time";
        string id = $"{b.Name}/{metric}";
        double threshold = options.Rules?.ThresholdFor(id, options.Threshold) ?? options.Threshold;
        var x = b.NanosecondsPerOperation;
        var y = c.NanosecondsPerOperation;
        double? baseMedian = x.Count > 0 ? Median.Of(x) : null;
        double? currentMedian = y.Count > 0 ? Median.Of(y) : null;
        if (x.Count < options.MinIterations || y.Count < options.MinIterations)
        {
            return new ComparisonEntry(b.Name, metric, "ns/op", baseMedian, currentMedian, Verdict.Inconclusive, threshold, null,
                $"{x.Count} vs {y.Count} iterations, fewer than {options.MinIterations}");
        }

        double p = MannWhitneyTest.Instance.Perform(new Sample([.. x]), new Sample([.. y]), AlternativeHypothesis.TwoSides, Threshold.Zero).PValue.Value;
        double ratio = currentMedian!.Value / baseMedian!.Value;
        bool significant = p < options.Alpha;
        Verdict verdict;
        string note;
        if (!significant)
        {
            verdict = Verdict.Same;
            note = "not significant";
        }
        else if (ratio > 1 + threshold)
        {
            verdict = Verdict.Slower;
            note = "";
        }
        else if (ratio < 1 - threshold)
        {
            verdict = Verdict.Faster;
            note = "";
        }
        else
        {
            verdict = Verdict.Same;
            note = "significant, within threshold";
        }

        return new ComparisonEntry(b.Name, metric, "ns/op", baseMedian, currentMedian, verdict, threshold, p, note);
    }

    private static IEnumerable<ComparisonEntry> CompareLoad(string name, PerfResult b, PerfResult c, ComparisonOptions options)
    {
        var currentLatencies = c.Metrics.Latencies().ToDictionary(l => l.Name, l => l.Metric);
        foreach (var (histogram, before) in b.Metrics.Latencies())
        {
            if (!currentLatencies.TryGetValue(histogram, out var after)) continue;
            foreach (var percentile in LoadPercentiles)
            {
                yield return BySingleValue(name, $"{histogram}.{percentile}", "us", before.Percentile(percentile), after.Percentile(percentile),
                    higherIsWorse: true, options.LatencyThreshold, options);
            }
        }

        // The share of sent messages delivered: a flooded run beside the same run without the flood.
        if (b.Metrics.Sent > 0 && c.Metrics.Sent > 0)
        {
            yield return BySingleValue(name, "delivered_share", "%", 100.0 * b.Metrics.Delivered / b.Metrics.Sent, 100.0 * c.Metrics.Delivered / c.Metrics.Sent,
                higherIsWorse: false, DeliveryThreshold, options);
        }

        if (b.FindMax is { } bf && c.FindMax is { } cf)
        {
            yield return BySingleValue(name, "max_sustainable_rate", "msg/s", bf.MaxSustainableRate, cf.MaxSustainableRate,
                higherIsWorse: false, options.RateThreshold, options);
        }
    }

    private static ComparisonEntry BySingleValue(string name, string metric, string unit, double before, double after, bool higherIsWorse, double defaultThreshold, ComparisonOptions options)
    {
        // One number per run admits no statistical test: only the relative threshold decides.
        double threshold = options.Rules?.ThresholdFor($"{name}/{metric}", defaultThreshold) ?? defaultThreshold;
        Verdict verdict = Verdict.Same;
        if (before == 0)
        {
            if (after != 0) verdict = higherIsWorse ? Verdict.Slower : Verdict.Faster;
        }
        else
        {
            double ratio = after / before;
            bool higher = ratio > 1 + threshold;
            bool lower = ratio < 1 - threshold;
            if (higher) verdict = higherIsWorse ? Verdict.Slower : Verdict.Faster;
            else if (lower) verdict = higherIsWorse ? Verdict.Faster : Verdict.Slower;
        }

        return new ComparisonEntry(name, metric, unit, before, after, verdict, threshold, null, "single value: threshold only");
    }
}
