using System.Globalization;

namespace Perf.Load;

/// <summary>Parses durations as the command line writes them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, or plain seconds.</summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; false with no exception for anything else.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim().ToLowerInvariant();
        (string number, double scale) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], 0.001),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], 1.0),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], 60.0),
            _ when trimmed.EndsWith('h') => (trimmed[..^1], 3600.0),
            _ => (trimmed, 1.0),
        };

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < 0 || value * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
