using System.Diagnostics;
using System.Globalization;
using Perf.Load.Targets;
using Perf.Load.Os;

namespace Perf.Load.Processes;

/// <summary>
/// A <c>nats-server -js</c> started for one load command on a free loopback port with its own
/// temporary store folder, pinned to CPUs from birth when asked (a one-node
/// <see cref="NatsCluster"/> cannot be pinned): the durable store beside a relay process
/// (<c>perf load --store nats</c>) and the server of the <c>jetstream</c> floor target. Disposing
/// stops it and deletes the folder.
/// </summary>
public sealed class JetStreamServerProcess : IAsyncDisposable
{
    private readonly string _folder;

    private JetStreamServerProcess(ChildProcess process, int port, string folder)
    {
        Process = process;
        Port = port;
        _folder = folder;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public ChildProcess Process { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its URL, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts one pinned to <paramref name="cpus"/> (or unpinned when <c>null</c>) and waits until it accepts connections.</summary>
    /// <exception cref="LoadTargetException">nats-server is not installed or did not start; the message says how to fix it.</exception>
    public static async Task<JetStreamServerProcess> StartAsync(CpuSet? cpus, CancellationToken cancellationToken)
    {
        var binary = NatsServerBinary.Require();
        var port = LoopbackPort.Free();
        var folder = Directory.CreateTempSubdirectory("perf-jetstream-").FullName;
        var start = new ChildProcessStart(new ProcessStartInfo(binary).AddArguments(new NatsServerArguments(port) { StoreDirectory = folder }.ToList()), "nats-server")
        {
            ReadyProbe = ct => LoopbackPort.AcceptsAsync(port, ct),
            Cpus = cpus,
            Timeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            return new JetStreamServerProcess(await ChildProcess.StartAsync(start, cancellationToken).ConfigureAwait(false), port, folder);
        }
        catch
        {
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>Stops the server and deletes its store folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        DeleteFolder(_folder);
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held; the temporary folder is the system's to clean.
        }
    }
}
