using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>The population, its habits, the fleet's limits and the targets to plan capacity for.</summary>
public sealed record CapacityInputs
{
    /// <summary>Descriptors a relay process keeps for itself (listeners, store connections, logs, runtime) besides its clients'.</summary>
    public const long ReservedDescriptors = 1_024;

    /// <summary>The default limit on how far memory measured over some idle connections is carried to a node's.</summary>
    public const double DefaultMaxMemoryExtrapolation = 10;

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

    /// <summary>Silence after which a connected client sends a keep-alive PING (the clients' interval).</summary>
    public required TimeSpan KeepAliveInterval { get; init; }

    /// <summary>Connections a relay node accepts at most (its <c>--max-connections</c>).</summary>
    public required long MaxConnectionsPerNode { get; init; }

    /// <summary>How long a message for an offline recipient is held (on average, by Little's law; at most the relay's <c>--max-age</c>).</summary>
    public required TimeSpan Retention { get; init; }

    /// <summary>Fraction of connections that reconnect in one storm (a node's death, a deploy, a network blip), in [0, 1].</summary>
    public double ReconnectFraction { get; init; } = 0.1;

    /// <summary>The time over which a storm's reconnections arrive.</summary>
    public TimeSpan ReconnectWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Descriptors one relay process may open (its <c>RLIMIT_NOFILE</c>); each connection is one.</summary>
    public long DescriptorsPerNode { get; init; } = 1_048_576;

    /// <summary>Fraction of messages whose recipient is offline when they arrive; <c>1 − concurrent fraction</c> when null.</summary>
    public double? HeldFraction { get; init; }

    /// <summary>Add one spare node to each fleet, so that losing any one keeps the plan.</summary>
    public bool NPlusOne { get; init; }

    /// <summary>How many times the connections measured idle may be multiplied to a node's count before the plan refuses.</summary>
    public double MaxMemoryExtrapolation { get; init; } = DefaultMaxMemoryExtrapolation;

    /// <summary>Cores per node; the measured machine's core count when null.</summary>
    public double? CoresPerNode { get; init; }

    /// <summary>Memory per node in bytes; the measured machine's memory when null.</summary>
    public long? MemoryPerNodeBytes { get; init; }

    /// <summary>Disk per NATS node in bytes; when null, the plan says how much each NATS node needs instead of sizing by it.</summary>
    public long? DiskPerNodeBytes { get; init; }

    /// <summary>The fraction of messages held: <see cref="HeldFraction"/> or <c>1 − concurrent fraction</c>.</summary>
    public double HeldFractionOrDefault => HeldFraction ?? 1 - ConcurrentFraction;

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
        if (KeepAliveInterval <= TimeSpan.Zero) throw new BadInputException($"--keep-alive must be positive, got {KeepAliveInterval}");
        if (!(ReconnectFraction >= 0 && ReconnectFraction <= 1)) throw new BadInputException($"--reconnect-fraction must be 0% to 100%, got {Percent.Format(ReconnectFraction)}");
        if (ReconnectWindow <= TimeSpan.Zero) throw new BadInputException($"--reconnect-window must be positive, got {ReconnectWindow}");
        if (MaxConnectionsPerNode < 1) throw new BadInputException($"--max-connections must be at least 1, got {MaxConnectionsPerNode}");
        if (DescriptorsPerNode <= ReservedDescriptors) throw new BadInputException($"--descriptors-per-node must exceed the {ReservedDescriptors:N0} a relay keeps for itself, got {DescriptorsPerNode}");
        if (HeldFraction is { } held && !(held >= 0 && held <= 1)) throw new BadInputException($"--held-fraction must be 0% to 100%, got {Percent.Format(held)}");
        if (Retention < TimeSpan.Zero) throw new BadInputException($"--retention must not be negative, got {Retention}");
        if (!(MaxMemoryExtrapolation >= 1) || !double.IsFinite(MaxMemoryExtrapolation)) throw new BadInputException($"--max-extrapolation must be at least 1, got {MaxMemoryExtrapolation}");
        if (CoresPerNode is { } cores && !(cores > 0)) throw new BadInputException($"--cores-per-node must be positive, got {cores}");
        if (MemoryPerNodeBytes is { } memory && memory <= 0) throw new BadInputException($"--memory-per-node must be positive, got {memory}");
        if (DiskPerNodeBytes is { } disk && disk <= 0) throw new BadInputException($"--disk-per-node must be positive, got {disk}");
    }
}
