using HdrHistogram;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Results.Reports.Run;
using Spectre.Console;

namespace Perf.Cli.Load;

/// <summary>The end-of-run table: one row per recorded stage (count, mean and percentiles to p99.99 and max), then the counters.</summary>
internal static class LoadSummaryTable
{
    /// <summary>A console on <paramref name="output"/>, 160 columns wide when it is not a terminal (logs, files).</summary>
    public static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!LoadProgressView.CanRunLive(output))
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>One block of rows per run, each named by its target.</summary>
    public static void Write(IAnsiConsole console, IReadOnlyList<LoadRunResult> results) =>
        Write(console, results.Select(r => (r.Target, r)).ToList());

    /// <summary>One block of rows per run, each named by its label (<c>relay-tcp #2</c> for a round of <c>--repeat</c>).</summary>
    public static void Write(IAnsiConsole console, IReadOnlyList<(string Label, LoadRunResult Run)> runs)
    {
        var table = new Table().AddColumns("target", "metric", "count", "mean", "p50", "p90", "p99", "p99.9", "p99.99", "max");
        foreach (var (label, result) in runs)
        {
            foreach (var stage in LoadStageNames.All)
            {
                if (!result.Has(stage))
                {
                    continue;
                }

                var h = result.Recorders.Total(stage);
                table.AddRow(
                    label,
                    LoadStageNames.MetricName(stage),
                    h.TotalCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    h.TotalCount == 0 ? "-" : LoadProgressView.Micros((long)h.GetMean()),
                    P(h, 50),
                    P(h, 90),
                    P(h, 99),
                    P(h, 99.9),
                    P(h, 99.99),
                    h.TotalCount == 0 ? "-" : LoadProgressView.Micros(h.GetMaxValue()));
            }
        }

        console.Write(table);
        var counters = new Table().AddColumns("target", "sent", "accepted", "delivered", "rejected", "lost", "duplicates", "errors", "msgs/s");
        foreach (var (label, r) in runs)
        {
            var c = r.Recorders;

            // The echo floor and core NATS answer no send: an accepted count of 0 there means nothing.
            var accepted = RunDescription.CountsAccepted(r.Target) ? N(c.Accepted) : "-";
            counters.AddRow(label, N(c.Sent), accepted, N(c.Delivered), N(c.Rejected), N(r.Lost), N(c.Duplicates), N(c.Errors), $"{r.ThroughputPerSecond:F0}");
        }

        console.Write(counters);
    }

    private static string P(HistogramBase h, double percentile) =>
        h.TotalCount == 0 ? "-" : LoadProgressView.Micros(h.GetValueAtPercentile(percentile));

    private static string N(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
