using System.Text.Json;
using Perf.Vectors;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>Writes <c>perf selftest</c> rows as a table with a totals line, or as JSON.</summary>
internal static class SelftestReport
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    // Redirected output (a file, a CI log, a test's writer) has no window; Spectre would assume 80
    // columns and wrap file names mid-word.
    private const int RedirectedWidth = 160;

    /// <summary>A Spectre.Console table (file, algorithm, backend, passed, failed, skipped) and a totals line.</summary>
    public static void WriteTable(IReadOnlyList<VectorResultRow> rows, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        var table = new Table()
            .AddColumn("file")
            .AddColumn("algorithm")
            .AddColumn("backend")
            .AddColumn(new TableColumn("passed").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned())
            .AddColumn(new TableColumn("skipped").RightAligned());
        foreach (var row in rows)
        {
            // Text, not markup: a file name may hold '[' and ']'.
            table.AddRow(
                new Text(row.File),
                new Text(row.Algorithm),
                new Text(row.Backend),
                new Text(Count(row.Passed)),
                new Text(Count(row.Failed), row.Failed > 0 ? new Style(Color.Red) : Style.Plain),
                new Text(Count(row.Skipped)));
        }

        console.Write(table);
        var files = rows.Select(row => row.File).Distinct(StringComparer.Ordinal).Count();
        console.Write(new Text(
            $"total: {Count(rows.Sum(row => row.Passed))} passed, {Count(rows.Sum(row => row.Failed))} failed, {Count(rows.Sum(row => row.Skipped))} skipped in {files} files, {rows.Count} rows{Environment.NewLine}"));
    }

    /// <summary>The rows as a JSON array of objects with exactly the keys file, algorithm, backend, passed, failed, skipped.</summary>
    public static void WriteJson(IReadOnlyList<VectorResultRow> rows, TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(rows, JsonOptions));

    private static string Count(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
