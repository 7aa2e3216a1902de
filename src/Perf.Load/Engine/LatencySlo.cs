using System.Globalization;

namespace Perf.Load.Engine;

/// <summary>
/// A latency objective on end-to-end latency, written <c>p99=5ms</c> (percentile = limit;
/// units us, ms or s): a rate meets it when that percentile stays at or under the limit.
/// </summary>
/// <param name="Percentile">The percentile, e.g. 99 or 99.9.</param>
/// <param name="LimitMicroseconds">The limit in microseconds.</param>
public sealed record LatencySlo(double Percentile, long LimitMicroseconds)
{
    /// <summary>Parses <c>pNN=LIMIT</c>; the error says what is wrong and gives an example.</summary>
    public static bool TryParse(string? text, out LatencySlo? slo, out string? error)
    {
        slo = null;
        error = null;
        var parts = text?.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 } || !parts[0].StartsWith('p')
            || !double.TryParse(parts[0][1..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percentile)
            || percentile is <= 0 or >= 100)
        {
            error = $"'{text}' is not an SLO: write pNN=LIMIT with 0 < NN < 100, e.g. p99=5ms or p99.9=20ms.";
            return false;
        }

        var limit = parts[1].ToLowerInvariant();
        (string number, double toMicros) = limit switch
        {
            _ when limit.EndsWith("us", StringComparison.Ordinal) => (limit[..^2], 1.0),
            _ when limit.EndsWith("ms", StringComparison.Ordinal) => (limit[..^2], 1000.0),
            _ when limit.EndsWith('s') => (limit[..^1], 1_000_000.0),
            _ => (string.Empty, 0.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || double.IsNaN(value))
        {
            error = $"'{parts[1]}' is not a latency limit: give a positive number with us, ms or s, e.g. 5ms.";
            return false;
        }

        slo = new LatencySlo(percentile, (long)Math.Round(value * toMicros));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"p{Percentile.ToString(CultureInfo.InvariantCulture)}={(LimitMicroseconds % 1000 == 0 ? $"{LimitMicroseconds / 1000}ms" : $"{LimitMicroseconds}us")}";
}
