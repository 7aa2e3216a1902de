using System.Globalization;

namespace Perf.Results;

/// <summary>Parses percentages written as <c>5%</c> or <c>5</c> (both mean 0.05).</summary>
public static class Percent
{
    /// <summary>Parses a percentage into a fraction; <paramref name="what"/> names the value in the error.</summary>
    /// <exception cref="BadInputException">When the text is not a finite, non-negative number of percent.</exception>
    public static double Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        string number = text.Trim().TrimEnd('%').Trim();
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < 0)
        {
            throw new BadInputException($"{what}: '{text}' is not a non-negative percentage (e.g. 5%)");
        }

        return value / 100.0;
    }

    /// <summary>Formats a fraction as a percentage with up to two decimals, e.g. 0.05 as <c>5%</c>.</summary>
    public static string Format(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
