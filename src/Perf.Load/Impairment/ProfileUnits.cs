using System.Globalization;

namespace Perf.Load.Impairment;

/// <summary>
/// The values a network profile line holds, read and written: times (<c>200us</c>, <c>50ms</c>,
/// <c>2s</c>, <c>1m</c>), bit rates as tc(8) spells them (<c>750kbit</c>, <c>1.6mbit</c>, decimal
/// units), sizes (<c>64b</c>, <c>16kb</c>, <c>64kib</c>), shares (<c>1%</c> or <c>0.01</c>) and
/// rates (<c>0.01/s</c>, <c>2/m</c>, <c>1/h</c>). Each writer gives the shortest text its reader
/// reads back to the same value, so a canonical profile line round-trips exactly.
/// </summary>
internal static class ProfileUnits
{
    private const long MicrosecondsPerSecond = 1_000_000;

    // Ten hours bounds every time: far beyond any run, far below overflow when added to a clock.
    private const long MaxMicroseconds = 36_000L * MicrosecondsPerSecond;

    /// <summary>Reads a time with its unit (<c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c>), rounded to the microsecond.</summary>
    public static bool TryParseTime(string text, out TimeSpan time)
    {
        time = default;
        if (!TryScaled(text, [("us", 1), ("ms", 1_000), ("s", MicrosecondsPerSecond), ("m", 60 * MicrosecondsPerSecond)], out var micros)
            || Math.Round(micros) > MaxMicroseconds)
        {
            return false;
        }

        time = TimeSpan.FromMicroseconds((long)Math.Round(micros));
        return true;
    }

    /// <summary>Writes a time in the largest unit that holds it as a whole number.</summary>
    public static string FormatTime(TimeSpan time)
    {
        var micros = (long)time.TotalMicroseconds;
        return micros switch
        {
            0 => "0ms",
            _ when micros % (60 * MicrosecondsPerSecond) == 0 => Invariant(micros / (60 * MicrosecondsPerSecond)) + "m",
            _ when micros % MicrosecondsPerSecond == 0 => Invariant(micros / MicrosecondsPerSecond) + "s",
            _ when micros % 1_000 == 0 => Invariant(micros / 1_000) + "ms",
            _ => Invariant(micros) + "us",
        };
    }

    /// <summary>Reads a bit rate (<c>bit</c>, <c>kbit</c>, <c>mbit</c>, <c>gbit</c>: powers of 1000, as tc(8)), rounded to the bit per second.</summary>
    public static bool TryParseBitRate(string text, out long bitsPerSecond)
    {
        bitsPerSecond = 0;
        if (!TryScaled(text, [("bit", 1), ("kbit", 1e3), ("mbit", 1e6), ("gbit", 1e9)], out var bits) || Math.Round(bits) is < 1 or > 1e12)
        {
            return false;
        }

        bitsPerSecond = (long)Math.Round(bits);
        return true;
    }

    /// <summary>Writes a bit rate in the largest unit that holds it with at most three decimals (<c>1638.4kbit</c>, <c>750kbit</c>, <c>1.6mbit</c>).</summary>
    public static string FormatBitRate(long bitsPerSecond) => Scaled(bitsPerSecond, [(1_000_000_000, "gbit"), (1_000_000, "mbit"), (1_000, "kbit"), (1, "bit")]);

    /// <summary>Reads a size in bytes (<c>b</c>; <c>kb</c>, <c>mb</c>: powers of 1000; <c>kib</c>, <c>mib</c>: powers of 1024).</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (!TryScaled(text, [("b", 1), ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("kib", 1024), ("mib", 1024 * 1024)], out var value)
            || value is < 1 or > 1e15 || value != Math.Floor(value))
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>Writes a size in the largest unit that divides it (<c>64kib</c>, <c>16kb</c>, <c>100b</c>).</summary>
    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => Invariant(bytes / (1024 * 1024)) + "mib",
        >= 1024 when bytes % 1024 == 0 => Invariant(bytes / 1024) + "kib",
        >= 1_000_000 when bytes % 1_000_000 == 0 => Invariant(bytes / 1_000_000) + "mb",
        >= 1_000 when bytes % 1_000 == 0 => Invariant(bytes / 1_000) + "kb",
        _ => Invariant(bytes) + "b",
    };

    /// <summary>Reads a share below 1: <c>1%</c> or <c>0.01</c>.</summary>
    public static bool TryParseShare(string text, out double share)
    {
        share = 0;
        var trimmed = text.Trim();
        var percent = trimmed.EndsWith('%');
        if (!double.TryParse(percent ? trimmed[..^1] : trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return false;
        }

        share = percent ? value / 100 : value;
        return share is >= 0 and < 1;
    }

    /// <summary>Writes a share as a percentage (<c>1%</c>, <c>0.5%</c>), exactly.</summary>
    public static string FormatShare(double share) =>
        Shortest(share, [("%", 100)], text => TryParseShare(text, out var back) && back == share) ?? Invariant(share);

    /// <summary>Reads a rate of events: <c>0.01/s</c>, <c>2/m</c>, <c>1/h</c>; returned per second.</summary>
    public static bool TryParsePerSecond(string text, out double perSecond)
    {
        perSecond = 0;
        var slash = text.LastIndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        double seconds = text[(slash + 1)..].Trim().ToLowerInvariant() switch
        {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => 0,
        };
        if (seconds == 0 || !double.TryParse(text[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) || !double.IsFinite(count) || count <= 0 || count > 1e6)
        {
            return false;
        }

        perSecond = count / seconds;
        return true;
    }

    /// <summary>Writes a rate per second (<c>0.01/s</c>), or per minute or hour when that reads back exactly and per second would be a long fraction (<c>2/m</c>, not <c>0.03333333333333333/s</c>).</summary>
    public static string FormatPerSecond(double perSecond)
    {
        var perSecondText = Invariant(perSecond) + "/s";
        return perSecondText.Length <= 10
            ? perSecondText
            : Shortest(perSecond, [("/s", 1), ("/m", 60), ("/h", 3600)], text => TryParsePerSecond(text, out var back) && back == perSecond) ?? perSecondText;
    }

    /// <summary>A decimal number as the profile writes it (invariant culture, shortest round-trip form).</summary>
    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    // "1.6mbit" -> 1.6 x the scale of "mbit": a number, then one of the units; both required.
    private static bool TryScaled(string text, (string Unit, double Scale)[] units, out double value)
    {
        value = 0;
        var trimmed = text.Trim().ToLowerInvariant();
        var split = trimmed.Length;
        while (split > 0 && char.IsAsciiLetter(trimmed[split - 1]))
        {
            split--;
        }

        var unit = trimmed[split..];
        foreach (var (name, scale) in units)
        {
            if (name == unit && split > 0
                && double.TryParse(trimmed[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                value = number * scale;
                return true;
            }
        }

        return false;
    }

    private static string Scaled(long value, (long Unit, string Name)[] units)
    {
        foreach (var (unit, name) in units)
        {
            // At most three decimals: the unit a thousandth of which divides the value.
            if (value >= unit && value % Math.Max(1, unit / 1000) == 0)
            {
                return Invariant((double)value / unit) + name;
            }
        }

        return Invariant(value) + units[^1].Name;
    }

    private static string? Shortest(double value, (string Suffix, double Scale)[] forms, Func<string, bool> readsBack)
    {
        string? best = null;
        foreach (var (suffix, scale) in forms)
        {
            var text = Invariant(value * scale) + suffix;
            if (readsBack(text) && (best is null || text.Length < best.Length))
            {
                best = text;
            }
        }

        return best;
    }
}
