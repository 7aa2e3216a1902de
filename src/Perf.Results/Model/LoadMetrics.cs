namespace Perf.Results.Model;

/// <summary>Latency summaries (one per histogram the target has) and message counters of a load run.</summary>
public sealed record LoadMetrics
{
    /// <summary>Sender's end-to-end seal time; absent when the target does no E2E crypto.</summary>
    public LatencyMetric? SealUs { get; init; }

    /// <summary>Relay forwarding time; absent when the target does not report it.</summary>
    public LatencyMetric? ForwardUs { get; init; }

    /// <summary>Recipient's end-to-end open time.</summary>
    public LatencyMetric? OpenUs { get; init; }

    /// <summary>From the intended send time to delivery (no coordinated omission).</summary>
    public LatencyMetric? EndToEndUs { get; init; }

    /// <summary>How late the generator sent compared with its schedule; shows when the generator itself saturates.</summary>
    public LatencyMetric? GeneratorLagUs { get; init; }

    /// <summary>Messages the generator sent.</summary>
    public required long Sent { get; init; }

    /// <summary>Messages the relay accepted.</summary>
    public required long Accepted { get; init; }

    /// <summary>Messages delivered to recipients.</summary>
    public required long Delivered { get; init; }

    /// <summary>Messages the relay refused (backpressure, limits).</summary>
    public required long Rejected { get; init; }

    /// <summary>Deliveries of a message the recipient had already seen (redelivered after a lost ACK, or a resent copy), not counted as delivered.</summary>
    public long? Duplicates { get; init; }

    /// <summary>Arrivals that could not be opened or parsed (not replays): each such message is in <see cref="Lost"/> too, as it was never opened.</summary>
    public long? Errors { get; init; }

    /// <summary>
    /// <see cref="Errors"/> by reason: <c>unreadable_payload</c>, <c>sealed_sender</c>, or the E2E
    /// session's refusal (<c>too_far_ahead</c>: a counter past its skipped-key window,
    /// <c>authentication_failed</c>, <c>unknown_session</c>, ...); absent when there were none.
    /// </summary>
    public IReadOnlyDictionary<string, long>? ErrorsByReason { get; init; }

    /// <summary>Messages sent but neither delivered nor rejected by the end of the run (relay-cluster: accepted but never delivered).</summary>
    public required long Lost { get; init; }

    /// <summary>Measured messages the schedule owed but the sender never sent (its connection ended first); the k6 script records it.</summary>
    public long? Unsent { get; init; }

    /// <summary>Delivered messages per second over the measured duration.</summary>
    public required double ThroughputMsgsPerS { get; init; }

    /// <summary>The latency histograms present, by their JSON name, in a fixed order.</summary>
    public IEnumerable<(string Name, LatencyMetric Metric)> Latencies()
    {
        if (SealUs is not null) yield return ("seal_us", SealUs);
        if (ForwardUs is not null) yield return ("forward_us", ForwardUs);
        if (OpenUs is not null) yield return ("open_us", OpenUs);
        if (EndToEndUs is not null) yield return ("end_to_end_us", EndToEndUs);
        if (GeneratorLagUs is not null) yield return ("generator_lag_us", GeneratorLagUs);
    }
}
