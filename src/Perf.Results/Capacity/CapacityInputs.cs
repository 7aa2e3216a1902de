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

    /// <summary>Checks every input is in range.</summary>
    /// <exception cref="BadInputException">When a value is out of range; the message names the command-line option.</exception>
    public void Validate()
    {
        if (Users <= 0) throw new BadInputException($"--users must be positive, got {Users}");
        if (!(ConcurrentFraction > 0 && ConcurrentFraction <= 1)) throw new BadInputException($"--concurrent-fraction must be in (0, 1], got {ConcurrentFraction}");
        if (!(MessagesPerUserPerDay > 0) || !double.IsFinite(MessagesPerUserPerDay)) throw new BadInputException($"--msgs-per-user-per-day must be positive, got {MessagesPerUserPerDay}");
        if (!(PeakFactor >= 1) || !double.IsFinite(PeakFactor)) throw new BadInputException($"--peak-factor must be at least 1 (peak over daily average), got {PeakFactor}");
        if (SizeBytes <= 0) throw new BadInputException($"--size must be positive, got {SizeBytes}");
        if (!(Headroom >= 0 && Headroom < 1)) throw new BadInputException($"--headroom must be at least 0% and below 100%, got {Percent.Format(Headroom)}");
        if (CoresPerNode is { } cores && !(cores > 0)) throw new BadInputException($"--cores-per-node must be positive, got {cores}");
        if (MemoryPerNodeBytes is { } memory && memory <= 0) throw new BadInputException($"--memory-per-node must be positive, got {memory}");
    }
}
