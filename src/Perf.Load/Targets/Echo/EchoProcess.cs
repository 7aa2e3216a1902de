using System.Diagnostics;
using System.Net;
using Perf.Load.Os;
using Perf.Load.Processes;

namespace Perf.Load.Targets.Echo;

/// <summary>The echo floor (<c>perf echo</c>) in its own process on a free loopback port, started for one load command.</summary>
public sealed class EchoProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "echo listening tcp=";

    /// <summary>
    /// Runtime settings the echo process starts with unless this process's environment sets them:
    /// thread-pool workers do not spin waiting for work (the echo's own threads never use the
    /// pool; what little does — timers — should not cost a spinning core), and tiered compilation
    /// off, so no recompilation on a background thread competes with the echo thread mid-run.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RuntimeSettings { get; } = new Dictionary<string, string>
    {
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        ["DOTNET_TieredCompilation"] = "0",
    };

    private EchoProcess(TargetProcess process, IPEndPoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public TargetProcess Process { get; }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts <c>perf echo</c>: <paramref name="perfCommand"/> is how to run <c>perf</c>; this adds the arguments and waits for its listening line.</summary>
    /// <exception cref="LoadTargetException">It did not start or did not print its listening line in time.</exception>
    public static async Task<EchoProcess> StartAsync(ProcessStartInfo perfCommand, CpuSet? cpus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        TargetProcess.AddRuntimeSettings(perfCommand, RuntimeSettings);
        perfCommand.ArgumentList.Add("echo");
        perfCommand.ArgumentList.Add("--listen");
        perfCommand.ArgumentList.Add("127.0.0.1:0");
        var process = await TargetProcess.StartAsync(new TargetProcessStart(perfCommand, "perf echo", ListeningPrefix, null, cpus, TimeSpan.FromSeconds(30)), cancellationToken).ConfigureAwait(false);
        if (!IPEndPoint.TryParse(process.ReadyLine![ListeningPrefix.Length..].Trim(), out var endPoint))
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw new LoadTargetException($"perf echo printed an unexpected line: {process.ReadyLine}");
        }

        return new EchoProcess(process, endPoint);
    }

    /// <summary>Stops the echo process.</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
