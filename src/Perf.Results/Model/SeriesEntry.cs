namespace Perf.Results.Model;

/// <summary>
/// One interval (a minute by default) of a run's measured window, in the result's <c>series</c>
/// array: what was sent and delivered, the latency of that minute, and the target process's
/// memory, descriptors and garbage collector read at its end. Messages are counted in the entry
/// of their intended send time (a message delivered late, or to a client that was away, still
/// counts in the minute it was due); latency and rejections in the entry they arrived in.
/// </summary>
public sealed record SeriesEntry
{
    /// <summary>The entry's number, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>Where it starts, seconds from the opening of the measured window.</summary>
    public required double StartS { get; init; }

    /// <summary>Its length, seconds (the last entry's latency also holds the drain's arrivals).</summary>
    public required double Seconds { get; init; }

    /// <summary>Messages whose intended send time fell in it.</summary>
    public required long Sent { get; init; }

    /// <summary>Of those, how many were delivered (at any time before the end of the drain).</summary>
    public required long Delivered { get; init; }

    /// <summary>Refusals (REJECTED) that arrived in it.</summary>
    public required long Rejected { get; init; }

    /// <summary>Sent in it and neither delivered nor rejected by the end of the drain: <c>sent − delivered − rejected</c>, at least 0.</summary>
    public required long Lost { get; init; }

    /// <summary>End-to-end latencies recorded in it (messages delivered in it).</summary>
    public required long Count { get; init; }

    /// <summary>Median end-to-end latency of the messages delivered in it, µs (0 when none).</summary>
    public required double P50Us { get; init; }

    /// <summary>99th percentile, µs.</summary>
    public required double P99Us { get; init; }

    /// <summary>99.9th percentile, µs.</summary>
    public required double P999Us { get; init; }

    /// <summary>Largest, µs.</summary>
    public required double MaxUs { get; init; }

    /// <summary>The target process's resident set size at the entry's end, bytes (absent when it was not read).</summary>
    public long? RssBytes { get; init; }

    /// <summary>Its garbage-collected heap after the last collection (every generation, large and pinned objects), bytes (.NET targets).</summary>
    public long? GcHeapBytes { get; init; }

    /// <summary>Its open file descriptors (sockets included) at the entry's end.</summary>
    public long? Handles { get; init; }

    /// <summary>Gen-2 (full) collections during the entry (.NET targets).</summary>
    public long? Gen2Collections { get; init; }

    /// <summary>Time its threads were paused by the garbage collector during the entry, ms (.NET targets).</summary>
    public double? GcPauseMs { get; init; }

    /// <summary>Messages the relay held awaiting an ACK at the entry's end (its <c>relay.mailbox.depth</c>; relay targets).</summary>
    public long? MailboxDepth { get; init; }
}
