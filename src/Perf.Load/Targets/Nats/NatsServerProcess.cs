using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

    private readonly Process _process;

    private NatsServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

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
    public static async Task<NatsServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        var binary = FindBinary() ?? throw new LoadTargetException(
            $"nats-server is not installed: install it (Debian: apt-get install nats-server) or set {EnvironmentVariable} to its path.");
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--addr", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http_port", "0", "--no_advertise" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new LoadTargetException($"could not start {binary}.");
        process.ErrorDataReceived += static (_, _) => { };
        process.OutputDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new NatsServerProcess(process, port);
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new LoadTargetException($"{binary} exited with code {process.ExitCode} at start (port {port}).");
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new LoadTargetException($"{binary} did not accept connections on 127.0.0.1:{port} within 5 s.");
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
