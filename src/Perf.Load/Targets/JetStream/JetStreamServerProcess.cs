using System.Diagnostics;
using System.Globalization;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Targets.Nats;

namespace Perf.Load.Targets.JetStream;

/// <summary>
/// A <c>nats-server -js</c> started for one load command on a free loopback port with its own
/// temporary store folder, optionally pinned to CPUs from birth: the durable store beside a relay
/// process (<c>perf load --store nats</c>) and the server of the <c>jetstream</c> floor target.
/// Disposing stops it and deletes the folder.
/// </summary>
public sealed class JetStreamServerProcess : IAsyncDisposable
{
    private readonly string _folder;

    private JetStreamServerProcess(TargetProcess process, int port, string folder)
    {
        Process = process;
        Port = port;
        _folder = folder;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public TargetProcess Process { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its URL, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts one pinned to <paramref name="cpus"/> (or unpinned when <c>null</c>) and waits until it accepts connections.</summary>
    /// <exception cref="LoadTargetException">nats-server is not installed or did not start; the message says how to fix it.</exception>
    public static async Task<JetStreamServerProcess> StartAsync(CpuSet? cpus, CancellationToken cancellationToken)
    {
        var binary = NatsServerProcess.FindBinary() ?? throw new LoadTargetException(
            $"nats-server is not installed: install it (Debian: apt-get install nats-server) or set {NatsServerProcess.EnvironmentVariable} to its path.");
        var port = NatsServerProcess.FreeLoopbackPort();
        var folder = Directory.CreateTempSubdirectory("perf-jetstream-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-js", "--addr", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--http_port", "0", "--store_dir", folder, "--no_advertise" },
        };
        try
        {
            var process = await TargetProcess.StartAsync(new TargetProcessStart(start, "nats-server", null, ct => NatsServerProcess.AcceptsAsync(port, ct), cpus, TimeSpan.FromSeconds(10)), cancellationToken).ConfigureAwait(false);
            return new JetStreamServerProcess(process, port, folder);
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
