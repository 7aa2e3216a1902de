using System.Text;
using Perf.Results.Comparison;

namespace Perf.Results.Reports;

/// <summary>Writes a comparison as a GitHub-flavoured Markdown table (for pull-request comments and job summaries).</summary>
public static class MarkdownReport
{
    /// <summary>Renders the entries as a Markdown document with a one-line summary and a table.</summary>
    public static string Render(IReadOnlyList<ComparisonEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        int slower = entries.Count(e => e.Verdict == Verdict.Slower);
        int faster = entries.Count(e => e.Verdict == Verdict.Faster);
        int unsure = entries.Count(e => e.Verdict == Verdict.Unsure);
        bool intervals = entries.Any(e => e.Interval is not null);
        text.AppendLine("## Performance comparison").AppendLine();
        text.AppendLine($"{entries.Count} entries: {slower} slower, {faster} faster{(unsure > 0 ? $", {unsure} unsure" : "")}.").AppendLine();
        text.AppendLine(intervals
            ? "| benchmark / run | metric | base | head | ratio | interval | threshold | p-value | verdict | note |"
            : "| benchmark / run | metric | baseline | current | ratio | threshold | p-value | verdict | note |");
        text.AppendLine(intervals ? "|---|---|---:|---:|---:|---:|---:|---:|---|---|" : "|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var e in entries)
        {
            string verdict = ComparisonFormat.Verdict(e.Verdict);
            if (e.Verdict == Verdict.Slower) verdict = $"**{verdict}**";
            text.AppendLine(string.Join(" | ",
                "| " + Cell(e.Name),
                Cell(e.Metric),
                ComparisonFormat.Value(e.Baseline, e.Unit),
                ComparisonFormat.Value(e.Current, e.Unit),
                intervals ? ComparisonFormat.Ratio(e.Ratio) + " | " + ComparisonFormat.Interval(e) : ComparisonFormat.Ratio(e.Ratio),
                ComparisonFormat.Threshold(e),
                ComparisonFormat.PValue(e.PValue),
                verdict,
                Cell(e.Note)) + " |");
        }

        return text.ToString();
    }

    // Pipes would split a cell; benchmark names with parameters can contain them.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
