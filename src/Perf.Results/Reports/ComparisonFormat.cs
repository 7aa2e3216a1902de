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

    /// <summary>The p-value, or a dash when no test was run.</summary>
    public static string PValue(double? p) => p is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    /// <summary>The threshold applied, or a dash for added/removed entries.</summary>
    public static string Threshold(ComparisonEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Verdict is Comparison.Verdict.Added or Comparison.Verdict.Removed ? "-"
            : entry.Metric == "allocated" ? "exact" : "±" + Percent.Format(entry.Threshold);
    }
}
