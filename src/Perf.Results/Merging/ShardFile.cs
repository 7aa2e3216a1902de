using HdrHistogram;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Results.Merging;

/// <summary>
/// One shard's result and the full histograms it keeps: the <c>&lt;metric&gt;.hlog</c> interval
/// log beside the file (<c>perf load</c>'s run folder: it has the intervals too), else the pairs
/// inside it (k6, and a <c>perf load --shard</c> result copied away from its folder). Never its percentiles.
/// </summary>
public sealed class ShardFile
{
    private ShardFile(string path, PerfResult result, IReadOnlyDictionary<string, ShardHistogram> histograms)
    {
        Path = path;
        Result = result;
        Histograms = histograms;
    }

    /// <summary>The file as given.</summary>
    public string Path { get; }

    /// <summary>Its result.</summary>
    public PerfResult Result { get; }

    /// <summary>Each latency metric's histogram, by JSON name (<c>end_to_end_us</c>, ...).</summary>
    public IReadOnlyDictionary<string, ShardHistogram> Histograms { get; }

    /// <summary>Reads <paramref name="path"/> and its histograms.</summary>
    /// <exception cref="BadInputException">The file is not a valid result, or a latency it reports has no histogram, or the histogram does not hold that latency's count.</exception>
    public static ShardFile Read(string path)
    {
        var result = ResultFile.Read(path);
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var histograms = new Dictionary<string, ShardHistogram>(StringComparer.Ordinal);
        foreach (var (name, metric) in result.Metrics.Latencies())
        {
            var histogram = ReadLog(System.IO.Path.Combine(folder, name + ".hlog"))
                ?? (metric.Histogram is { } pairs ? new ShardHistogram(ResultHistograms.FromPairs(pairs), []) : null)
                ?? throw new BadInputException($"{path}: metrics.{name} has no histogram (no {name}.hlog beside the file, no metrics.{name}.histogram in it): merge adds histograms, never percentiles");
            if (histogram.Total.TotalCount != metric.Count)
            {
                throw new BadInputException($"{path}: metrics.{name}.count is {metric.Count} but its histogram holds {histogram.Total.TotalCount} values: the {name}.hlog beside it is another run's");
            }

            histograms[name] = histogram;
        }

        return new ShardFile(path, result, histograms);
    }

    private static ShardHistogram? ReadLog(string hlog)
    {
        if (!File.Exists(hlog))
        {
            return null;
        }

        try
        {
            using var reader = new HistogramLogReader(File.OpenRead(hlog));
            var total = ResultHistograms.Empty();
            var intervals = new List<HistogramBase>();
            foreach (var interval in reader.ReadHistograms())
            {
                total.Add(interval);
                intervals.Add(interval);
            }

            return new ShardHistogram(total, intervals);
        }
        catch (Exception ex) when (ex is FormatException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            throw new BadInputException($"{hlog}: not a readable HdrHistogram interval log: {ex.Message}", ex);
        }
    }
}

/// <summary>A shard's whole histogram of one metric and, from an <c>.hlog</c>, its intervals (start/end timestamps set, epoch ms).</summary>
/// <param name="Total">Every value the shard recorded, in the merged shape.</param>
/// <param name="Intervals">The interval series; empty when the shard keeps only the whole histogram.</param>
public sealed record ShardHistogram(HistogramBase Total, IReadOnlyList<HistogramBase> Intervals);
