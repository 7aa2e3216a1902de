using HdrHistogram;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Files;

public sealed class HistogramTests : TempFolder
{
    // Values 1..1000 µs once each: below 2048 a 3-digit HdrHistogram is exact, so the percentiles are known.
    private static LongHistogram OneToThousand()
    {
        var histogram = new LongHistogram(60_000_000, 3);
        for (int v = 1; v <= 1000; v++) histogram.RecordValue(v);
        return histogram;
    }

    [Fact]
    public void Metric_from_histogram_has_the_known_percentiles()
    {
        var metric = LatencyMetric.FromHistogram(OneToThousand());

        Assert.Equal(1000, metric.Count);
        Assert.Equal(500.5, metric.Mean, 3);
        Assert.Equal(500, metric.P50);
        Assert.Equal(900, metric.P90);
        Assert.Equal(990, metric.P99);
        Assert.Equal(999, metric.P999);
        Assert.Equal(1000, metric.P9999);
        Assert.Equal(1000, metric.Max);
    }

    [Fact]
    public void Empty_histogram_gives_zeros_not_NaN()
    {
        var metric = LatencyMetric.FromHistogram(new LongHistogram(1000, 3));

        Assert.Equal(0, metric.Count);
        Assert.Equal(0, metric.Mean);
        Assert.Equal(0, metric.Max);
    }

    [Fact]
    public void Interval_log_reads_back_with_the_same_counts()
    {
        var first = OneToThousand();
        var second = new LongHistogram(60_000_000, 3);
        second.RecordValueWithCount(42, 7);
        string path = Path.Combine(Folder, "e2e.hlog");

        HistogramFiles.WriteIntervalLog(path, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), [first, second]);

        using var reader = new HistogramLogReader(File.OpenRead(path));
        var read = reader.ReadHistograms().ToList();
        Assert.Equal(2, read.Count);
        Assert.Equal(1000, read[0].TotalCount);
        Assert.Equal(7, read[1].TotalCount);
        Assert.Equal(7, read[1].GetCountAtValue(42));
    }

    [Fact]
    public void Interval_logs_are_ascii_as_the_log_format_and_its_tools_expect()
    {
        string path = Path.Combine(Folder, "ascii.hlog");

        HistogramFiles.WriteIntervalLog(path, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), [OneToThousand()]);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.All(bytes, b => Assert.True(b is > 0 and < 128, $"byte {b} is not ASCII text"));
        Assert.StartsWith("#[Histogram log format version", System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Percentile_distribution_lists_values_in_microseconds()
    {
        string path = Path.Combine(Folder, "e2e.percentiles.txt");

        HistogramFiles.WritePercentileDistribution(path, OneToThousand());

        string text = File.ReadAllText(path);
        Assert.Contains("Percentile", text, StringComparison.Ordinal);
        Assert.Matches(@"#\[Max\s*=\s*1000\.000", text);
        Assert.Matches(@"Total count\s*=\s*1000\b", text);
    }

    [Fact]
    public void Run_files_hold_the_result_and_each_metrics_log_and_distribution()
    {
        var second = new LongHistogram(60_000_000, 3);
        second.RecordValueWithCount(2000, 10);
        string runFolder = Path.Combine(Folder, "run");

        string resultPath = RunFiles.Write(runFolder, ResultFixture.Load(), new Dictionary<string, IEnumerable<HistogramBase>>
        {
            ["end_to_end_us"] = [OneToThousand(), second],
            ["seal_us"] = [],
        });

        Assert.Equal(Path.Combine(runFolder, "result.json"), resultPath);
        Assert.Equal(900, ResultFile.Read(resultPath).Metrics.EndToEndUs!.P99);
        Assert.True(File.Exists(Path.Combine(runFolder, "end_to_end_us.hlog")));
        // The distribution covers both intervals: 1000 + 10 values, max 2000 µs.
        string text = File.ReadAllText(Path.Combine(runFolder, "end_to_end_us.percentiles.txt"));
        Assert.Matches(@"Total count\s*=\s*1010\b", text);
        Assert.Matches(@"#\[Max\s*=\s*2000\.000", text);

        // The log holds both intervals in order; a metric without intervals gets no files.
        using var log = new HistogramLogReader(File.OpenRead(Path.Combine(runFolder, "end_to_end_us.hlog")));
        Assert.Equal([1000L, 10L], log.ReadHistograms().Select(h => h.TotalCount).ToArray());
        Assert.False(File.Exists(Path.Combine(runFolder, "seal_us.hlog")));
        Assert.False(File.Exists(Path.Combine(runFolder, "seal_us.percentiles.txt")));
    }
}
