using System.Globalization;
using Perf.Results.Comparison;

namespace Perf.Results.Reports;

/// <summary>Shared cell texts for comparison tables, so the terminal, Markdown and JUnit outputs say the same thing.</summary>
public static class ComparisonFormat
{
    /// <summary>The verdict as written in reports: <c>same</c>, <c>faster</c>, <c>slower</c>, <c>added</c>, <c>removed</c>, <c>inconclusive</c>.</summary>
    public static string Verdict(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    /// <summary>A value with its unit, or a dash when absent.</summary>
    public static string Value(double? value, string unit) =>
        value is { } v ? v.ToString(Math.Abs(v) >= 100 ? "#,0" : "0.###", CultureInfo.InvariantCulture) + " " + unit : "-";

    /// <summary>The ratio current/baseline as <c>1.234x</c>, or a dash.</summary>
    public static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.000", CultureInfo.InvariantCulture) + "x" : "-";

    /// <summary>The p-value to three decimals, <c>&lt; 0.001</c> below that (never a bare 0), or a dash when no test was run.</summary>
    public static string PValue(double? p) => p switch
    {
        null => "-",
        < 0.001 => "< 0.001",
        { } v => v.ToString("0.000", CultureInfo.InvariantCulture),
    };

    /// <summary>An A/B gate's interval of the ratio as <c>[0.981, 1.012]</c>, or a dash when there is none.</summary>
    public static string Interval(ComparisonEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Interval is { } i
            ? string.Create(CultureInfo.InvariantCulture, $"[{i.Lower:0.000}, {(double.IsFinite(i.Upper) ? i.Upper.ToString("0.000", CultureInfo.InvariantCulture) : "∞")}]")
            : "-";
    }

    /// <summary>
    /// One line for an entry in a gate's closing list: verdict, full <c>name/metric</c> (never
    /// wrapped, so grep finds the parameters), ratio with its interval, threshold and note.
    /// </summary>
    public static string Line(ComparisonEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string interval = entry.Interval is null ? "" : " " + Interval(entry);
        string note = entry.Note.Length == 0 ? "" : $" ({entry.Note})";
        return $"{Verdict(entry.Verdict)} {entry.Id}: {Ratio(entry.Ratio)}{interval}, threshold {Threshold(entry)}{note}";
    }

    /// <summary>The threshold applied, or a dash for added/removed entries.</summary>
    public static string Threshold(ComparisonEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Verdict is Comparison.Verdict.Added or Comparison.Verdict.Removed ? "-"
            : entry.Metric == "allocated" ? "exact" : "±" + Percent.Format(entry.Threshold);
    }
}
