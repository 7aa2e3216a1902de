namespace Perf.Results.Capacity;

/// <summary>The outcome of capacity planning, with the assumptions and formulas that produced it.</summary>
public sealed record CapacityPlan
{
    /// <summary>Concurrent connections: users × concurrent fraction.</summary>
    public required double Connections { get; init; }

    /// <summary>Peak messages per second: users × messages per user per day / 86400 × peak factor.</summary>
    public required double PeakMsgsPerS { get; init; }

    /// <summary>The target's measured CPU time per message, µs.</summary>
    public required double CpuUsPerMessage { get; init; }

    /// <summary>Messages per second one core carries, as planned.</summary>
    public required double MsgsPerSPerCore { get; init; }

    /// <summary>Where <see cref="MsgsPerSPerCore"/> came from: <c>cpu_us_per_message</c> or <c>saturation</c> (the lower of the two wins).</summary>
    public required string MsgsPerSPerCoreSource { get; init; }

    /// <summary>Messages per second per core at the target's SLO-bound saturation, when a search reached it on pinned cores.</summary>
    public double? SaturationMsgsPerSPerCore { get; init; }

    /// <summary>Cores needed at peak with headroom.</summary>
    public required double CoresNeeded { get; init; }

    /// <summary>Memory needed for the connections with headroom, bytes.</summary>
    public required double MemoryNeededBytes { get; init; }

    /// <summary>Cores per node used in the plan.</summary>
    public required double CoresPerNode { get; init; }

    /// <summary>Memory per node used in the plan, bytes.</summary>
    public required long MemoryPerNodeBytes { get; init; }

    /// <summary>Nodes needed for CPU alone.</summary>
    public required long NodesForCpu { get; init; }

    /// <summary>Nodes needed for connection memory alone.</summary>
    public required long NodesForMemory { get; init; }

    /// <summary>Relay nodes needed: the larger of the two, at least one.</summary>
    public required long Nodes { get; init; }

    /// <summary>The resource that sets <see cref="Nodes"/>: <c>cpu</c> or <c>memory</c>.</summary>
    public required string Binding { get; init; }

    /// <summary>The NATS nodes' measured CPU time per message together, µs (a relay-cluster result).</summary>
    public double? NatsCpuUsPerMessage { get; init; }

    /// <summary>NATS cores needed at peak with headroom.</summary>
    public double? NatsCoresNeeded { get; init; }

    /// <summary>NATS nodes needed: for their CPU, at least one per JetStream replica.</summary>
    public long? NatsNodes { get; init; }

    /// <summary>Every assumption taken from the inputs and the result file, one per line.</summary>
    public required IReadOnlyList<string> Assumptions { get; init; }

    /// <summary>Every formula with its numbers filled in, one per line.</summary>
    public required IReadOnlyList<string> Formulas { get; init; }
}
