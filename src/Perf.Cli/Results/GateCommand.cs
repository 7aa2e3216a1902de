using System.CommandLine;
using Perf.Load;
using Perf.Results;
using Perf.Results.Reports;

namespace Perf.Cli.Results;

/// <summary>
/// <c>perf gate BASELINE CURRENT</c>: compare two runs and fail (exit 1) when anything is slower or
/// allocates more. <c>perf gate --ab BASE_REF [--head REF] [--filter GLOB...] [--budget 15m]</c>:
/// build both commits and measure them side by side, interleaved (<see cref="AbGateRun"/>);
/// <c>--load [ARGS]</c> gates <c>perf load</c> runs instead of the benchmarks.
/// </summary>
internal static class GateCommand
{
    public static Command Create()
    {
        var shared = new ComparisonArguments(runsOptional: true);
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML: one testcase per benchmark/metric, a failure per regression." };
        var ab = new Option<string?>("--ab") { Description = "Build this commit (the base, A) and --head (B) and measure them interleaved on this machine; no BASELINE/CURRENT." };
        var head = new Option<string>("--head") { Description = "With --ab: the head commit (B).", DefaultValueFactory = _ => "HEAD" };
        var filter = new Option<string[]>("--filter") { Description = "With --ab: benchmarks to run, as perf bench's globs. Default: all.", AllowMultipleArgumentsPerToken = true };
        var budget = new Option<string>("--budget") { Description = "With --ab: wall time for the whole gate, builds included; unsure rows get rounds while it lasts.", DefaultValueFactory = _ => "15m" };
        var load = new Option<string?>("--load") { Description = $"With --ab: gate perf load runs (relay-tcp, its own pinned process) on CPU per message and p99 instead of the benchmarks; optional perf load arguments (default '{AbLoadSuite.DefaultArguments}').", Arity = ArgumentArity.ZeroOrOne };
        var seed = new Option<int?>("--seed") { Description = "With --ab: seed of each round's order (default: drawn, and printed)." };
        var inject = new Option<string?>("--inject-slowdown") { Description = "With --ab, calibration: 'GLOB=N%' makes the head side's matching AeadBenchmarks.Seal cases N% slower (PERF_BENCH_SLOWDOWN)." };
        var minRounds = new Option<int>("--min-rounds") { Description = "With --ab: rounds every row gets before its first look (a verdict); later looks at about 1.5x the one before.", DefaultValueFactory = _ => 10 };
        var maxRounds = new Option<int>("--max-rounds") { Description = "With --ab: rounds at most, whatever the budget; the last look.", DefaultValueFactory = _ => 60 };
        var command = new Command("gate", "Compare two runs, or build two commits and measure them interleaved (--ab); exit 1 when anything is slower beyond its threshold or allocates more.")
        {
            junit, ab, head, filter, budget, load, seed, inject, minRounds, maxRounds,
        };
        shared.AddTo(command);
        var abOnly = new Option[] { head, filter, budget, load, seed, inject, minRounds, maxRounds };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                if (parseResult.GetValue(ab) is not { } baseRef)
                {
                    if (Array.Find(abOnly, o => parseResult.GetResult(o) is { Implicit: false }) is { } stray)
                    {
                        throw new BadInputException($"{stray.Name} goes with --ab BASE_REF");
                    }

                    return GateRuns(shared, parseResult, output, parseResult.GetValue(junit));
                }

                if (shared.HasRuns(parseResult))
                {
                    throw new BadInputException("--ab builds and measures two commits: give no BASELINE/CURRENT with it");
                }

                var settings = new AbGateSettings(
                    baseRef,
                    parseResult.GetValue(head)!,
                    parseResult.GetValue(filter) ?? [],
                    parseResult.GetResult(load) is { Implicit: false } ? parseResult.GetValue(load) ?? AbLoadSuite.DefaultArguments : null,
                    Budget(parseResult.GetValue(budget)!),
                    Slowdown(parseResult.GetValue(inject)),
                    shared.AbOptions(parseResult) with
                    {
                        MinRounds = parseResult.GetValue(minRounds),
                        MaxRounds = parseResult.GetValue(maxRounds),
                        Seed = parseResult.GetValue(seed) ?? Random.Shared.Next(),
                    },
                    shared.MarkdownPath(parseResult),
                    parseResult.GetValue(junit));
                settings.Options.Validate();
                if (settings.LoadArguments is not null && settings.InjectSlowdown is not null)
                {
                    throw new BadInputException("--inject-slowdown is a benchmark knob; it does not apply to --load");
                }

                return await AbGateRun.RunAsync(settings, output, cancellationToken).ConfigureAwait(false);
            }
            catch (BadInputException e)
            {
                await error.WriteLineAsync($"perf gate: {e.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }
        });
        return command;
    }

    private static int GateRuns(ComparisonArguments shared, ParseResult parseResult, TextWriter output, string? junitPath)
    {
        var entries = shared.Run(parseResult, output);
        if (junitPath is { } path)
        {
            OutputFile.Guard(path, () => JUnitReport.Write(path, entries));
        }

        return GateSummary.Write(output, entries,
            "a baseline measured at another time or on another machine drifts with it (up to 1.4x on shared cores): confirm a row side by side with `perf gate --ab BASE_REF --filter 'NAME'` (its full name, as listed); if the change is intended, `perf baseline update RUN_FOLDER --name NAME` and commit the baseline.");
    }

    private static TimeSpan Budget(string text) =>
        DurationText.TryParse(text, out var budget) && budget > TimeSpan.Zero
            ? budget
            : throw new BadInputException($"--budget {text}: a duration such as 15m, 900s or 1h");

    private static string? Slowdown(string? text)
    {
        if (text is null) return null;
        int equals = text.LastIndexOf('=');
        if (equals <= 0 || text[(equals + 1)..].Trim() is not { Length: > 1 } percent || !percent.EndsWith('%'))
        {
            throw new BadInputException($"--inject-slowdown {text}: GLOB=N%, e.g. '*AeadBenchmarks.Seal*=8%'");
        }

        double fraction = Percent.Parse(percent, "--inject-slowdown");
        return fraction is > 0 and <= 10 ? text : throw new BadInputException($"--inject-slowdown {text}: N% must be above 0% and at most 1000%");
    }
}
