using System.Diagnostics;
using System.Globalization;
using Perf.Cli.Load;
using Perf.Results;
using Perf.Results.Comparison;
using Perf.Results.Files;
using Perf.Results.Reports;
using Perf.Vectors;

namespace Perf.Cli.Results;

/// <summary>What <c>perf gate --ab</c> was asked to do.</summary>
/// <param name="BaseRef">The base commit (A), as given to <c>--ab</c>.</param>
/// <param name="HeadRef">The head commit (B), as given to <c>--head</c>.</param>
/// <param name="Filters">Benchmark globs (bench suite).</param>
/// <param name="LoadArguments"><c>perf load</c> arguments for the load suite; null for benchmarks.</param>
/// <param name="Budget">Wall time for the whole gate, builds included.</param>
/// <param name="InjectSlowdown"><c>GLOB=N%</c> for the head side (calibration), or null.</param>
/// <param name="Options">Thresholds, alpha, rounds and seed.</param>
/// <param name="MarkdownPath"><c>--md</c>, or null.</param>
/// <param name="JUnitPath"><c>--junit</c>, or null.</param>
internal sealed record AbGateSettings(string BaseRef, string HeadRef, IReadOnlyList<string> Filters, string? LoadArguments, TimeSpan Budget, string? InjectSlowdown, AbOptions Options, string? MarkdownPath, string? JUnitPath);

/// <summary>
/// <c>perf gate --ab</c>: builds both commits, runs the suite's rounds interleaved (a fresh process
/// pair per round, the order drawn from the seed), adds rounds for the unsure rows while the
/// budget lasts, prints the table, calibration figures for an A/A gate or an injected slowdown,
/// and the closing list; writes <c>gate.json</c> and <c>gate.md</c> to a run folder.
/// </summary>
internal static class AbGateRun
{
    private static readonly string[] NarrowingVariables = ["PERF_AEAD_SIZES", "PERF_AEAD_BACKENDS", "PERF_AEAD_CONCRETE_ONLY"];

    public static async Task<int> RunAsync(AbGateSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var root = VectorDirectory.FindRepoRoot() ?? throw new BadInputException("--ab builds commits of this repository: run it inside a clone (no Perf.sln found above the current directory)");
        var builds = new AbBuilds(root, output);
        var baseSide = new AbSide(settings.BaseRef, await builds.ResolveAsync(settings.BaseRef, "--ab", cancellationToken).ConfigureAwait(false));
        var headSide = new AbSide(settings.HeadRef, await builds.ResolveAsync(settings.HeadRef, "--head", cancellationToken).ConfigureAwait(false));
        bool sameCommit = baseSide.Commit == headSide.Commit;
        IAbSuite suite = settings.LoadArguments is { } load ? new AbLoadSuite(load) : new AbBenchSuite(settings.Filters, settings.InjectSlowdown);
        var folder = RunFolder.Create(ResultsLocation.Root(), $"gate-ab-{suite.Kind}");
        var environment = NarrowingVariables.Where(v => Environment.GetEnvironmentVariable(v) is { Length: > 0 }).ToDictionary(v => v, v => Environment.GetEnvironmentVariable(v)!);
        WriteHeader(output, settings, suite, baseSide, headSide, environment);
        if (await builds.HasUncommittedChangesAsync(cancellationToken).ConfigureAwait(false))
        {
            output.WriteLine("note: this working tree has uncommitted changes; the gate measures commits only, so they are on neither side");
        }

        var baseBuild = new AbBuild("base", baseSide.Commit, await builds.BuildAsync(baseSide.Commit, suite.Project, cancellationToken).ConfigureAwait(false));
        var headBuild = sameCommit
            ? baseBuild with { Label = "head" }
            : new AbBuild("head", headSide.Commit, await builds.BuildAsync(headSide.Commit, suite.Project, cancellationToken).ConfigureAwait(false));
        suite.Prepare(baseBuild, headBuild, output);

        var options = settings.Options;
        var outcome = await new AdaptiveRounds(options, TimeProvider.System).RunAsync(
            started + settings.Budget,
            async (request, token) =>
            {
                var first = await suite.RunAsync(request.HeadFirst ? headBuild : baseBuild, request, folder, token).ConfigureAwait(false);
                var second = await suite.RunAsync(request.HeadFirst ? baseBuild : headBuild, request, folder, token).ConfigureAwait(false);
                return request.HeadFirst ? new AbRoundResult(second, first) : new AbRoundResult(first, second);
            },
            round => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round.Round}: {(round.HeadFirst ? "head, base" : "base, head")}; {round.Names} {suite.NamesAre}; {Minutes(round.Duration)}; {round.Undecided} row(s) unsure; {Minutes(clock.Elapsed)} of {Minutes(settings.Budget)} used")),
            cancellationToken).ConfigureAwait(false);

        var entries = outcome.Entries(options);
        output.WriteLine();
        ComparisonTable.Write(output, entries);
        output.WriteLine($"rounds: {outcome.Rounds.Count}, stopped: {StopText(outcome.StopReason)}; {Minutes(clock.Elapsed)} in all");
        var falseAlarms = sameCommit && settings.InjectSlowdown is null
            ? AbCalibration.FalseAlarms(outcome.Rows, AbCalibration.StandardThresholds.Append(options.Threshold), options)
            : null;
        var allocationAlarms = falseAlarms is null ? null : AbCalibration.ExactFalseAlarms(outcome.Rows, options);
        var injected = settings.InjectSlowdown is { } inject ? Detection(outcome, inject, options) : null;
        WriteCalibration(output, falseAlarms, allocationAlarms, injected, settings.InjectSlowdown);

        var record = Record(settings, suite, baseSide, headSide, environment, outcome, clock.Elapsed) with
        {
            FalseAlarms = falseAlarms,
            AllocationFalseAlarms = allocationAlarms,
            Injected = injected,
        };
        string markdown = MarkdownReport.Render(entries);
        OutputFile.Write(Path.Combine(folder, "gate.json"), record.ToJson());
        OutputFile.Write(Path.Combine(folder, "gate.md"), markdown);
        if (settings.MarkdownPath is { } md) OutputFile.Write(md, markdown);
        if (settings.JUnitPath is { } junit) OutputFile.Guard(junit, () => JUnitReport.Write(junit, entries));
        output.WriteLine($"gate record: {folder}");

        return GateSummary.Write(output, entries,
            $"see what the head commit changed on the path of each row above; reproduce one with `perf gate --ab {baseSide.Commit[..12]} --head {headSide.Commit[..12]} {suite.ReproduceOptions}, or profile it at each commit.",
            suite.UnsureAdvice);
    }

    private static AbGateRecord Record(AbGateSettings settings, IAbSuite suite, AbSide baseSide, AbSide headSide, Dictionary<string, string> environment, AbOutcome outcome, TimeSpan elapsed)
    {
        var options = settings.Options;
        return new AbGateRecord
        {
            Suite = suite.Kind,
            Base = baseSide,
            Head = headSide,
            Seed = options.Seed,
            Filters = settings.LoadArguments is null ? settings.Filters : [],
            LoadArguments = (suite as AbLoadSuite)?.Arguments,
            Environment = environment,
            InjectedSlowdown = settings.InjectSlowdown,
            Threshold = options.Threshold,
            LatencyThreshold = options.LatencyThreshold,
            Alpha = options.Alpha,
            FlagAlpha = options.FlagAlpha,
            DecisionRounds = options.DecisionRounds(),
            MinRounds = options.MinRounds,
            MaxRounds = options.MaxRounds,
            BudgetS = settings.Budget.TotalSeconds,
            ElapsedS = elapsed.TotalSeconds,
            StopReason = outcome.StopReason == AbStopReason.MaxRounds ? "max_rounds" : outcome.StopReason.ToString().ToLowerInvariant(),
            Rounds = [.. outcome.Rounds.Select(r => new AbRoundRecord(r.Round, r.HeadFirst, r.Names, r.Duration.TotalSeconds, r.Undecided))],
            Rows = AbGateRecord.RowsOf(outcome, options),
            OneSided = [.. outcome.HeadOnly.Select(n => "added " + n), .. outcome.BaseOnly.Select(n => "removed " + n)],
        };
    }

    private static void WriteHeader(TextWriter output, AbGateSettings settings, IAbSuite suite, AbSide baseSide, AbSide headSide, Dictionary<string, string> environment)
    {
        var o = settings.Options;
        string same = baseSide.Commit != headSide.Commit ? ""
            : settings.InjectSlowdown is null ? " (A/A: the same commit on both sides, so every flag is a false alarm)"
            : " (the same commit on both sides; the head side carries the injected slowdown)";
        output.WriteLine($"gate --ab: base {baseSide.Ref} = {baseSide.Commit[..12]}, head {headSide.Ref} = {headSide.Commit[..12]}{same}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {o.Seed}; threshold {Percent.Format(o.Threshold)}{(suite.Kind == "load" ? $", latency {Percent.Format(o.LatencyThreshold)}" : "")}; slower/faster from {100 * (1 - o.FlagAlpha):0.##}% intervals ({100 * (1 - o.Alpha):0.#}% over {o.Looks} looks), same from {100 * (1 - o.Alpha):0.#}%; {o.MinRounds}-{o.MaxRounds} rounds, judged after {string.Join(", ", o.DecisionRounds())}; budget {Minutes(settings.Budget)} (builds included)"));
        if (suite.Kind == "bench")
        {
            output.WriteLine($"suite: benchmarks {(settings.Filters.Count > 0 ? string.Join(' ', settings.Filters.Select(f => $"'{f}'")) : "(all)")}{string.Concat(environment.Select(e => $" {e.Key}={e.Value}"))}; thread CPU time, round job");
        }

        if (settings.InjectSlowdown is { } inject)
        {
            output.WriteLine($"calibration: slowdown {inject} injected into the head side only (PERF_BENCH_SLOWDOWN)");
        }
    }

    private static InjectedDetection Detection(AbOutcome outcome, string inject, AbOptions options)
    {
        var pattern = Glob.ToRegex(inject[..inject.LastIndexOf('=')].Trim());
        return AbCalibration.Detection(outcome.Rows, row => pattern.IsMatch(row.Name), options);
    }

    private static void WriteCalibration(TextWriter output, IReadOnlyList<FalseAlarms>? falseAlarms, ExactFalseAlarms? allocationAlarms, InjectedDetection? injected, string? inject)
    {
        if (falseAlarms is not null)
        {
            output.WriteLine($"A/A calibration: false alarms over {falseAlarms[0].Rows} ratio rows (same commit on both sides):");
            foreach (var a in falseAlarms)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  threshold {Percent.Format(a.Threshold),4}: {a.Flagged} flagged ({a.Slower} slower, {a.Faster} faster) = {a.Rate * 100:0.0}%, {a.Unsure} unsure"));
            }
        }

        if (allocationAlarms is { Rows: > 0 })
        {
            output.WriteLine($"  allocated: {allocationAlarms.Flagged} of {allocationAlarms.Rows} rows flagged");
        }

        if (injected is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"injected slowdown {inject}: caught {injected.Caught} of {injected.Affected} affected rows ({injected.Power * 100:0.0}%), {injected.Unsure} unsure, mean ratio {injected.MeanRatio:0.000}; false alarms among the other rows: {injected.OthersFlagged} of {injected.Others}"));
        }
    }

    private static string StopText(AbStopReason reason) => reason switch
    {
        AbStopReason.Decided => "every row decided",
        AbStopReason.Budget => "budget spent (the next round would not have fitted)",
        _ => "most rounds (--max-rounds) run",
    };

    private static string Minutes(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}:{span.Seconds:00}");
}
