using System.Diagnostics;
using Perf.Load.Os;

namespace Perf.Load.Processes;

/// <summary>
/// How to start a child process and know it is ready: by a line it prints
/// (<see cref="ReadyLinePrefix"/>), or by a probe polled until it says so (<see cref="ReadyProbe"/>,
/// e.g. <see cref="LoopbackPort.AcceptsAsync"/>).
/// </summary>
/// <param name="Command">The program, its arguments and environment (output redirection is set by <see cref="ChildProcess.StartAsync"/>).</param>
/// <param name="Name">What it is, for messages and results: <c>perf relay</c>, <c>nats-server</c>.</param>
public sealed record ChildProcessStart(ProcessStartInfo Command, string Name)
{
    /// <summary>A standard-output line starting with this means ready (e.g. <c>relay listening </c>); <see cref="ChildProcess.ReadyLine"/> keeps it.</summary>
    public string? ReadyLinePrefix { get; init; }

    /// <summary>Or: polled until it returns true.</summary>
    public Func<CancellationToken, Task<bool>>? ReadyProbe { get; init; }

    /// <summary>The CPUs to pin it to from birth (so its runtime sizes itself for them, as under <c>taskset</c>), or <c>null</c>.</summary>
    public CpuSet? Cpus { get; init; }

    /// <summary>Gets every line it writes to standard output (the ready line too), on the reader's thread, or <c>null</c>.</summary>
    public Action<string>? OutputLine { get; init; }

    /// <summary>Opens its standard input for <see cref="ChildProcess.WriteLineAsync"/> (otherwise it inherits this process's).</summary>
    public bool RedirectStandardInput { get; init; }

    /// <summary>How long it may take to become ready.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long it may take to exit after SIGTERM before it is killed (see <see cref="ChildProcess.DisposeAsync"/>).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
