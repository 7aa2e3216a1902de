using HdrHistogram;
using Perf.Results.Model;

namespace Perf.Results.Files;

/// <summary>
/// Writes one run's files into its folder under fixed names: <c>result.json</c>, and per histogram
/// <c>&lt;metric&gt;.hlog</c> (intervals) and <c>&lt;metric&gt;.percentiles.txt</c> (all intervals together).
/// </summary>
public static class RunFiles
{
    /// <summary>The result file's name inside a run folder.</summary>
    public const string ResultFileName = "result.json";

    /// <summary>
    /// Writes <paramref name="result"/> and, for each metric (for example <c>end_to_end_us</c>), its interval log and
    /// percentile distribution. Returns the path of the result file.
    /// </summary>
    /// <param name="folder">The run folder, usually from <see cref="RunFolder.Create"/>.</param>
    /// <param name="result">The run's summary.</param>
    /// <param name="intervalsByMetric">Interval histograms (values in µs, with start/end timestamps set) by metric name, each sequence read once, one histogram at a time.</param>
    /// <exception cref="BadInputException">When the result is invalid.</exception>
    public static string Write(string folder, PerfResult result, IReadOnlyDictionary<string, IEnumerable<HistogramBase>> intervalsByMetric)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(intervalsByMetric);
        Directory.CreateDirectory(folder);
        string resultPath = Path.Combine(folder, ResultFileName);
        ResultFile.Write(resultPath, result);
        foreach (var (metric, intervals) in intervalsByMetric)
        {
            using var each = intervals.GetEnumerator();
            if (!each.MoveNext()) continue;
            var total = each.Current.Copy();
            HistogramFiles.WriteIntervalLog(Path.Combine(folder, metric + ".hlog"), result.StartedAt.UtcDateTime, AddingTo(total, each));
            HistogramFiles.WritePercentileDistribution(Path.Combine(folder, metric + ".percentiles.txt"), total);
        }

        return resultPath;
    }

    // The intervals from the current one on, each added to the total as it goes past (the
    // current one is in it already): the log and the distribution in one pass.
    private static IEnumerable<HistogramBase> AddingTo(HistogramBase total, IEnumerator<HistogramBase> each)
    {
        yield return each.Current;
        while (each.MoveNext())
        {
            total.Add(each.Current);
            yield return each.Current;
        }
    }
}
