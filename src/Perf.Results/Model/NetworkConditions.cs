namespace Perf.Results.Model;

/// <summary>
/// The impaired network the generator's connections crossed (<c>perf load --network PROFILE</c>):
/// the profile in its canonical one-line form and field by field, and what the impairment proxy
/// did in the run. Times are microseconds, as everywhere in the result.
/// </summary>
public sealed record NetworkConditions
{
    /// <summary>The named profile it started from (<c>mobile</c>, <c>3g</c>, ...), or <c>null</c> for a custom one.</summary>
    public string? Name { get; init; }

    /// <summary>The canonical one-line profile: <c>perf load --network</c> given this text repeats the run's faults exactly.</summary>
    public required string Profile { get; init; }

    /// <summary>Seed of every random draw (jitter, loss, stall phases, reset times).</summary>
    public required long Seed { get; init; }

    /// <summary>Client to server (the phone's uplink).</summary>
    public required LinkConditions Up { get; init; }

    /// <summary>Server to client (the phone's downlink).</summary>
    public required LinkConditions Down { get; init; }

    /// <summary>Outages of each connection's link, when the profile has them.</summary>
    public StallConditions? Stall { get; init; }

    /// <summary>Resets (RST) per connection and second, when the profile has them.</summary>
    public double? ResetPerS { get; init; }

    /// <summary>Bytes a connection carries (both directions) before it is reset, when the profile says so.</summary>
    public long? ResetAfterBytes { get; init; }

    /// <summary>Writes split into small pieces, when the profile has slicing.</summary>
    public SliceConditions? Slice { get; init; }

    /// <summary>Where a named profile's numbers come from.</summary>
    public string? Source { get; init; }

    /// <summary>What the proxy did during the run, when it ran in front of the target.</summary>
    public NetworkProxyUsage? Proxy { get; init; }
}

/// <summary>One direction of a link.</summary>
public sealed record LinkConditions
{
    /// <summary>One-way delay added to every chunk.</summary>
    public required long LatencyUs { get; init; }

    /// <summary>Each chunk's delay is drawn uniformly from latency ± jitter (order kept).</summary>
    public required long JitterUs { get; init; }

    /// <summary>Bits per second the direction carries at most, or <c>null</c> for no limit.</summary>
    public long? BandwidthBitsPerS { get; init; }

    /// <summary>Share of chunks held back by a retransmission delay (TCP loses no bytes; it delays them).</summary>
    public required double Loss { get; init; }

    /// <summary>How long a "lost" chunk (and everything behind it) is held.</summary>
    public required long RetransmitUs { get; init; }
}

/// <summary>Link outages: nothing crosses a connection's link while one lasts.</summary>
public sealed record StallConditions
{
    /// <summary>How long each outage lasts.</summary>
    public required long DurationUs { get; init; }

    /// <summary>Periodic outages: one every this long per connection (its phase drawn from the seed).</summary>
    public long? EveryUs { get; init; }

    /// <summary>Random outages: each connection starts one with this probability per second.</summary>
    public double? PerS { get; init; }
}

/// <summary>Writes split into pieces (Toxiproxy's slicer).</summary>
public sealed record SliceConditions
{
    /// <summary>Average piece size.</summary>
    public required int AverageBytes { get; init; }

    /// <summary>Pieces vary by up to this many bytes either way.</summary>
    public required int VariationBytes { get; init; }

    /// <summary>Pause after each piece.</summary>
    public required long DelayUs { get; init; }
}

/// <summary>What the impairment proxy did in a run, read when the run ended.</summary>
public sealed record NetworkProxyUsage
{
    /// <summary>Connections it accepted.</summary>
    public required long Connections { get; init; }

    /// <summary>Bytes it carried client to server.</summary>
    public required long BytesUp { get; init; }

    /// <summary>Bytes it carried server to client.</summary>
    public required long BytesDown { get; init; }

    /// <summary>Connections it reset as the profile said (<c>reset</c>, <c>reset-after</c>).</summary>
    public required long Resets { get; init; }

    /// <summary>Chunks an outage held back.</summary>
    public required long StallDelays { get; init; }

    /// <summary>Chunks a simulated loss held back by the retransmission delay.</summary>
    public required long LossDelays { get; init; }

    /// <summary>Connections whose server could not be reached (the client was reset).</summary>
    public required long UpstreamFailures { get; init; }

    /// <summary>
    /// CPU time of the proxy's event-loop thread over the whole run (connecting, warm-up, measured
    /// window, drain) per message scheduled in it: the proxy's own cost, noisy on a shared machine.
    /// </summary>
    public double? CpuUsPerMessage { get; init; }
}
