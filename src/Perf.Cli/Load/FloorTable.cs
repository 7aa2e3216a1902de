using System.Globalization;
using Perf.Results.Model;
using Perf.Results.Reports.Run;
using Spectre.Console;

namespace Perf.Cli.Load;

/// <summary>
/// The console's view of the floor: each target's end-to-end p99 over the echo floor's — over
/// the rounds of <c>--repeat</c>, the median ratio with its range — and the CPU each side spent
/// per message, so no relay figure is read without the harness's own under it (the same numbers
/// as the report's tables, from <see cref="FloorComparison"/>). A ratio below 1 gets its likely cause.
/// </summary>
internal static class FloorTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<PerfResult> results)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(results);
        var rows = FloorComparison.Summarize(results);
        var table = new Table().Title("beside the floor (echo)").AddColumns("target", "runs", "p99 µs (median)", "p99 over echo: median (range)", "floor p99 µs", "target CPU µs/msg", "generator CPU µs/msg");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Label),
                row.Runs.ToString(CultureInfo.InvariantCulture),
                row.P99MedianUs is { } p99 ? p99.ToString("F0", CultureInfo.InvariantCulture) : "-",
                row.RatioText,
                row.FloorP99MinUs is { } low ? (row.FloorP99MaxUs > low ? $"{low:F0}–{row.FloorP99MaxUs:F0}" : $"{low:F0}") : "-",
                RunDescription.Cpu(row.CpuUsPerMessageMedian),
                RunDescription.Cpu(row.GeneratorCpuUsPerMessageMedian));
        }

        console.Write(table);
        foreach (var row in rows)
        {
            if (row.Note is { } note)
            {
                console.WriteLine($"{row.Label}: {note}");
            }
        }
    }
}
