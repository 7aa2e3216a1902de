using Perf.Load.Behaviours;

namespace Perf.Load;

/// <summary>
/// What a load run does: how many connections, at what fixed arrival rate, with what message
/// size, for how long. Every message of the schedule has an intended send time; latency is
/// measured from it, so a stalled target shows up as the latency it caused.
/// </summary>
public sealed record LoadScenario
{
    /// <summary>Largest message size accepted, in bytes (the relay's default envelope limit is larger; this bounds memory).</summary>
    public const int MaxMessageSize = 60 * 1024;

    /// <summary>Smallest message size: room for the sequence number and the intended send time carried inside the payload.</summary>
    public const int MinMessageSize = LoadPayload.HeaderSize;

    /// <summary>Number of client connections; messages are spread evenly over them.</summary>
    public int Connections { get; init; } = 10;

    /// <summary>Total arrival rate across all connections, in messages per second.</summary>
    public double RatePerSecond { get; init; } = 1000;

    /// <summary>Plaintext message size in bytes (before E2E sealing).</summary>
    public int MessageSize { get; init; } = 256;

    /// <summary>How long the measured part of the run lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the schedule runs before measuring starts (connections warm, JIT done).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Constant spacing or Poisson arrivals.</summary>
    public ArrivalProcess Arrival { get; init; } = ArrivalProcess.Constant;

    /// <summary>Seed for Poisson arrivals and payload bytes, so runs are repeatable.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long to wait after the last send for outstanding messages before counting them lost.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The length of each entry of the result's per-minute <c>series</c>: a minute; shorter only in tests (at least a second).</summary>
    public TimeSpan SeriesInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Churn, slow consumers and vanishing clients (all off by default).</summary>
    public ClientBehaviours Behaviours { get; init; } = ClientBehaviours.None;

    /// <summary>
    /// When this run is one slice of a larger one (a shard): which of the whole run's connections
    /// its <see cref="Connections"/> are, so that each keeps the phase, rate and seed it has in the
    /// whole schedule and the slices' schedules together are the whole one. <c>null</c>: the whole run.
    /// </summary>
    public ConnectionSlice? Slice { get; init; }

    /// <summary>Checks ranges; returns a message naming the first bad value and its allowed range, or <c>null</c>.</summary>
    public string? Validate()
    {
        if (Connections is < 1 or > 10_000)
        {
            return $"--connections must be 1 to 10000; got {Connections}.";
        }

        if (!(RatePerSecond > 0) || RatePerSecond > 10_000_000 || double.IsNaN(RatePerSecond))
        {
            return $"--rate must be above 0 and at most 10000000 messages/s; got {RatePerSecond}.";
        }

        if (MessageSize is < MinMessageSize or > MaxMessageSize)
        {
            return $"--size must be {MinMessageSize} to {MaxMessageSize} bytes; got {MessageSize}.";
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24))
        {
            return $"--duration must be above 0 and at most 24h; got {Duration}.";
        }

        if (Warmup < TimeSpan.Zero || Warmup > TimeSpan.FromHours(1))
        {
            return $"--warmup must be 0 to 1h; got {Warmup}.";
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            return $"the drain timeout cannot be negative; got {DrainTimeout}.";
        }

        if (SeriesInterval < TimeSpan.FromSeconds(1))
        {
            return $"the series interval must be at least 1s; got {SeriesInterval}.";
        }

        if (Slice is { } slice && (slice.First < 0 || slice.First + Connections > slice.TotalConnections || !(slice.TotalRatePerSecond > 0)))
        {
            return $"a slice of connections {slice.First} to {slice.First + Connections - 1} does not fit a run of {slice.TotalConnections} at {slice.TotalRatePerSecond} msgs/s.";
        }

        return Behaviours.Validate();
    }
}

/// <summary>How intended send times are spaced.</summary>
public enum ArrivalProcess
{
    /// <summary>Evenly spaced: one message every 1/rate seconds per connection share (wrk2, k6 constant-arrival-rate).</summary>
    Constant,

    /// <summary>Exponentially distributed gaps with the same mean: a Poisson process, closer to independent users.</summary>
    Poisson,
}

/// <summary>A run's connections as a slice of a larger run's: connections <see cref="First"/> to <see cref="First"/> + the scenario's connections − 1 of <see cref="TotalConnections"/>, which together offer <see cref="TotalRatePerSecond"/>.</summary>
/// <param name="First">The whole run's number of this run's first connection.</param>
/// <param name="TotalConnections">The whole run's connections.</param>
/// <param name="TotalRatePerSecond">The whole run's arrival rate.</param>
public sealed record ConnectionSlice(int First, int TotalConnections, double TotalRatePerSecond);
