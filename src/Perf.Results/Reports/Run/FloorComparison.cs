using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>
/// Each target's end-to-end p99 over the echo floor's, run by run and, over the rounds of
/// <c>perf load --repeat</c>, the median and range of those ratios. A run's floor is the echo
/// run of the same connections, rate and size measured last before it — its round's, when echo
/// leads each round — else the first such echo after it; a run with no echo of its own load has
/// no floor (an echo at another rate or connection count is not one). A ratio below 1 (a relay
/// "beating" the floor) is flagged with its likely cause.
/// </summary>
public static class FloorComparison
{
    /// <summary>A floor whose p99 moved by this factor between rounds was not one floor.</summary>
    public const double FloorMovedFactor = 1.5;

    /// <summary>The echo run that is <paramref name="run"/>'s floor, among <paramref name="runs"/> (any order), or null when there is none.</summary>
    public static PerfResult? FloorOf(IReadOnlyList<PerfResult> runs, PerfResult run)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(run);
        PerfResult? before = null, after = null;
        foreach (var r in runs)
        {
            if (r.Scenario.Target != "echo" || !SameLoad(r, run))
            {
                continue;
            }

            if (r.StartedAt <= run.StartedAt && (before is null || r.StartedAt > before.StartedAt))
            {
                before = r;
            }
            else if (r.StartedAt > run.StartedAt && (after is null || r.StartedAt < after.StartedAt))
            {
                after = r;
            }
        }

        return before ?? after;
    }

    /// <summary><paramref name="run"/>'s p99 over its floor's, or null without a floor or a p99.</summary>
    public static double? Ratio(IReadOnlyList<PerfResult> runs, PerfResult run) =>
        FloorOf(runs, run) is { Metrics.EndToEndUs.P99: > 0 } floor && run.Metrics.EndToEndUs is { } e ? e.P99 / floor.Metrics.EndToEndUs!.P99 : null;

    /// <summary>One row per target (runs of the same label together, in the order first run): its rounds, p99s, ratios and floors; the echo floor's own row first.</summary>
    public static IReadOnlyList<FloorRatios> Summarize(IReadOnlyList<PerfResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var groups = new List<(string Label, List<PerfResult> Runs)>();
        foreach (var run in runs.OrderBy(r => r.StartedAt))
        {
            var label = RunDescription.Label(run);
            var group = groups.Find(g => g.Label == label);
            if (group.Runs is null)
            {
                groups.Add((label, [run]));
            }
            else
            {
                group.Runs.Add(run);
            }
        }

        var rows = new List<FloorRatios>();
        foreach (var (label, members) in groups.OrderBy(g => g.Runs[0].Scenario.Target == "echo" ? 0 : 1))
        {
            rows.Add(Row(runs, label, members));
        }

        return rows;
    }

    private static FloorRatios Row(IReadOnlyList<PerfResult> all, string label, List<PerfResult> members)
    {
        var p99s = new List<double>();
        var ratios = new List<double>();
        var floors = new List<double>();
        var cpu = new List<double>();
        var generatorCpu = new List<double>();
        foreach (var run in members)
        {
            if (run.Metrics.EndToEndUs is { } e) p99s.Add(e.P99);
            if (run.TargetOrRelay()?.CpuUsPerMessage is { } c) cpu.Add(c);
            if (run.Generator?.CpuUsPerMessage is { } g) generatorCpu.Add(g);
            if (run.Scenario.Target == "echo") continue;
            if (Ratio(all, run) is { } ratio) ratios.Add(ratio);
            if (FloorOf(all, run)?.Metrics.EndToEndUs is { } f) floors.Add(f.P99);
        }

        var isFloor = members[0].Scenario.Target == "echo";
        var row = new FloorRatios(label, members.Count, isFloor, Median(p99s), Median(ratios), Min(ratios), Max(ratios), Min(isFloor ? p99s : floors), Max(isFloor ? p99s : floors), Median(cpu), Median(generatorCpu), null);
        return row with { Note = Note(row) };
    }

    // Why a target would read below its floor: the floor moved between rounds, or one round
    // cannot tell noise from speed, or both sit in the machine's noise at this rate.
    private static string? Note(FloorRatios row)
    {
        if (row.IsFloor)
        {
            return row.FloorP99MaxUs / row.FloorP99MinUs >= FloorMovedFactor
                ? $"the floor's own p99 moved {Units.Micros(row.FloorP99MinUs!.Value)} → {Units.Micros(row.FloorP99MaxUs!.Value)} between runs: ratios over it carry that spread"
                : null;
        }

        if (row.RatioMin is not < 1)
        {
            return null;
        }

        if (row.FloorP99MaxUs / row.FloorP99MinUs >= FloorMovedFactor)
        {
            return $"below 1: the floor's own p99 moved {Units.Micros(row.FloorP99MinUs!.Value)} → {Units.Micros(row.FloorP99MaxUs!.Value)} between rounds, so a round's ratio is the floor's noise: more --repeat rounds or a longer --duration";
        }

        return row.Runs == 1
            ? "below 1: one run cannot tell a noisy floor from a faster target: run --repeat 3 and read the median"
            : "below 1: at this rate both p99s sit in the machine's noise (scheduling, timer slack), not in their work: compare at a higher rate, or pinned (--target-cpus, --generator-cpus)";
    }

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static double? Min(List<double> values) => values.Count == 0 ? null : values.Min();

    private static double? Max(List<double> values) => values.Count == 0 ? null : values.Max();

    // A find-max run's p99 is its fastest passing step's, so only another search is its floor.
    private static bool SameLoad(PerfResult a, PerfResult b) =>
        a.Scenario.Rate == b.Scenario.Rate && a.Scenario.Size == b.Scenario.Size && a.Scenario.Connections == b.Scenario.Connections
        && (a.FindMax is null) == (b.FindMax is null);
}

/// <summary>One target's runs beside the floor.</summary>
/// <param name="Label">What was run (<see cref="RunDescription.Label(PerfResult)"/>).</param>
/// <param name="Runs">How many runs (rounds) it had.</param>
/// <param name="IsFloor">Whether this is the echo floor's own row.</param>
/// <param name="P99MedianUs">The median of its runs' end-to-end p99, µs.</param>
/// <param name="RatioMedian">The median of its runs' p99 over their floor's.</param>
/// <param name="RatioMin">The lowest of those ratios.</param>
/// <param name="RatioMax">The highest.</param>
/// <param name="FloorP99MinUs">The lowest p99 of the floors it was compared with (the floor's own, on its row), µs.</param>
/// <param name="FloorP99MaxUs">The highest.</param>
/// <param name="CpuUsPerMessageMedian">The median of its target's CPU µs per message, when measured.</param>
/// <param name="GeneratorCpuUsPerMessageMedian">The median of the generator's CPU µs per message, when measured apart from the target.</param>
/// <param name="Note">Why a ratio is below 1 (or why the floor itself is unsteady), or null.</param>
public sealed record FloorRatios(string Label, int Runs, bool IsFloor, double? P99MedianUs, double? RatioMedian, double? RatioMin, double? RatioMax, double? FloorP99MinUs, double? FloorP99MaxUs, double? CpuUsPerMessageMedian, double? GeneratorCpuUsPerMessageMedian, string? Note)
{
    /// <summary>The ratio as a table shows it: <c>floor</c>, <c>2.4×</c>, or <c>2.4× (1.9–3.1×)</c> over several rounds; <c>-</c> without a floor.</summary>
    public string RatioText => IsFloor ? "floor"
        : RatioMedian is not { } median ? "-"
        : Runs > 1 ? $"{Units.Significant(median)}× ({Units.Significant(RatioMin!.Value)}–{Units.Significant(RatioMax!.Value)}×)"
        : $"{Units.Significant(median)}×";
}
