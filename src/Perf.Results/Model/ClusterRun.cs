namespace Perf.Results.Model;

/// <summary>
/// A run against a relay cluster (<c>perf load --target relay-cluster</c>): its size, the faults
/// injected and what the clients did about them. The relay nodes' CPU is the result's target
/// section (summed over the relay processes, a killed one's up to its kill); the NATS nodes' is here.
/// </summary>
public sealed record ClusterRun
{
    /// <summary>Relay processes (<c>--relay-nodes</c>).</summary>
    public required int RelayNodes { get; init; }

    /// <summary>nats-server processes (<c>--nats-nodes</c>).</summary>
    public required int NatsNodes { get; init; }

    /// <summary>JetStream replicas of the mailbox stream: min(3, NATS nodes).</summary>
    public required int StoreReplicas { get; init; }

    /// <summary>How the clients reached the nodes: <c>tcp</c> (Noise) or <c>ws</c> (the WebSocket gateway); absent in older files (tcp).</summary>
    public string? Transport { get; init; }

    /// <summary><c>--fault-schedule</c> as given, e.g. <c>random:30s</c>; its faults are among <see cref="Faults"/>.</summary>
    public string? FaultSchedule { get; init; }

    /// <summary>The seed of <see cref="FaultSchedule"/>'s picks (<c>--fault-seed</c> repeats them).</summary>
    public int? FaultSeed { get; init; }

    /// <summary>
    /// Each relay node's open connections by its own count (<c>relay.connections</c> at its
    /// <c>/metrics</c>) once the idle clients and the run's connections were open, before the
    /// measured window; <c>null</c> for a node that did not answer. Only when the cluster was started here.
    /// </summary>
    public IReadOnlyList<long?>? ConnectionsPerNode { get; init; }

    /// <summary>The faults asked for, each with when it was applied.</summary>
    public required IReadOnlyList<ClusterFaultRecord> Faults { get; init; }

    /// <summary>The NATS processes together over the measured window: cores, CPU µs per delivered message.</summary>
    public TargetUsage? Nats { get; init; }

    /// <summary>Client connections re-established on another relay node after a drop.</summary>
    public required long Reconnects { get; init; }

    /// <summary>Messages sent again on the new connection because the dropped one had not answered them.</summary>
    public required long Resent { get; init; }

    /// <summary>REJECTED store-unavailable or shutting-down answers whose message was sent again (the relay said it was not held).</summary>
    public required long RetriedRejections { get; init; }

    /// <summary>Deliveries dropped because their relay message id had been delivered before (an ACK lost with a connection).</summary>
    public required long RelayIdDuplicates { get; init; }

    /// <summary>Deliveries refused by the E2E session as a replay (a resent message the dead node had stored too).</summary>
    public required long ReplayDuplicates { get; init; }

    /// <summary>Measured messages that got neither ACCEPTED nor a final REJECTED by the end of the drain.</summary>
    public required long Unanswered { get; init; }
}

/// <summary>One <c>--fault</c> and what became of it. Times count from the start of the measured window.</summary>
public sealed record ClusterFaultRecord
{
    /// <summary>As given, e.g. <c>kill:relay:1@4s</c>.</summary>
    public required string Fault { get; init; }

    /// <summary><c>kill</c> or <c>restart</c>.</summary>
    public required string Action { get; init; }

    /// <summary><c>relay</c> or <c>nats</c>.</summary>
    public required string Node { get; init; }

    /// <summary>The node's 0-based index.</summary>
    public required int Index { get; init; }

    /// <summary>When it was asked for, seconds.</summary>
    public required double ScheduledS { get; init; }

    /// <summary>When the process was killed, seconds; absent when it was not applied.</summary>
    public double? AppliedS { get; init; }

    /// <summary>A restart: when the node was back, seconds.</summary>
    public double? ReadyS { get; init; }

    /// <summary>Why it was not applied, or did not come back.</summary>
    public string? Problem { get; init; }
}
