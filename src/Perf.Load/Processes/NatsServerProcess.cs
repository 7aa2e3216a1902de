using System.Diagnostics;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// A real <c>nats-server</c> (core NATS, no JetStream) started as a child process on a free
/// loopback port, for the embedded <c>nats</c> target and the tests. A JetStream server, alone
/// or clustered, is a <see cref="NatsCluster"/>.
/// </summary>
public sealed class NatsServerProcess : IAsyncDisposable
{
    private NatsServerProcess(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public ChildProcess Process { get; }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server's URL, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Starts nats-server on a free loopback port and waits until it accepts connections.</summary>
    /// <exception cref="LoadTargetException">No nats-server is installed, or it did not start; the message says how to fix it.</exception>
    public static Task<NatsServerProcess> StartAsync(CancellationToken cancellationToken) => StartAsync(null, cancellationToken);

    /// <summary>Starts nats-server pinned to <paramref name="cpus"/> from birth (so Go sizes GOMAXPROCS for them, as under <c>taskset</c>), or unpinned when <c>null</c>.</summary>
    /// <exception cref="LoadTargetException">No nats-server is installed, or it did not start; the message says how to fix it.</exception>
    public static async Task<NatsServerProcess> StartAsync(CpuSet? cpus, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(NatsServerBinary.Require()).AddArguments(new NatsServerArguments(port).ToList());
        var process = await ChildProcess.StartAsync(
            new ChildProcessStart(start, "nats-server") { ReadyProbe = ct => LoopbackPort.AcceptsAsync(port, ct), Cpus = cpus, Timeout = TimeSpan.FromSeconds(5) },
            cancellationToken).ConfigureAwait(false);
        return new NatsServerProcess(process, port);
    }

    /// <summary>Stops the server (SIGTERM, then SIGKILL).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
