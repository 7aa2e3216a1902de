using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>The population and targets to plan relay capacity for.</summary>
public sealed record CapacityInputs
{
    /// <summary>Registered users.</summary>
    public required long Users { get; init; }

    /// <summary>Fraction of users connected at the busiest moment, in (0, 1].</summary>
    public required double ConcurrentFraction { get; init; }

    /// <summary>Messages each user sends per day on average.</summary>
    public required double MessagesPerUserPerDay { get; init; }

    /// <summary>Peak-hour rate divided by the daily average rate, at least 1.</summary>
    public required double PeakFactor { get; init; }

    /// <summary>Message size in bytes the plan is for.</summary>
    public required int SizeBytes { get; init; }

    /// <summary>The latency objective the plan must keep.</summary>
    public required Slo Slo { get; init; }

    /// <summary>Fraction of every resource kept spare, in [0, 1).</summary>
    public required double Headroom { get; init; }

    /// <summary>Cores per relay node; the measured machine's core count when null.</summary>
    public double? CoresPerNode { get; init; }

    /// <summary>Memory per relay node in bytes; the measured machine's memory when null.</summary>
    public long? MemoryPerNodeBytes { get; init; }
}
