namespace Perf.Results.Capacity;

/// <summary>The outcome of capacity planning: the load, each fleet's terms and limits, and what the plan assumed and warns about.</summary>
public sealed record CapacityPlan
{
    /// <summary>The mailbox store the measured relay used, in words (memory, JetStream beside it, a relay cluster's JetStream).</summary>
    public required string Store { get; init; }

    /// <summary>The load the population puts on the fleet (connections, peak messages, keep-alives, reconnects, held messages), each with its formula.</summary>
    public required IReadOnlyList<PlanTerm> Load { get; init; }

    /// <summary>Concurrent connections: users × concurrent fraction.</summary>
    public required double Connections { get; init; }

    /// <summary>Peak messages per second: users × messages per user per day / 86400 × peak factor.</summary>
    public required double PeakMsgsPerS { get; init; }

    /// <summary>Keep-alive PINGs per second: connections / keep-alive interval (every connection idle: the most there can be).</summary>
    public required double KeepAlivesPerS { get; init; }

    /// <summary>Handshakes per second in a reconnect storm: reconnect fraction × connections / window.</summary>
    public required double HandshakesPerS { get; init; }

    /// <summary>The target's measured CPU time per message the plan applies, µs.</summary>
    public required double CpuUsPerMessage { get; init; }

    /// <summary>Messages per second one core carries, as planned.</summary>
    public required double MsgsPerSPerCore { get; init; }

    /// <summary>Where <see cref="MsgsPerSPerCore"/> came from: <c>cpu_us_per_message</c> or <c>saturation</c> (the lower of the two wins).</summary>
    public required string MsgsPerSPerCoreSource { get; init; }

    /// <summary>Messages per second per core at the target's SLO-bound saturation, when a search reached it on pinned cores.</summary>
    public double? SaturationMsgsPerSPerCore { get; init; }

    /// <summary>Cores per node used in the plan.</summary>
    public required double CoresPerNode { get; init; }

    /// <summary>Memory per node used in the plan, bytes.</summary>
    public required long MemoryPerNodeBytes { get; init; }

    /// <summary>The relay fleet.</summary>
    public required FleetPlan Relay { get; init; }

    /// <summary>The NATS fleet, when the measured relay used JetStream and its nats-server was measured.</summary>
    public FleetPlan? Nats { get; init; }

    /// <summary>Why no NATS fleet was planned, when <see cref="Nats"/> is null.</summary>
    public string? NatsNote { get; init; }

    /// <summary>Relay nodes: <see cref="FleetPlan.Nodes"/> of <see cref="Relay"/>.</summary>
    public long Nodes => Relay.Nodes;

    /// <summary>The limit that sets the relay nodes: <c>cpu</c>, <c>memory</c> or <c>connections</c>.</summary>
    public string Binding => Relay.Binding;

    /// <summary>Every assumption taken from the inputs and the result file, one per line.</summary>
    public required IReadOnlyList<string> Assumptions { get; init; }

    /// <summary>What makes the measurement a weak basis for this plan (an oversubscribed run, a p99 near the SLO, a figure not measured), one per line.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>One fleet (relay or NATS nodes): the terms that size it, one node count per limit, and the largest.</summary>
public sealed record FleetPlan
{
    /// <summary><c>relay</c> or <c>NATS</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The quantities behind the limits (cores per kind of work, bytes per connection, ...), each with its formula.</summary>
    public required IReadOnlyList<PlanTerm> Terms { get; init; }

    /// <summary>Nodes each limit needs on its own.</summary>
    public required IReadOnlyList<NodeLimit> Limits { get; init; }

    /// <summary>Nodes the largest limit needs (at least one).</summary>
    public required long NodesNeeded { get; init; }

    /// <summary>Nodes planned: <see cref="NodesNeeded"/>, plus one spare with N+1.</summary>
    public required long Nodes { get; init; }

    /// <summary>The resource of the limit that sets <see cref="NodesNeeded"/>.</summary>
    public required string Binding { get; init; }

    /// <summary>The fleet its largest limit needs, at least one node (the first of equal limits binds), one more with <paramref name="nPlusOne"/>.</summary>
    internal static FleetPlan Choose(string name, IReadOnlyList<PlanTerm> terms, IReadOnlyList<NodeLimit> limits, bool nPlusOne)
    {
        var binding = limits[0];
        foreach (var limit in limits)
        {
            if (limit.Nodes > binding.Nodes)
            {
                binding = limit;
            }
        }

        var needed = Math.Max(1, binding.Nodes);
        return new FleetPlan
        {
            Name = name,
            Terms = terms,
            Limits = limits,
            NodesNeeded = needed,
            Nodes = nPlusOne ? needed + 1 : needed,
            Binding = binding.Resource,
        };
    }
}

/// <summary>A quantity of the plan and how it was computed, with the numbers filled in.</summary>
/// <param name="Name">What it is (<c>messages</c>, <c>keep-alives</c>, <c>kernel memory per connection</c>, ...).</param>
/// <param name="Value">Its value, in <paramref name="Unit"/>.</param>
/// <param name="Unit">The unit of <paramref name="Value"/> (<c>cores</c>, <c>B</c>, <c>msgs/s</c>).</param>
/// <param name="Formula">The formula with its numbers, ending in the value.</param>
public sealed record PlanTerm(string Name, double Value, string Unit, string Formula);

/// <summary>One limit on a fleet and the nodes it needs on its own.</summary>
/// <param name="Resource"><c>cpu</c>, <c>memory</c>, <c>connections</c>, <c>disk</c> or <c>replicas</c>.</param>
/// <param name="Nodes">Nodes this limit needs.</param>
/// <param name="Formula">The formula with its numbers, ending in the node count.</param>
public sealed record NodeLimit(string Resource, long Nodes, string Formula);
