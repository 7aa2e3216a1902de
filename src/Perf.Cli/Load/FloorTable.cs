using System.Globalization;
using Perf.Results.Model;
using Spectre.Console;

namespace Perf.Cli.Load;

/// <summary>
/// The console's view of the floor: each target's end-to-end latency beside the echo floor's,
/// and the CPU each side spent per message, so no relay figure is read without the harness's own
/// under it (the same numbers as the report's floor table).
/// </summary>
internal static class FloorTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<PerfResult> results)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(results);
        PerfResult? floor = null;
        foreach (var result in results)
        {
            if (result.Scenario.Target == "echo")
            {
                floor = result;
                break;
            }
        }

        var table = new Table().Title("beside the floor (echo)").AddColumns("target", "p50 µs", "p99 µs", "p99 over echo", "target CPU µs/msg", "generator CPU µs/msg");
        foreach (var result in results)
        {
            var e = result.Metrics.EndToEndUs;
            var over = ReferenceEquals(result, floor) ? "floor"
                : floor?.Metrics.EndToEndUs is { P99: > 0 } f && e is not null ? F(e.P99 / f.P99) + "×" : "-";
            table.AddRow(
                result.Scenario.Target,
                e is null ? "-" : e.P50.ToString("F0", CultureInfo.InvariantCulture),
                e is null ? "-" : e.P99.ToString("F0", CultureInfo.InvariantCulture),
                over,
                result.Target?.CpuUsPerMessage is { } target ? F(target) : "-",
                result.Generator?.CpuUsPerMessage is { } generator ? F(generator) : "-");
        }

        console.Write(table);
    }

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
