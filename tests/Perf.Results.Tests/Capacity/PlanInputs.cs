using Perf.Results.Capacity;
using Perf.Results.Model;

namespace Perf.Results.Tests.Capacity;

/// <summary>The 50 M-user population and the plan's defaults, for tests to vary with <c>with</c>.</summary>
internal static class PlanInputs
{
    public static readonly Slo P99At50Ms = new() { Percentile = "p99", ThresholdUs = 50_000 };

    /// <summary>50,000,000 users, 10 % online, 40 messages a day, peak 3×, 256 B, p99 ≤ 50 ms, 30 % headroom; 60 s keep-alives, 200,000 connections per node, 168 h retention.</summary>
    public static CapacityInputs FiftyMillion() => new()
    {
        Users = 50_000_000,
        ConcurrentFraction = 0.1,
        MessagesPerUserPerDay = 40,
        PeakFactor = 3,
        SizeBytes = 256,
        Slo = P99At50Ms,
        Headroom = 0.3,
        KeepAliveInterval = TimeSpan.FromSeconds(60),
        MaxConnectionsPerNode = 200_000,
        Retention = TimeSpan.FromHours(168),
    };

    /// <summary>200,000 users whose held messages wait 6 minutes, no reconnect storm: a population the relay-cluster fixture's measurements carry without extrapolating past 10×.</summary>
    /// <remarks>connections 20,000; peak 200,000 × 40 / 86,400 × 3 = 277.78 msgs/s; held 200,000 × 40 × 90 % × 0.1 h / 24 h = 30,000.</remarks>
    public static CapacityInputs SmallCluster() => FiftyMillion() with { Users = 200_000, Retention = TimeSpan.FromMinutes(6), ReconnectFraction = 0 };

    public static PlanTerm Term(this FleetPlan fleet, string name) => fleet.Terms.Single(t => t.Name == name);

    public static NodeLimit Limit(this FleetPlan fleet, string resource) => fleet.Limits.Single(l => l.Resource == resource);
}
