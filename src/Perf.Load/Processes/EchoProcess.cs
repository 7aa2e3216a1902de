using System.Diagnostics;
using System.Net;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>The echo floor (<c>perf echo</c>) in its own process on a free loopback port, started for one load command.</summary>
public sealed class EchoProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "echo listening tcp=";

    private EchoProcess(ChildProcess process, IPEndPoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public ChildProcess Process { get; }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// Starts <c>perf echo</c> with <see cref="RuntimeSettings.DotNet"/> (the echo's own threads never
    /// use the pool; what little does, timers, should not cost a spinning core):
    /// <paramref name="perfCommand"/> is how to run <c>perf</c>; this adds the arguments and waits for its listening line.
    /// </summary>
    /// <exception cref="LoadTargetException">It did not start or did not print its listening line in time.</exception>
    public static async Task<EchoProcess> StartAsync(ProcessStartInfo perfCommand, CpuSet? cpus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        RuntimeSettings.AddDotNet(perfCommand);
        perfCommand.AddArguments(["echo", "--listen", "127.0.0.1:0"]);

        var process = await ChildProcess.StartAsync(new ChildProcessStart(perfCommand, "perf echo") { ReadyLinePrefix = ListeningPrefix, Cpus = cpus }, cancellationToken).ConfigureAwait(false);
        if (!IPEndPoint.TryParse(process.ReadyLine![ListeningPrefix.Length..].Trim(), out var endPoint))
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw new LoadTargetException($"perf echo printed an unexpected line: {process.ReadyLine}");
        }

        return new EchoProcess(process, endPoint);
    }

    /// <summary>Stops the echo process (SIGTERM, then SIGKILL).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
