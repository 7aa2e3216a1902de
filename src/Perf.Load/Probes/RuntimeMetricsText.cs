using System.Globalization;

namespace Perf.Load.Probes;

/// <summary>
/// The few lines of a .NET process's Prometheus text (OpenTelemetry's exporter over the runtime's
/// built-in <c>System.Runtime</c> meter and the relay's own) that a series entry needs: the GC heap
/// after the last collection (summed over generations), gen-2 collections, GC pause time and the
/// relay's mailbox depth. Anything else is skipped; a value that is not a number is ignored.
/// </summary>
public static class RuntimeMetricsText
{
    private const string HeapSize = "dotnet_gc_last_collection_heap_size_bytes";
    private const string Collections = "dotnet_gc_collections_total";
    private const string PauseTime = "dotnet_gc_pause_time_seconds_total";
    private const string MailboxDepth = "relay_mailbox_depth";
    private const string Gen2Label = "gc_heap_generation=\"gen2\"";

    /// <summary>Reads the figures from <paramref name="text"/> into a snapshot (without the process's /proc figures).</summary>
    public static TargetSnapshot Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? heap = null, gen2 = null, depth = null;
        double? pause = null;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#' || !TrySplit(line, out var name, out var labels, out var value))
            {
                continue;
            }

            if (name.SequenceEqual(HeapSize))
            {
                heap = (heap ?? 0) + (long)value;
            }
            else if (name.SequenceEqual(Collections) && labels.Contains(Gen2Label, StringComparison.Ordinal))
            {
                gen2 = (long)value;
            }
            else if (name.SequenceEqual(PauseTime))
            {
                pause = value;
            }
            else if (name.SequenceEqual(MailboxDepth))
            {
                depth = (long)value;
            }
        }

        return new TargetSnapshot(null, null, heap, gen2, pause, depth);
    }

    // "name{labels} value [timestamp]" or "name value [timestamp]".
    private static bool TrySplit(ReadOnlySpan<char> line, out ReadOnlySpan<char> name, out ReadOnlySpan<char> labels, out double value)
    {
        value = 0;
        labels = default;
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (space < 0)
        {
            name = default;
            return false;
        }

        if (brace >= 0 && brace < space)
        {
            var close = line.IndexOf('}');
            if (close < brace)
            {
                name = default;
                return false;
            }

            name = line[..brace];
            labels = line[(brace + 1)..close];
            line = line[(close + 1)..].TrimStart();
        }
        else
        {
            name = line[..space];
            line = line[(space + 1)..].TrimStart();
        }

        var end = line.IndexOf(' ');
        var number = end < 0 ? line : line[..end];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}
