using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Results.Merging;
using Perf.Results.Model;

namespace Perf.Load.Shards;

/// <summary>
/// One shard's run: its slice of the scenario, the gate that starts its schedule at the common
/// start (remembering it), and what its result file carries beyond a whole run's: the
/// <c>shard</c> object (index, count, common start, the whole run's connections and rate) and each
/// latency's whole histogram inside the file, so the file alone (copied by <c>--out</c>, printed by
/// <c>--result-stdout</c>) is enough for <c>perf merge</c>.
/// </summary>
public sealed class ShardRun
{
    private readonly Func<CancellationToken, Task<DateTimeOffset>> _start;
    private DateTimeOffset? _started;

    /// <summary>Shard <paramref name="plan"/> of a run that starts when <paramref name="start"/> says.</summary>
    public ShardRun(ShardPlan plan, Func<CancellationToken, Task<DateTimeOffset>> start)
    {
        Plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _start = start ?? throw new ArgumentNullException(nameof(start));
    }

    /// <summary>Which slice.</summary>
    public ShardPlan Plan { get; }

    /// <summary>What a shard's run folder name ends with, so shards started in the same second on one machine get folders of their own.</summary>
    public string FolderSuffix => $"-shard-{Plan.Index}-of-{Plan.Count}";

    /// <summary>The runner's start gate: the common start, noted for the result.</summary>
    public async Task<DateTimeOffset> StartGateAsync(CancellationToken cancellationToken)
    {
        var start = await _start(cancellationToken).ConfigureAwait(false);
        _started = start;
        return start;
    }

    /// <summary><paramref name="result"/> (of this shard's slice of <paramref name="whole"/>) with its shard object and histograms.</summary>
    public PerfResult Decorate(PerfResult result, LoadRunResult run, LoadScenario whole)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(whole);
        var metrics = result.Metrics;
        LatencyMetric? Embedded(LatencyMetric? metric, LoadStage stage) =>
            metric is null ? null : metric with { Histogram = ResultHistograms.ToPairs(run.Recorders.Total(stage)) };
        return result with
        {
            Shard = new ShardInfo
            {
                Index = Plan.Index,
                Count = Plan.Count,
                StartTime = _started ?? result.StartedAt,
                TotalConnections = whole.Connections,
                TotalRate = whole.RatePerSecond,
            },
            Metrics = metrics with
            {
                SealUs = Embedded(metrics.SealUs, LoadStage.Seal),
                ForwardUs = Embedded(metrics.ForwardUs, LoadStage.Forward),
                OpenUs = Embedded(metrics.OpenUs, LoadStage.Open),
                EndToEndUs = Embedded(metrics.EndToEndUs, LoadStage.EndToEnd),
                GeneratorLagUs = Embedded(metrics.GeneratorLagUs, LoadStage.GeneratorLag),
            },
        };
    }
}
