using System.Globalization;

namespace Perf.Load.Shards;

/// <summary>
/// <c>--start-at</c>: the common start of a run's shards (the schedule's first send, before the
/// warm-up), so that every shard measures the same window. Shards on different machines agree on
/// it by being given the same UTC time (Unix seconds, fractions allowed, or ISO 8601) and by their
/// clocks being synchronised (NTP/chrony: a few milliseconds apart, which shifts each shard's window
/// by as much); <c>stdin</c> makes a shard announce it is ready (<see cref="ReadyLine"/>) and wait
/// for <c>start-at SECONDS</c> on its standard input, which is how <c>--generators</c> starts its
/// local shards once all of them have their connections open.
/// </summary>
public static class ShardStart
{
    /// <summary>What a shard waiting on its standard input prints once its connections are open.</summary>
    public const string ReadyLine = "shard ready";

    /// <summary>What it then reads: this prefix and Unix seconds.</summary>
    public const string StartLinePrefix = "start-at ";

    /// <summary>The value of <c>--start-at</c> that reads the start from standard input.</summary>
    public const string FromInput = "stdin";

    /// <summary>Parses a time: Unix seconds (e.g. <c>1767225600</c> or <c>1767225600.5</c>) or ISO 8601 with an offset (e.g. <c>2026-01-01T00:00:00Z</c>).</summary>
    public static bool TryParseTime(string? text, out DateTimeOffset time)
    {
        time = default;
        var trimmed = text?.Trim() ?? "";
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds is > 0 and < 253_402_300_799)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            return true;
        }

        return trimmed.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>As Unix seconds with milliseconds, the form the start line carries.</summary>
    public static string Format(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>
    /// A start gate for a fixed time: it refuses a time that has passed by the time the
    /// connections are open (the shard would start late and send a burst of overdue messages).
    /// </summary>
    public static Func<CancellationToken, Task<DateTimeOffset>> At(DateTimeOffset time) => _ =>
        DateTimeOffset.UtcNow <= time
            ? Task.FromResult(time)
            : Task.FromException<DateTimeOffset>(new Targets.LoadTargetException($"--start-at {Format(time)} was {(DateTimeOffset.UtcNow - time).TotalSeconds:F1} s ago when this shard's connections were open: give a later time (every shard the same)."));

    /// <summary>A start gate that prints <see cref="ReadyLine"/> on <paramref name="output"/> and reads <c>start-at SECONDS</c> from <paramref name="input"/>.</summary>
    public static Func<CancellationToken, Task<DateTimeOffset>> FromReader(TextWriter output, TextReader input) => async cancellationToken =>
    {
        await output.WriteLineAsync(ReadyLine).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return line is not null && line.StartsWith(StartLinePrefix, StringComparison.Ordinal) && TryParseTime(line[StartLinePrefix.Length..], out var time)
            ? time
            : throw new Targets.LoadTargetException($"--start-at stdin: expected a line '{StartLinePrefix}SECONDS' on standard input; got {(line is null ? "its end" : $"'{line}'")}.");
    };
}
