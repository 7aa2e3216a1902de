namespace Perf.Results.Model;

/// <summary>
/// What the target used when it ran in its own process (<c>perf load --target-process</c>): the
/// inputs of the capacity model. Cores and CPU per message cover the measured window (for a
/// find-max run, the best passing step's).
/// </summary>
public sealed record TargetUsage
{
    /// <summary>What ran: <c>perf relay</c>, <c>perf echo</c> or <c>nats-server</c>.</summary>
    public required string Process { get; init; }

    /// <summary>The CPUs it was pinned to (<c>1</c>, <c>2-3</c>), when pinned.</summary>
    public string? Cpus { get; init; }

    /// <summary>CPU cores it used on average: CPU time over wall time.</summary>
    public required double CoresUsed { get; init; }

    /// <summary>Its CPU time per delivered message, µs: what a core's worth of messages is planned from.</summary>
    public double? CpuUsPerMessage { get; init; }

    /// <summary>Context switches of its threads per delivered message (Linux): the wake-ups behind a CPU cost that falls as the rate rises.</summary>
    public double? ContextSwitchesPerMessage { get; init; }

    /// <summary>Idle authenticated connections it actually held during the run (<c>--idle-connections</c>).</summary>
    public long? IdleConnections { get; init; }

    /// <summary>Resident-memory growth per idle connection, bytes, over the second half of them.</summary>
    public double? MemoryPerConnectionBytes { get; init; }

    /// <summary>
    /// Kernel memory per idle connection, bytes: the growth of TCP socket buffer pages
    /// (<c>/proc/net/sockstat</c> <c>mem</c>) and, where <c>/proc/slabinfo</c> is readable, of the
    /// socket slab caches, over the second half of the idle connections, per TCP socket opened (both
    /// ends of a loopback connection are on the machine; the target holds one of them).
    /// </summary>
    public double? KernelMemoryPerConnectionBytes { get; init; }

    /// <summary>Where <see cref="KernelMemoryPerConnectionBytes"/> was read: <c>sockstat</c> or <c>sockstat+slabinfo</c>.</summary>
    public string? KernelMemorySource { get; init; }

    /// <summary>Its resident memory at the end of the run, bytes (its idle connections included): what a node holds besides them.</summary>
    public long? ResidentBytes { get; init; }

    /// <summary>Its CPU time per keep-alive PING answered, µs: every held idle client PINGs once after the run.</summary>
    public double? CpuUsPerKeepAlive { get; init; }

    /// <summary>Runtime settings the target process was started with (environment variables), so the figures can be reproduced.</summary>
    public IReadOnlyList<string>? RuntimeSettings { get; init; }

    /// <summary>The reconnect storm measured after the run (<c>--reconnect-storm</c>).</summary>
    public ReconnectStorm? ReconnectStorm { get; init; }

    /// <summary>Messages held for offline recipients after the run (<c>--held-messages</c>) and what each cost this process.</summary>
    public HeldMessages? HeldMessages { get; init; }
}

/// <summary>Messages sent to recipients that never connected, held until the end of the run: what holding one costs.</summary>
public sealed record HeldMessages
{
    /// <summary>Messages held.</summary>
    public required long Messages { get; init; }

    /// <summary>The process's resident-memory growth per held message, bytes.</summary>
    public required double MemoryPerMessageBytes { get; init; }

    /// <summary>Stored bytes per held message on disk (JetStream's stream bytes over its messages, one replica), for a durable store.</summary>
    public double? DiskPerMessageBytes { get; init; }
}

/// <summary>The load generator's own process over the measured window: shows when the generator, not the target, is the limit.</summary>
public sealed record GeneratorUsage
{
    /// <summary>The CPUs it was pinned to, when pinned.</summary>
    public string? Cpus { get; init; }

    /// <summary>CPU cores it used on average.</summary>
    public required double CoresUsed { get; init; }

    /// <summary>Its CPU time per delivered message, µs (the E2E seal and open of both ends are the generator's).</summary>
    public double? CpuUsPerMessage { get; init; }

    /// <summary>Context switches of its threads per delivered message (Linux).</summary>
    public double? ContextSwitchesPerMessage { get; init; }

    /// <summary>Its own resident-memory growth per idle client it held, bytes (<c>--idle-connections</c>).</summary>
    public double? MemoryPerIdleConnectionBytes { get; init; }
}

/// <summary>Many clients dropping and reconnecting at once: how long until every one is authenticated again.</summary>
public sealed record ReconnectStorm
{
    /// <summary>Clients that dropped and reconnected.</summary>
    public required long Clients { get; init; }

    /// <summary>Most handshakes the clients kept in flight at once.</summary>
    public required int InFlight { get; init; }

    /// <summary>From the first reconnect to the last completed handshake, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Completed handshakes per second over that time.</summary>
    public required double HandshakesPerS { get; init; }

    /// <summary>Clients that could not reconnect (refused, timed out).</summary>
    public required long Failed { get; init; }

    /// <summary>The target's CPU time per completed handshake, µs.</summary>
    public double? CpuUsPerHandshake { get; init; }
}
