namespace Perf.Results.Model;

/// <summary>
/// What the generator's clients did beside sending (the result's <c>behaviours</c> section):
/// reconnecting (<c>--churn</c>), reading slowly (<c>--slow-consumers</c>) and vanishing
/// (<c>--vanishing</c>). Each part is present only when its flag was given.
/// </summary>
public sealed record ClientBehaviourRun
{
    /// <summary>Connections that left and came back as the same identity.</summary>
    public ChurnRun? Churn { get; init; }

    /// <summary>Recipients that read at a set byte rate, with their figures apart from the others'.</summary>
    public SlowConsumerRun? SlowConsumers { get; init; }

    /// <summary>Idle clients that went silent without closing, and how the relay reclaimed them.</summary>
    public VanishingRun? Vanishing { get; init; }
}

/// <summary><c>--churn PCT</c>: each minute that share of the clients close their connection and reconnect as the same identity.</summary>
public sealed record ChurnRun
{
    /// <summary>Percent of the clients that churn each minute.</summary>
    public required double PercentPerMinute { get; init; }

    /// <summary>How long a client stays away before it reconnects, seconds (<c>--churn-away</c>).</summary>
    public required double AwayS { get; init; }

    /// <summary>The measured connections' reconnects: messages sent to them while away are held by the relay and delivered on return.</summary>
    public required ChurnCounts Load { get; init; }

    /// <summary>The idle clients' reconnects (<c>--idle-connections</c>), absent without idle clients.</summary>
    public ChurnCounts? Idle { get; init; }
}

/// <summary>How one population's reconnects went.</summary>
public sealed record ChurnCounts
{
    /// <summary>Clients in the population.</summary>
    public required long Clients { get; init; }

    /// <summary>Reconnects completed (authenticated again as the same identity).</summary>
    public required long Reconnected { get; init; }

    /// <summary>Reconnects that failed (the client stayed away).</summary>
    public required long Failed { get; init; }
}

/// <summary>
/// <c>--slow-consumers PCT</c>: recipients that read their socket at <see cref="BytesPerS"/>.
/// Messages are split by their recipient: to a slow consumer, or to the others.
/// </summary>
public sealed record SlowConsumerRun
{
    /// <summary>Percent of the receiving connections that read slowly.</summary>
    public required double Percent { get; init; }

    /// <summary>The rate each reads at, bytes per second (<c>--slow-consumer-rate</c>).</summary>
    public required double BytesPerS { get; init; }

    /// <summary>Messages to the slow consumers.</summary>
    public required RecipientClassRun Slow { get; init; }

    /// <summary>Messages to everyone else.</summary>
    public required RecipientClassRun Others { get; init; }

    /// <summary>
    /// Messages the relay still held at the end of the drain (its <c>relay.mailbox.depth</c>), when
    /// it could be read: after the catch-up, what no consumer took (0 when everything was delivered).
    /// </summary>
    public long? HeldByRelayAtEnd { get; init; }

    /// <summary>
    /// After the measured window the slow consumers read at full speed for at most
    /// <c>--slow-consumer-drain</c>: how long that took, seconds (absent when the target cannot).
    /// </summary>
    public double? CatchUpS { get; init; }

    /// <summary>Whether every measured message was delivered or refused by the end of the catch-up.</summary>
    public bool? CaughtUp { get; init; }

    /// <summary>Measured messages delivered during the catch-up: held by the relay at the end of the window, delivered once their recipient read.</summary>
    public long? DeliveredInCatchUp { get; init; }
}

/// <summary>The measured messages to one class of recipient.</summary>
public sealed record RecipientClassRun
{
    /// <summary>Recipients in the class.</summary>
    public required int Connections { get; init; }

    /// <summary>Messages sent to them.</summary>
    public required long Sent { get; init; }

    /// <summary>Messages delivered to them.</summary>
    public required long Delivered { get; init; }

    /// <summary>
    /// Messages to them the relay never took: refused (a slow consumer's full mailbox:
    /// <c>mailbox_full</c>) and, for senders to slow consumers, still refused or held behind a
    /// refusal in the sender's outbox when the window closed (<see cref="HeldBySender"/>).
    /// </summary>
    public required long Rejected { get; init; }

    /// <summary>Envelopes their senders' outboxes sent again after a refusal; absent where senders do not retry.</summary>
    public long? Resent { get; init; }

    /// <summary>Of <see cref="Rejected"/>, those still in their senders' outboxes when the window closed; absent where senders do not retry.</summary>
    public long? HeldBySender { get; init; }

    /// <summary>Neither delivered nor refused by the end of the drain: <c>sent − delivered − rejected</c>, at least 0.</summary>
    public required long Undelivered { get; init; }

    /// <summary>Their end-to-end latency, µs.</summary>
    public required LatencyMetric EndToEndUs { get; init; }
}

/// <summary>
/// <c>--vanishing PCT</c>: each minute that share of the idle clients stop reading and writing
/// (no keep-alive, no FIN); the relay's idle timeout must close each, which the client sees from
/// its socket's TCP state without reading; it then comes back as the same identity.
/// </summary>
public sealed record VanishingRun
{
    /// <summary>Percent of the idle clients that vanish each minute.</summary>
    public required double PercentPerMinute { get; init; }

    /// <summary>Clients that vanished.</summary>
    public required long Vanished { get; init; }

    /// <summary>Of those, closed by the relay before the end of the run.</summary>
    public required long Reclaimed { get; init; }

    /// <summary>Of those reclaimed, how many came back (reconnected as the same identity).</summary>
    public required long Returned { get; init; }

    /// <summary>Vanished and still open at the end (vanished less than the relay's idle timeout before, or never reclaimed).</summary>
    public required long Unreclaimed { get; init; }

    /// <summary>The longest time from vanishing to the relay's close, seconds (absent when none was reclaimed).</summary>
    public double? MaxReclaimS { get; init; }

    /// <summary>The shortest such time, seconds.</summary>
    public double? MinReclaimS { get; init; }
}
