using HdrHistogram;

namespace Perf.Results.Files;

/// <summary>Keeps full histograms beside a result file: HdrHistogram <c>.hlog</c> interval logs and percentile-distribution text.</summary>
public static class HistogramFiles
{
    /// <summary>
    /// Writes interval histograms (values in microseconds) as an HdrHistogram log, readable by HdrHistogram's
    /// log readers and plotters; each histogram's start/end timestamps mark its interval.
    /// </summary>
    /// <param name="path">The <c>.hlog</c> file to create.</param>
    /// <param name="startTime">The run's start, written in the log header.</param>
    /// <param name="intervals">One histogram per interval, in order.</param>
    public static void WriteIntervalLog(string path, DateTime startTime, IReadOnlyList<HistogramBase> intervals)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(intervals);
        using var stream = File.Create(path);
        HistogramLogWriter.Write(stream, startTime, [.. intervals]);
    }

    /// <summary>
    /// Writes HdrHistogram's percentile distribution of <paramref name="histogram"/> (recorded in microseconds)
    /// as text, with values in microseconds.
    /// </summary>
    /// <param name="path">The text file to create.</param>
    /// <param name="histogram">The histogram to describe.</param>
    /// <param name="percentileTicksPerHalfDistance">Resolution of the distribution; HdrHistogram's customary 5 by default.</param>
    public static void WritePercentileDistribution(string path, HistogramBase histogram, int percentileTicksPerHalfDistance = 5)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percentileTicksPerHalfDistance);
        using var writer = new StreamWriter(path);
        // Scaling ratio 1: values were recorded in microseconds and are reported in microseconds.
        histogram.OutputPercentileDistribution(writer, percentileTicksPerHalfDistance, 1.0, false);
    }
}
