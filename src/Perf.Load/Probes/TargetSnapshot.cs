namespace Perf.Load.Probes;

/// <summary>One reading of a target process at a series boundary; a field the probe could not read is <c>null</c>.</summary>
/// <param name="ResidentBytes">Resident set size, bytes.</param>
/// <param name="Handles">Open file descriptors (sockets included).</param>
/// <param name="GcHeapBytes">The garbage-collected heap after the last collection, bytes (.NET).</param>
/// <param name="Gen2Collections">Gen-2 collections since the process started (.NET).</param>
/// <param name="GcPauseSeconds">Time paused by the garbage collector since the process started, seconds (.NET).</param>
/// <param name="MailboxDepth">Messages the relay holds awaiting an ACK (relay targets).</param>
public sealed record TargetSnapshot(long? ResidentBytes, long? Handles, long? GcHeapBytes, long? Gen2Collections, double? GcPauseSeconds, long? MailboxDepth)
{
    /// <summary>A reading with nothing in it (the probe failed).</summary>
    public static TargetSnapshot Empty { get; } = new(null, null, null, null, null, null);
}

/// <summary>
/// Reads a target's memory, descriptors and garbage collector once per series entry, without
/// disturbing it more than a scrape: from <c>/proc</c> and, for a .NET target, from the runtime's
/// own <c>System.Runtime</c> meter (the relay serves it at <c>/metrics</c>).
/// </summary>
public interface ITargetProbe
{
    /// <summary>Reads the target now; what cannot be read is left <c>null</c>, never an exception for a target that went away.</summary>
    Task<TargetSnapshot> ReadAsync(CancellationToken cancellationToken);
}
