using System.Globalization;

namespace Perf.Results;

/// <summary>
/// Numbers in the units people read, one spelling everywhere (plans, reports, tables): bytes in
/// B/KiB/MiB/GiB/TiB, rates as <c>69.4 k msgs/s</c>, times as <c>µs</c>/<c>ms</c>, counts with
/// thousands separators; three significant figures where a value is derived, so a line can be
/// checked by hand without reading <c>56,840,777,142.857 B</c>.
/// </summary>
public static class Units
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>Bytes in binary units: <c>512 B</c>, <c>7.81 KiB</c>, <c>52.9 GiB</c>.</summary>
    public static string Bytes(double bytes)
    {
        var unit = 0;
        var value = bytes;
        while (Math.Abs(value) >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return (unit == 0 ? Count(value) : Significant(value)) + " " + ByteUnits[unit];
    }

    /// <summary>A rate with its unit, k or M above a thousand: <c>833 msgs/s</c>, <c>69.4 k msgs/s</c>, <c>1.2 M msgs/s</c>.</summary>
    public static string Rate(double perSecond, string unit = "msgs/s") => Scaled(perSecond) + " " + unit;

    /// <summary>A count, k or M above a hundred thousand: <c>19,000</c>, <c>139 k</c>, <c>5 M</c>.</summary>
    public static string Scaled(double value) => Math.Abs(value) switch
    {
        >= 1e9 => Significant(value / 1e9) + " G",
        >= 1e6 => Significant(value / 1e6) + " M",
        >= 1e4 => Significant(value / 1e3) + " k",
        _ => Significant(value),
    };

    /// <summary>A whole count with thousands separators: <c>5,000,000</c> (rounded).</summary>
    public static string Count(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Microseconds: <c>37.2 µs</c>; milliseconds from 10,000 µs: <c>49.5 ms</c>.</summary>
    public static string Micros(double microseconds) => Math.Abs(microseconds) >= 10_000
        ? Significant(microseconds / 1000) + " ms"
        : Significant(microseconds) + " µs";

    /// <summary>Three significant figures, no exponent, thousands separated: <c>0.625</c>, <c>8.33</c>, <c>69.4</c>, <c>1,250</c>.</summary>
    public static string Significant(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value == 0 ? "0" : value.ToString(CultureInfo.InvariantCulture);
        }

        var digits = (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1;
        var decimals = Math.Clamp(3 - digits, 0, 6);
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        return rounded.ToString(decimals == 0 ? "#,0" : "#,0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>A byte size as people write it: <c>24GiB</c>, <c>512MiB</c>, <c>1TB</c>, <c>64G</c> or plain bytes.</summary>
    /// <exception cref="BadInputException">When the text is not a positive size; <paramref name="what"/> names the option.</exception>
    public static long ParseBytes(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var split = trimmed.Length;
        while (split > 0 && char.IsLetter(trimmed[split - 1]))
        {
            split--;
        }

        double scale = trimmed[split..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => 0,
        };
        if (scale == 0 || !double.TryParse(trimmed[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || !double.IsFinite(number) || number <= 0 || number * scale >= long.MaxValue)
        {
            throw new BadInputException($"{what}: '{text}' is not a positive size (e.g. 64GiB, 512MiB, 1TB, or bytes)");
        }

        return (long)Math.Round(number * scale);
    }
}
