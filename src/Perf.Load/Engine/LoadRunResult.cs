using Perf.Load.Behaviours;
using Perf.Load.Probes;
using Perf.Load.Recording;
using Perf.Load.Targets;

namespace Perf.Load.Engine;

/// <summary>What one run recorded: the histograms and counters of the measured window.</summary>
/// <param name="Target">The target's scheme name.</param>
/// <param name="Stages">Which E2E stages the target has.</param>
/// <param name="Scenario">The scenario that ran.</param>
/// <param name="StartedAt">Wall-clock start.</param>
/// <param name="MeasuredDuration">Length of the measured window actually run.</param>
/// <param name="Scheduled">Messages the schedule intended in the measured window (with a target's follow-ups, <see cref="IFollowUpConnection"/>, those it sent in the window too).</param>
/// <param name="Recorders">The histograms and counters.</param>
public sealed record LoadRunResult(
    string Target,
    LoadStages Stages,
    LoadScenario Scenario,
    DateTimeOffset StartedAt,
    TimeSpan MeasuredDuration,
    long Scheduled,
    LoadRecorders Recorders)
{
    /// <summary>What the target's process used over the measured window, when it runs in its own process.</summary>
    public ProcessUsage? TargetUsage { get; init; }

    /// <summary>What the generator's own process used over the measured window (all of it, for an embedded target).</summary>
    public ProcessUsage? GeneratorUsage { get; init; }

    /// <summary>The per-minute series of the measured window, when it held at least one interval.</summary>
    public LoadSeries? Series { get; init; }

    /// <summary>The probe's readings of the target: at the window's opening, then at the end of each series interval (empty without a probe or a series).</summary>
    public IReadOnlyList<TargetSnapshot> SeriesReadings { get; init; } = [];

    /// <summary>The measured messages split by recipient class, when some recipients read slowly.</summary>
    public RecipientClasses? RecipientClasses { get; init; }

    /// <summary>The measured connections' churn, when <c>--churn</c> ran.</summary>
    public ChurnCounters? Churn { get; init; }

    /// <summary>The slow consumers' catch-up after the measured window, when the run had slow consumers.</summary>
    public SlowConsumerCatchUp? SlowConsumerCatchUp { get; init; }

    /// <summary>Messages sent but neither delivered nor rejected by the end of the drain.</summary>
    public long Lost => Math.Max(0, Recorders.Sent - Recorders.Delivered - Recorders.Rejected);

    /// <summary>Delivered messages per second of measured window.</summary>
    public double ThroughputPerSecond => MeasuredDuration <= TimeSpan.Zero ? 0 : Recorders.Delivered / MeasuredDuration.TotalSeconds;

    /// <summary>Whether <paramref name="stage"/> was measured by this target.</summary>
    public bool Has(LoadStage stage) => stage switch
    {
        LoadStage.Seal => Stages.HasFlag(LoadStages.Seal),
        LoadStage.Open => Stages.HasFlag(LoadStages.Open),
        _ => true,
    };
}
