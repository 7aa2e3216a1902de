using Perf.Results.Comparison;
using Perf.Results.Reports;
using Spectre.Console;

namespace Perf.Cli.Results;

/// <summary>Renders comparison entries as a Spectre.Console table on the invocation's output writer.</summary>
internal static class ComparisonTable
{
    public static void Write(TextWriter writer, IReadOnlyList<ComparisonEntry> entries)
    {
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
        if (!terminal) console.Profile.Width = 200;

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("benchmark / run");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("baseline").RightAligned());
        table.AddColumn(new TableColumn("current").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn(new TableColumn("threshold").RightAligned());
        table.AddColumn(new TableColumn("p-value").RightAligned());
        table.AddColumn("verdict");
        table.AddColumn("note");
        foreach (var e in entries)
        {
            string colour = e.Verdict switch
            {
                Verdict.Slower => "red",
                Verdict.Faster => "green",
                Verdict.Inconclusive => "yellow",
                _ => "default",
            };
            table.AddRow(
                Markup.Escape(e.Name),
                Markup.Escape(e.Metric),
                ComparisonFormat.Value(e.Baseline, e.Unit),
                ComparisonFormat.Value(e.Current, e.Unit),
                ComparisonFormat.Ratio(e.Ratio),
                Markup.Escape(ComparisonFormat.Threshold(e)),
                ComparisonFormat.PValue(e.PValue),
                $"[{colour}]{ComparisonFormat.Verdict(e.Verdict)}[/]",
                Markup.Escape(e.Note));
        }

        console.Write(table);
        int slower = entries.Count(e => e.Verdict == Verdict.Slower);
        int faster = entries.Count(e => e.Verdict == Verdict.Faster);
        int inconclusive = entries.Count(e => e.Verdict == Verdict.Inconclusive);
        writer.WriteLine($"{entries.Count} entries: {slower} slower, {faster} faster, {inconclusive} inconclusive.");
    }
}
