using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Soak;

/// <summary>
/// The soak rule: after the warm-up (and once the relay's mailboxes are full) the target's resident
/// memory may grow at most <see cref="SoakRuleOptions.MaxRssPercentPerHour"/> (the least-squares
/// slope of the series, see <see cref="SeriesSlopeFit"/>),
/// nothing may be lost, and the p99 of the last window may be at most
/// <see cref="SoakRuleOptions.MaxP99Ratio"/> times the first window's. Each broken rule is one
/// line, as <c>perf gate</c> reports a regression.
/// </summary>
public static class SoakRule
{
    /// <summary>Judges a run's readings against <paramref name="options"/>.</summary>
    public static SoakVerdict Evaluate(SoakReading reading, SoakRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var rss = reading.Slopes?.RssPercent;
        if (reading.Slopes is null)
        {
            failures.Add(reading.BuffersFullS is { } full && full > options.Warmup.TotalSeconds
                ? $"memory: too short to fit a slope, the relay's mailboxes were not full before {Number(full)} s and {SeriesSlopeFit.MinPlateauPoints} series entries must end from there (run longer)"
                : $"memory: too short to fit a slope, two series entries must end after the {Number(options.Warmup.TotalSeconds)} s warm-up");
        }
        else if (rss is null)
        {
            failures.Add("memory: the target's resident set was not read, so its growth cannot be judged");
        }
        else if (rss > options.MaxRssPercentPerHour)
        {
            failures.Add($"memory: resident set grew {Number(rss.Value)} %/h from {Number(reading.Slopes.FromS)} s (bound {Number(options.MaxRssPercentPerHour)} %/h; {Number(reading.Slopes.RssBytes!.Value / 1e6)} MB/h; {Basis(reading.Slopes)})");
        }

        if (reading.Lost > 0)
        {
            failures.Add($"loss: {reading.Lost} message(s) lost (bound 0)");
        }

        var ratio = reading.FirstP99Us > 0 ? reading.LastP99Us / reading.FirstP99Us : double.PositiveInfinity;
        if (ratio > options.MaxP99Ratio)
        {
            failures.Add($"latency: p99 of the last {Number(reading.WindowS)} s is {Number(reading.LastP99Us)} us, {(double.IsInfinity(ratio) ? "with nothing delivered in the first window" : $"{Number(ratio)}x")} the first's {Number(reading.FirstP99Us)} us (bound {Number(options.MaxP99Ratio)}x)");
        }

        return new SoakVerdict
        {
            Passed = failures.Count == 0,
            Failures = failures,
            MaxRssPercentPerHour = options.MaxRssPercentPerHour,
            MaxP99Ratio = options.MaxP99Ratio,
            RssPercentPerHour = rss,
            WindowS = reading.WindowS,
            FirstP99Us = reading.FirstP99Us,
            LastP99Us = reading.LastP99Us,
            Lost = reading.Lost,
        };
    }

    // Says what the slope was fitted over, and, when over every entry, why: a reader can tell a leak from the collector's saw-tooth.
    private static string Basis(SeriesSlopes slopes) => slopes.RssBasis switch
    {
        SeriesSlopeFit.InducedCollectionsBasis => $"fitted over all {slopes.RssPoints} entries, each read right after a full collection the harness induced",
        SeriesSlopeFit.FullCollectionsBasis => $"fitted over the {slopes.RssPoints} entries with a full collection",
        _ => $"fitted over all {slopes.Points} entries: fewer than {SeriesSlopeFit.MinFullCollectionPoints} saw a full collection, so part of the collector's cycle may be in it; a longer run, or --soak-gc induced, compares like points",
    };

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>What the soak rule reads from a run.</summary>
/// <param name="Slopes">The series' slopes after the warm-up, or <c>null</c> when too few entries followed it.</param>
/// <param name="WindowS">The length of the first and last windows, seconds.</param>
/// <param name="FirstP99Us">End-to-end p99 over the first window, µs.</param>
/// <param name="LastP99Us">End-to-end p99 over the last window, µs.</param>
/// <param name="Lost">Messages lost (<c>metrics.lost</c>: sent, neither delivered nor rejected by the end of the drain).</param>
/// <param name="BuffersFullS">Where the relay's mailboxes were first full (<see cref="SeriesSlopeFit.BuffersFullS"/>), for the message when too few entries follow it.</param>
public sealed record SoakReading(SeriesSlopes? Slopes, double WindowS, double FirstP99Us, double LastP99Us, long Lost, double? BuffersFullS = null);

/// <summary>The soak rule's bounds.</summary>
public sealed record SoakRuleOptions
{
    /// <summary>The default bound on memory growth: the goal's 5 % per hour.</summary>
    public const double DefaultMaxRssPercentPerHour = 5;

    /// <summary>The default bound on the last window's p99 over the first's.</summary>
    public const double DefaultMaxP99Ratio = 1.5;

    /// <summary>Resident-set growth allowed after the warm-up, percent per hour.</summary>
    public double MaxRssPercentPerHour { get; init; } = DefaultMaxRssPercentPerHour;

    /// <summary>The last window's p99 over the first's, at most.</summary>
    public double MaxP99Ratio { get; init; } = DefaultMaxP99Ratio;

    /// <summary>The soak warm-up: series entries ending before it stay out of the slopes (capped at half the run).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The length of the first and the last window whose p99s are compared (capped at half the run).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The warm-up for a measured window of <paramref name="measured"/>: <see cref="Warmup"/>, or half the window when that is shorter.</summary>
    public TimeSpan WarmupFor(TimeSpan measured) => Half(Warmup, measured);

    /// <summary>The first/last window length for a measured window of <paramref name="measured"/>.</summary>
    public TimeSpan WindowFor(TimeSpan measured) => Half(Window, measured);

    /// <summary>The problem with these bounds, or <c>null</c>.</summary>
    public string? Validate() =>
        !double.IsFinite(MaxRssPercentPerHour) || MaxRssPercentPerHour < 0 ? "the memory bound must be a percentage per hour of at least 0"
        : !double.IsFinite(MaxP99Ratio) || MaxP99Ratio < 1 ? "the p99 ratio bound must be at least 1"
        : Warmup < TimeSpan.Zero || Window <= TimeSpan.Zero ? "the soak warm-up must not be negative and its window must be positive"
        : null;

    private static TimeSpan Half(TimeSpan wanted, TimeSpan measured) => wanted < measured / 2 ? wanted : measured / 2;
}
