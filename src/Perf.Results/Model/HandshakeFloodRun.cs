using Perf.Results.Comparison;

namespace Perf.Results.Model;

/// <summary>
/// The hostile client of <c>perf load --handshake-flood N</c> (the result's <c>handshake_flood</c>
/// section): what its connections met, per kind. The rest of the result is the legitimate
/// clients', so the same run without the flood compares with it directly (<c>perf compare</c>), or
/// the same command runs it first (<c>--handshake-flood-baseline</c>) and keeps both here.
/// </summary>
public sealed record HandshakeFloodRun
{
    /// <summary>New connections a second of each kind that ran.</summary>
    public required double RatePerSecond { get; init; }

    /// <summary>Which kinds ran: <c>both</c>, <c>garbage</c> or <c>abandoned</c>.</summary>
    public required string Kinds { get; init; }

    /// <summary>The source address it came from (<c>system</c> when it did not bind one).</summary>
    public required string Source { get; init; }

    /// <summary>How long it ran, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>
    /// Where it ran: <c>perf flood (pid N), CPUs 0, SCHED_IDLE</c> (a process of its own beside the
    /// generator, run only when the generator leaves the CPU idle); absent in files from before, whose flood ran inside the generator.
    /// </summary>
    public string? RanIn { get; init; }

    /// <summary>Cores its process used while it ran (its CPU time over <see cref="Seconds"/>), when it had a process of its own.</summary>
    public double? Cores { get; init; }

    /// <summary>Connections a second it started, of the kind that started fewest: below <see cref="RatePerSecond"/> when it had no more CPU time.</summary>
    public double? AchievedPerSecond { get; init; }

    /// <summary>Whether it started at least 95 % of the connections its rate asked for; a flood that did not is weaker than asked, and the comparison says so.</summary>
    public bool? ReachedRate { get; init; }

    /// <summary>
    /// The relay's CPU per flood connection that reached it, µs: its cores under the flood less its
    /// cores in the baseline, over the flood's time, over the flood connections that connected
    /// (attempted less failed); present with <see cref="Baseline"/> when both runs read the relay's CPU.
    /// </summary>
    public double? RelayCpuUsPerConnection { get; init; }

    /// <summary>Connections that sent 64 bytes of garbage.</summary>
    public required HandshakeFloodCounts Garbage { get; init; }

    /// <summary>Connections that sent a valid first Noise message and went silent.</summary>
    public required HandshakeFloodCounts Abandoned { get; init; }

    /// <summary>
    /// The legitimate clients in the same command's run without the flood, against the same target
    /// process just before the flooded run (<c>--handshake-flood-baseline</c>), or <c>null</c>.
    /// </summary>
    public FloodClients? Baseline { get; init; }

    /// <summary>The legitimate clients under the flood (the result's <c>metrics</c>, in the baseline's terms); present with <see cref="Baseline"/>.</summary>
    public FloodClients? Flooded { get; init; }

    /// <summary>
    /// The flooded run's end-to-end p99 over the baseline's; present with <see cref="Baseline"/> when
    /// both have one. With <see cref="Pairs"/>, the median of the pairs' ratios.
    /// </summary>
    public double? P99Ratio { get; init; }

    /// <summary>
    /// With <c>--handshake-flood-pairs K</c>: every pair of runs without and with the flood against
    /// the same relay process, in the order they ran (alternating which went first, so a drift of the
    /// machine falls on both sides); the last is <see cref="Baseline"/> and <see cref="Flooded"/>.
    /// </summary>
    public IReadOnlyList<FloodPair>? Pairs { get; init; }

    /// <summary>
    /// This comparison with <paramref name="earlier"/> pairs run before its own (<see cref="Baseline"/>
    /// and <see cref="Flooded"/>, the last pair): <see cref="Pairs"/> holds them all and
    /// <see cref="P99Ratio"/> becomes the median of their ratios, which one noisy run cannot move.
    /// </summary>
    public HandshakeFloodRun WithEarlierPairs(IReadOnlyList<FloodPair> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (Baseline is null || Flooded is null)
        {
            throw new InvalidOperationException("pairs extend a comparison: call WithBaseline first");
        }

        FloodPair[] pairs = [.. earlier, new FloodPair { FloodFirst = false, Baseline = Baseline, Flooded = Flooded }];
        var ratios = new List<double>(pairs.Length);
        foreach (var pair in pairs)
        {
            if (pair.P99Ratio is { } ratio)
            {
                ratios.Add(ratio);
            }
        }

        return this with { Pairs = pairs, P99Ratio = ratios.Count == 0 ? null : Median.Of(ratios) };
    }

    /// <summary>These counts beside the legitimate clients' run without the flood (<paramref name="before"/>) and with it (<paramref name="after"/>).</summary>
    public HandshakeFloodRun WithBaseline(FloodClients before, FloodClients after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var connected = Garbage.Attempted - Garbage.Failed + Abandoned.Attempted - Abandoned.Failed;
        return this with
        {
            Baseline = before,
            Flooded = after,
            P99Ratio = FloodPair.P99RatioOf(before, after),
            RelayCpuUsPerConnection = before.TargetCores is { } without && after.TargetCores is { } with && connected > 0
                ? (with - without) * Seconds * 1e6 / connected
                : null,
        };
    }
}

/// <summary>One pair of runs of <c>--handshake-flood-pairs</c>: the legitimate clients without the flood and with it.</summary>
public sealed record FloodPair
{
    /// <summary>Whether the flooded run went first.</summary>
    public required bool FloodFirst { get; init; }

    /// <summary>The run without the flood.</summary>
    public required FloodClients Baseline { get; init; }

    /// <summary>The run with the flood.</summary>
    public required FloodClients Flooded { get; init; }

    /// <summary>The flooded run's end-to-end p99 over the baseline's, when both have one.</summary>
    public double? P99Ratio => P99RatioOf(Baseline, Flooded);

    /// <summary><paramref name="flooded"/>'s end-to-end p99 over <paramref name="baseline"/>'s, when both have one (and the baseline's is not 0).</summary>
    internal static double? P99RatioOf(FloodClients baseline, FloodClients flooded) =>
        baseline.P99Us is > 0 && flooded.P99Us is { } p99 ? p99 / baseline.P99Us.Value : null;
}

/// <summary>The legitimate clients' delivery and latency in one run of a flood's comparison.</summary>
public sealed record FloodClients
{
    /// <summary>Measured messages sent.</summary>
    public required long Sent { get; init; }

    /// <summary>Of those, delivered.</summary>
    public required long Delivered { get; init; }

    /// <summary>Neither delivered nor rejected.</summary>
    public required long Lost { get; init; }

    /// <summary><c>100 × delivered / sent</c> (0 when nothing was sent).</summary>
    public required double DeliveredPercent { get; init; }

    /// <summary>End-to-end p99, microseconds, when the run measured end-to-end latency.</summary>
    public double? P99Us { get; init; }

    /// <summary>The generator's own lag p99 (how late it started sends against its schedule), µs: what of the p99 is the generator's.</summary>
    public double? GeneratorLagP99Us { get; init; }

    /// <summary>Cores the generator's process used in the run (not the flood's, which has its own process).</summary>
    public double? GeneratorCores { get; init; }

    /// <summary>Cores the relay's process used in the run: under the flood, the legitimate clients' work and the flood's.</summary>
    public double? TargetCores { get; init; }

    /// <summary>The figures of a run's <paramref name="metrics"/>, and its processes' cores when they were read.</summary>
    public static FloodClients Of(LoadMetrics metrics, double? targetCores = null, double? generatorCores = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new FloodClients
        {
            Sent = metrics.Sent,
            Delivered = metrics.Delivered,
            Lost = metrics.Lost,
            DeliveredPercent = metrics.Sent > 0 ? 100.0 * metrics.Delivered / metrics.Sent : 0,
            P99Us = metrics.EndToEndUs?.P99,
            GeneratorLagP99Us = metrics.GeneratorLagUs?.P99,
            TargetCores = targetCores,
            GeneratorCores = generatorCores,
        };
    }
}

/// <summary>What one kind of flood connection met; <c>attempted = refused + answered + unanswered + failed</c>.</summary>
public sealed record HandshakeFloodCounts
{
    /// <summary>Connections started.</summary>
    public required long Attempted { get; init; }

    /// <summary>Closed or reset by the relay without a byte of answer.</summary>
    public required long Refused { get; init; }

    /// <summary>The relay answered (for a valid first message, handshake message 2: Diffie-Hellman work done).</summary>
    public required long Answered { get; init; }

    /// <summary>Connected, but neither answered nor closed before the flood gave up on it.</summary>
    public required long Unanswered { get; init; }

    /// <summary>Not connected within the connect timeout (the relay's accept queue full), or another socket error.</summary>
    public required long Failed { get; init; }

    /// <summary>Not attempted: the flood was at its bound of open sockets.</summary>
    public required long Skipped { get; init; }
}
