using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Os;
using Perf.Load.Processes;

namespace Perf.Load.Targets.Nats;

/// <summary>
/// A real <c>nats-server</c> started as a child process on a loopback port, for the embedded
/// <c>nats</c> target and the tests. The binary is taken from <c>PERF_NATS_SERVER</c>, else
/// found on PATH or in /usr/sbin and /usr/local/bin (Debian's package installs /usr/sbin/nats-server).
/// </summary>
public sealed class NatsServerProcess : IAsyncDisposable
{
    /// <summary>Environment variable naming the nats-server binary.</summary>
    public const string EnvironmentVariable = "PERF_NATS_SERVER";

    private NatsServerProcess(TargetProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public TargetProcess Process { get; }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server's URL, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>The nats-server binary, or <c>null</c> when none is installed.</summary>
    public static string? FindBinary()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(dir, "nats-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts nats-server on a free loopback port and waits until it accepts connections.</summary>
    /// <exception cref="LoadTargetException">No nats-server is installed, or it did not start; the message says how to fix it.</exception>
    public static Task<NatsServerProcess> StartAsync(CancellationToken cancellationToken) => StartAsync(null, cancellationToken);

    /// <summary>Starts nats-server pinned to <paramref name="cpus"/> from birth (so Go sizes GOMAXPROCS for them, as under <c>taskset</c>), or unpinned when <c>null</c>.</summary>
    /// <exception cref="LoadTargetException">No nats-server is installed, or it did not start; the message says how to fix it.</exception>
    public static async Task<NatsServerProcess> StartAsync(CpuSet? cpus, CancellationToken cancellationToken)
    {
        var binary = FindBinary() ?? throw new LoadTargetException(
            $"nats-server is not installed: install it (Debian: apt-get install nats-server) or set {EnvironmentVariable} to its path.");
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--addr", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http_port", "0", "--no_advertise" },
        };
        var process = await TargetProcess.StartAsync(new TargetProcessStart(start, "nats-server", null, ct => AcceptsAsync(port, ct), cpus, TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
        return new NatsServerProcess(process, port);
    }

    /// <summary>Stops the server.</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>Whether a TCP connect to the loopback <paramref name="port"/> succeeds.</summary>
    internal static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A loopback port free right now.</summary>
    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
