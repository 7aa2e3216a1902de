using Perf.Load.Engine;
using Spectre.Console;

namespace Perf.Cli.Load;

/// <summary>
/// Shows a run while it goes: a live Spectre.Console table on a terminal, or one plain line per
/// second when output is redirected (CI logs), with elapsed time, sent/delivered rates, the
/// last second's end-to-end p50/p99, the generator's lag and error counts.
/// </summary>
internal sealed class LoadProgressView
{
    private readonly TextWriter _output;
    private readonly bool _live;
    private readonly Lock _sync = new();
    private Table? _table;
    private LiveDisplayContext? _context;

    public LoadProgressView(TextWriter output, bool live)
    {
        _output = output;
        _live = live;
    }

    /// <summary>Whether the console can host a live display (a terminal, not redirected).</summary>
    public static bool CanRunLive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="run"/> while displaying its progress.</summary>
    public async Task<T> RunAsync<T>(string title, Func<IProgress<LoadProgress>, Task<T>> run)
    {
        var progress = new Progress(this);
        if (!_live)
        {
            return await run(progress).ConfigureAwait(false);
        }

        var table = new Table().Title(title).AddColumns("elapsed", "sent/s", "delivered/s", "e2e p50", "e2e p99", "gen lag p99", "rejected", "errors");
        T result = default!;
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            lock (_sync)
            {
                _table = table;
                _context = context;
            }

            try
            {
                result = await run(progress).ConfigureAwait(false);
            }
            finally
            {
                lock (_sync)
                {
                    _context = null;
                }
            }
        }).ConfigureAwait(false);
        return result;
    }

    // Called once a second on the sampler's thread, which runs at idle priority: the live table is
    // redrawn there, so drawing it never takes a core from the scheduling thread (it used to be
    // redrawn every 250 ms on the thread pool at normal priority).
    private void Report(LoadProgress progress)
    {
        if (!_live)
        {
            var c = Cells(progress);
            _output.WriteLine($"elapsed={c[0]} sent/s={c[1]} delivered/s={c[2]} e2e_p50={c[3]} e2e_p99={c[4]} lag_p99={c[5]} rejected={c[6]} errors={c[7]}");
            return;
        }

        lock (_sync)
        {
            if (_context is { } context)
            {
                _table!.Rows.Clear();
                _table.AddRow(Cells(progress));
                context.Refresh();
            }
        }
    }

    private static string[] Cells(LoadProgress p) =>
    [
        p.WarmingUp ? "warm-up" : $"{p.Elapsed.TotalSeconds:F0}s",
        $"{p.SentPerSecond:F0}",
        $"{p.DeliveredPerSecond:F0}",
        Micros(p.Interval.EndToEndP50),
        Micros(p.Interval.EndToEndP99),
        Micros(p.Interval.LagP99),
        p.Rejected.ToString(System.Globalization.CultureInfo.InvariantCulture),
        p.Errors.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    internal static string Micros(long micros) => micros switch
    {
        >= 10_000_000 => $"{micros / 1_000_000.0:F1} s",
        >= 10_000 => $"{micros / 1000.0:F1} ms",
        _ => $"{micros} µs",
    };

    private sealed class Progress(LoadProgressView view) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => view.Report(value);
    }
}
