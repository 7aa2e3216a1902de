using System.Text.RegularExpressions;
using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>
/// How a report names and describes a run: by what was run (a find-max search by its SLO, not
/// by the last rate it offered), with its round in a <c>--repeat</c> folder, its scenario and
/// where its target ran, and <c>-</c> for figures that do not apply to it.
/// </summary>
public static partial class RunDescription
{
    /// <summary>What was run: <c>relay-tcp, 256 B, 5,000 msgs/s</c> or <c>relay-tcp, 256 B, find-max p99 ≤ 50 ms</c>.</summary>
    public static string Label(PerfResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Scenario;
        var load = result.FindMax is { } search
            ? $"find-max {search.Slo.Percentile} ≤ {Units.Micros(search.Slo.ThresholdUs)}"
            : Units.Rate(s.Rate);
        return $"{s.Target}, {s.Size} B, {load}";
    }

    /// <summary><see cref="Label(PerfResult)"/>, with the round of a <c>--repeat</c> folder (<c>round-2/</c> in its path).</summary>
    public static string Label(LoadRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Round(run.Path) is { } round ? $"{Label(run.Result)}, round {round}" : Label(run.Result);
    }

    /// <summary>The round of a run written by <c>perf load --repeat</c>: its <c>round-N</c> folder, or null.</summary>
    public static int? Round(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var part in path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
        {
            if (RoundFolder().Match(part) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>The offered load and its times: <c>5,000 msgs/s for 30 s after 5 s warm-up</c>, or a search's steps.</summary>
    public static string Load(PerfResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Scenario;
        return result.FindMax is { } search
            ? $"find-max up to {Units.Rate(search.MaxSustainableRate)} within {search.Slo.Percentile} ≤ {Units.Micros(search.Slo.ThresholdUs)}, steps of {Seconds(s.DurationS)} after {Seconds(s.WarmupS)} warm-up"
            : $"{Units.Rate(s.Rate)} ({s.Arrival}) for {Seconds(s.DurationS)} after {Seconds(s.WarmupS)} warm-up";
    }

    /// <summary>Where the target ran: <c>perf relay, CPUs 1</c>, <c>embedded in the generator</c>, a cluster's processes; and the generator's CPUs.</summary>
    public static string Placement(PerfResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var target = result.TargetOrRelay();
        var where = result.Cluster is { } cluster
            ? $"{cluster.RelayNodes} perf relay and {cluster.NatsNodes} nats-server processes"
            : target is null ? "embedded in the generator" : target.Process + (target.Cpus is { } cpus ? $", CPUs {cpus}" : ", unpinned");
        var store = result.Store is { } s ? $"; store {s.Process}{(s.Cpus is { } storeCpus ? $", CPUs {storeCpus}" : "")}" : "";
        var generator = result.Generator?.Cpus is { } generatorCpus ? $"; generator CPUs {generatorCpus}" : "";
        return where + store + generator;
    }

    /// <summary>Whether <c>accepted</c> means anything for the target: relays and JetStream answer every send; the echo floor and core NATS do not.</summary>
    public static bool CountsAccepted(string target) => target is not ("echo" or "nats");

    /// <summary>A per-message context-switch figure, or <c>-</c>: absent or 0 means not measured (every delivered message wakes somebody).</summary>
    public static string ContextSwitches(double? perMessage) =>
        perMessage is > 0 and var measured ? measured.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";

    /// <summary>A CPU µs per message (or per step), or <c>-</c>: absent, or 0, which is CPU time below the clock's 10 ms tick, not a free message.</summary>
    public static string Cpu(double? microseconds) =>
        microseconds is > 0 and var measured ? measured.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";

    private static string Seconds(double seconds) => Units.Significant(seconds) + " s";

    [GeneratedRegex("^round-([0-9]+)$")]
    private static partial Regex RoundFolder();
}
