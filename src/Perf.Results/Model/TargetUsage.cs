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

    /// <summary>Runtime settings the target process was started with (environment variables), so the figures can be reproduced.</summary>
    public IReadOnlyList<string>? RuntimeSettings { get; init; }

    /// <summary>The reconnect storm measured after the run (<c>--reconnect-storm</c>).</summary>
    public ReconnectStorm? ReconnectStorm { get; init; }
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
