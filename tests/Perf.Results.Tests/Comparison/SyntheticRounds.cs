using Perf.Results.Comparison;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;
using Perfolizer.Mathematics.Randomization;

namespace Perf.Results.Tests.Comparison;

/// <summary>A clock the test moves: each synthetic round advances it by the time the round "took".</summary>
internal sealed class SyntheticClock(DateTimeOffset start) : TimeProvider
{
    private long ticks;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(ticks);

    public override long GetTimestamp() => ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => ticks += by.Ticks;
}

/// <summary>
/// Benchmarks with known true ratios head/base: each side's value per round is the row's base cost
/// (times the ratio on the head side) times log-normal noise of a known spread (the suite's, or
/// the row's own), from a fixed seed.
/// A round costs <see cref="SecondsPerName"/> of synthetic time per benchmark it runs.
/// </summary>
internal sealed class SyntheticRounds(SyntheticClock clock, double noise, int seed)
{
    private readonly RandomGenerator random = new NormalDistribution(0, noise).Random(new Random(seed));
    private readonly Random bursts = new(seed + 1);
    private readonly List<(string Name, double Cost, double Ratio, long? Allocated, double Scale)> rows = [];

    public double SecondsPerName { get; init; } = 10;

    /// <summary>The share of one side's measurements hit by a burst of other work (as a shared machine does).</summary>
    public double BurstRate { get; init; }

    /// <summary>How much a burst inflates a measurement (0.4: 40 % slower).</summary>
    public double BurstSize { get; init; } = 0.4;

    /// <summary>When set, a burst's size is drawn uniformly from <see cref="BurstSize"/> to this (the reference machine's bursts: 5–60 %).</summary>
    public double? BurstSizeMax { get; init; }

    public List<AbRoundRequest> Requests { get; } = [];

    public SyntheticRounds Row(string name, double ratio, double cost = 100, long? allocated = null, double? rowNoise = null)
    {
        rows.Add((name, cost, ratio, allocated, rowNoise is { } own ? own / noise : 1));
        return this;
    }

    public Task<AbRoundResult> RunAsync(AbRoundRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var a = new List<AbMeasurement>();
        var b = new List<AbMeasurement>();
        foreach (var (name, cost, ratio, allocated, scale) in rows)
        {
            if (request.Only is { } only && !only.Contains(name)) continue;
            a.Add(new AbMeasurement(name, "time", "ns/op", cost * Math.Exp(scale * random.Next()) * Burst(), AbMetricKind.Cost));
            b.Add(new AbMeasurement(name, "time", "ns/op", cost * ratio * Math.Exp(scale * random.Next()) * Burst(), AbMetricKind.Cost));
            if (allocated is { } bytes)
            {
                a.Add(new AbMeasurement(name, "allocated", "B/op", 0, AbMetricKind.Exact));
                b.Add(new AbMeasurement(name, "allocated", "B/op", bytes, AbMetricKind.Exact));
            }

            clock.Advance(TimeSpan.FromSeconds(SecondsPerName));
        }

        return Task.FromResult(new AbRoundResult(a, b));
    }

    private double Burst()
    {
        if (bursts.NextDouble() >= BurstRate) return 1;
        return 1 + (BurstSizeMax is { } max ? BurstSize + (bursts.NextDouble() * (max - BurstSize)) : BurstSize);
    }
}
