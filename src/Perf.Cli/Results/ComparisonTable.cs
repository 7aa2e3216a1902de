using Perf.Results.Comparison;
using Perf.Results.Reports;
using Spectre.Console;

namespace Perf.Cli.Results;

/// <summary>Renders comparison entries as a Spectre.Console table on the invocation's output writer.</summary>
internal static class ComparisonTable
{
    public static void Write(TextWriter writer, IReadOnlyList<ComparisonEntry> entries)
    {
        bool intervals = entries.Any(e => e.Interval is not null);
        string[] headers = intervals
            ? ["benchmark / run", "metric", "base", "head", "ratio", "interval", "threshold", "p-value", "verdict", "note"]
            : ["benchmark / run", "metric", "baseline", "current", "ratio", "threshold", "p-value", "verdict", "note"];
        var rows = entries.Select(e => Cells(e, intervals)).ToList();

        // A console bound to the given writer (not the process console), so tests and redirection see the table;
        // colour only when that writer is the real terminal.
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            // Wide enough that no cell wraps: a wrapped benchmark name loses its parameters to grep.
            console.Profile.Width = Math.Max(120, NeededWidth(headers, rows));
        }

        var table = new Table().Border(TableBorder.Rounded);
        for (int column = 0; column < headers.Length; column++)
        {
            bool text = column < 2 || column >= headers.Length - 2;
            table.AddColumn(text ? new TableColumn(headers[column]) : new TableColumn(headers[column]).RightAligned());
        }

        for (int i = 0; i < entries.Count; i++)
        {
            string colour = entries[i].Verdict switch
            {
                Verdict.Slower => "red",
                Verdict.Faster => "green",
                Verdict.Inconclusive or Verdict.Unsure => "yellow",
                _ => "default",
            };
            var cells = rows[i].Select(Markup.Escape).ToArray();
            cells[^2] = $"[{colour}]{cells[^2]}[/]";
            table.AddRow(cells);
        }

        console.Write(table);
        int slower = entries.Count(e => e.Verdict == Verdict.Slower);
        int faster = entries.Count(e => e.Verdict == Verdict.Faster);
        int inconclusive = entries.Count(e => e.Verdict == Verdict.Inconclusive);
        int unsure = entries.Count(e => e.Verdict == Verdict.Unsure);
        writer.WriteLine($"{entries.Count} entries: {slower} slower, {faster} faster, {(intervals ? $"{unsure} unsure" : $"{inconclusive} inconclusive")}.");
    }

    private static string[] Cells(ComparisonEntry e, bool intervals)
    {
        var cells = new List<string>
        {
            e.Name,
            e.Metric,
            ComparisonFormat.Value(e.Baseline, e.Unit),
            ComparisonFormat.Value(e.Current, e.Unit),
            ComparisonFormat.Ratio(e.Ratio),
        };
        if (intervals) cells.Add(ComparisonFormat.Interval(e));
        cells.AddRange([ComparisonFormat.Threshold(e), ComparisonFormat.PValue(e.PValue), ComparisonFormat.Verdict(e.Verdict), e.Note]);
        return [.. cells];
    }

    // Each column's widest cell plus its padding and border (3 characters), plus the closing border.
    private static int NeededWidth(string[] headers, List<string[]> rows)
    {
        int width = 1;
        for (int column = 0; column < headers.Length; column++)
        {
            int widest = headers[column].Length;
            foreach (var row in rows) widest = Math.Max(widest, row[column].Length);
            width += widest + 3;
        }

        return width;
    }
}
