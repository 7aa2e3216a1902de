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
    /// <param name="intervals">One histogram per interval, in order; taken one at a time, so a long run's intervals need not all be in memory at once.</param>
    public static void WriteIntervalLog(string path, DateTime startTime, IEnumerable<HistogramBase> intervals)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(intervals);
        // HdrHistogram.NET's writer emits UTF-16; the log format (and HdrHistogram's own log
        // tools, such as Java's HistogramLogProcessor) expect ASCII, so transcode.
        using var utf16 = new MemoryStream();
        using (var writer = new HistogramLogWriter(utf16))
        {
            writer.Write(startTime); // the header and legend
            foreach (var interval in intervals)
            {
                writer.Append(interval);
            }
        }

        var text = DecodeLog(utf16.ToArray());
        File.WriteAllText(path, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
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

    // The writer's bytes are UTF-16 with or without a byte-order mark; anything else is taken as it is.
    private static string DecodeLog(byte[] bytes) =>
        bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE ? System.Text.Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2)
        : bytes.Length >= 2 && bytes[1] == 0 ? System.Text.Encoding.Unicode.GetString(bytes)
        : System.Text.Encoding.UTF8.GetString(bytes);
}
