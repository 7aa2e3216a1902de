using Perf.Load.Behaviours;
using Perf.Load.Engine;
using Perf.Load.Hostile;
using Perf.Load.Recording;
using Perf.Results.Model;

namespace Perf.Load.Output;

/// <summary>The result's <c>behaviours</c> and <c>handshake_flood</c> sections from what the run's clients counted.</summary>
public static class BehaviourResults
{
    /// <summary>
    /// The <c>behaviours</c> section, or <c>null</c> when no behaviour ran.
    /// </summary>
    /// <param name="run">The run (its churn counters and recipient classes).</param>
    /// <param name="idleChurn">The idle clients' churn, when they churned.</param>
    /// <param name="vanishing">The vanishing clients, when they ran.</param>
    /// <param name="heldByRelayAtEnd">What the relay held at the end of the drain (its mailbox depth), when it could be read.</param>
    public static ClientBehaviourRun? ToResult(LoadRunResult run, ChurnCounters? idleChurn = null, VanishingCounters? vanishing = null, long? heldByRelayAtEnd = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var behaviours = run.Scenario.Behaviours;
        if (!behaviours.Any)
        {
            return null;
        }

        return new ClientBehaviourRun
        {
            Churn = run.Churn is { } churn ? new ChurnRun
            {
                PercentPerMinute = behaviours.ChurnPercentPerMinute,
                AwayS = behaviours.ChurnAway.TotalSeconds,
                Load = Counts(churn),
                Idle = idleChurn is null ? null : Counts(idleChurn),
            } : null,
            SlowConsumers = run.RecipientClasses is { } classes ? new SlowConsumerRun
            {
                Percent = behaviours.SlowConsumerPercent,
                BytesPerS = behaviours.SlowConsumerBytesPerSecond,
                Slow = Class(classes.Slow, classes.SlowRecipients, retries: true),
                Others = Class(classes.Others, run.Scenario.Connections - classes.SlowRecipients, retries: false),
                HeldByRelayAtEnd = heldByRelayAtEnd,
                CatchUpS = run.SlowConsumerCatchUp?.Seconds,
                CaughtUp = run.SlowConsumerCatchUp?.Completed,
                DeliveredInCatchUp = run.SlowConsumerCatchUp?.Delivered,
            } : null,
            Vanishing = vanishing is null ? null : new VanishingRun
            {
                PercentPerMinute = behaviours.VanishingPercentPerMinute,
                Vanished = vanishing.VanishedCount,
                Reclaimed = vanishing.ReclaimedCount,
                Returned = vanishing.ReturnedCount,
                Unreclaimed = vanishing.StillVanishedCount,
                MinReclaimS = vanishing.MinReclaim?.TotalSeconds,
                MaxReclaimS = vanishing.MaxReclaim?.TotalSeconds,
            },
        };
    }

    /// <summary>The <c>handshake_flood</c> section of a flood's counts; <paramref name="ranIn"/> says where it ran.</summary>
    public static HandshakeFloodRun ToResult(HandshakeFloodResult flood, string? ranIn = null)
    {
        ArgumentNullException.ThrowIfNull(flood);
        return new HandshakeFloodRun
        {
            RatePerSecond = flood.RatePerSecond,
            Kinds = flood.Kinds.ToString().ToLowerInvariant(),
            Source = flood.Source,
            Seconds = flood.Seconds,
            RanIn = ranIn,
            Cores = flood.CpuSeconds is { } cpu && flood.Seconds > 0 ? cpu / flood.Seconds : null,
            AchievedPerSecond = flood.AchievedPerSecond,
            ReachedRate = flood.ReachedRate,
            Garbage = Counts(flood.Garbage),
            Abandoned = Counts(flood.Abandoned),
        };
    }

    private static ChurnCounts Counts(ChurnCounters counters) => new() { Clients = counters.Clients, Reconnected = counters.Reconnected, Failed = counters.Failed };

    private static Results.Model.HandshakeFloodCounts Counts(Hostile.HandshakeFloodCounts c) => new()
    {
        Attempted = c.Attempted,
        Refused = c.Refused,
        Answered = c.Answered,
        Unanswered = c.Unanswered,
        Failed = c.Failed,
        Skipped = c.Skipped,
    };

    // Senders to slow consumers retry what is refused (their outboxes); the others do not.
    private static RecipientClassRun Class(RecipientClasses.Figures figures, int connections, bool retries) => new()
    {
        Connections = connections,
        Sent = figures.Sent,
        Delivered = figures.Delivered,
        Rejected = figures.Rejected,
        Resent = retries ? figures.Resent : null,
        HeldBySender = retries ? figures.HeldBySender : null,
        Undelivered = figures.Undelivered,
        EndToEndUs = LatencyMetric.FromHistogram(figures.EndToEnd),
    };
}
