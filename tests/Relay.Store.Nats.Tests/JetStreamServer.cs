using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its own temporary store folder; it
/// can be killed (-9) and started again on the same port and folder. Tests skip with a message
/// where nats-server is not installed.
/// </summary>
internal sealed class JetStreamServer : IAsyncDisposable
{
    private readonly string _binary;
    private Process? _process;

    private JetStreamServer(string binary, int port, string storeDir)
    {
        _binary = binary;
        Port = port;
        StoreDir = storeDir;
    }

    public int Port { get; }

    public string StoreDir { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static string? FindBinary()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PERF_NATS_SERVER");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, "nats-server"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts one, or skips the test where nats-server is missing.</summary>
    public static async Task<JetStreamServer> StartAsync()
    {
        var binary = FindBinary();
        Skip.If(binary is null, "nats-server is not installed (apt-get install nats-server, or set PERF_NATS_SERVER)");
        var dir = Directory.CreateTempSubdirectory("relay-js-").FullName;
        var server = new JetStreamServer(binary!, FreePort(), dir);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and store folder and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(_binary)
        {
            ArgumentList = { "-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", StoreDir, "--http_port", "0", "--no_advertise" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += static (_, _) => { };
        _process.OutputDataReceived += static (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Assert.False(_process.HasExited, $"nats-server exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        Assert.Fail("nats-server did not listen within 10 s");
    }

    /// <summary>kill -9.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(StoreDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held; the temp folder is cleaned by the OS.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
