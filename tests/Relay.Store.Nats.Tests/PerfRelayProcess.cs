using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// <c>perf relay</c> as a child process (the perf.dll built beside these tests) with any extra
/// arguments, so a test can kill it with -9 and start it again.
/// </summary>
internal sealed class PerfRelayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PerfRelayProcess(Process process, IPEndPoint tcp, byte[] key, ConcurrentQueue<string> lines)
    {
        _process = process;
        TcpEndPoint = tcp;
        RelayKey = key;
        Lines = lines;
    }

    public IPEndPoint TcpEndPoint { get; }

    public byte[] RelayKey { get; }

    public ConcurrentQueue<string> Lines { get; }

    public static async Task<PerfRelayProcess> StartAsync(params string[] arguments)
    {
        var lines = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = StartInfo(["relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--ws-secret", "a-test-secret-of-enough-length", .. arguments]), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line.StartsWith("relay listening ", StringComparison.Ordinal))
                {
                    listening.TrySetResult(line);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("perf relay exited: " + string.Join(" / ", lines)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var line = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var fields = line["relay listening ".Length..].Split(' ').Select(f => f.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new PerfRelayProcess(process, IPEndPoint.Parse(fields["tcp"]), Convert.FromBase64String(fields["key"]), lines);
    }

    /// <summary>Runs <c>perf</c> to its end; returns the exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string StandardError)> RunAsync(params string[] arguments)
    {
        var start = StartInfo(arguments);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await error);
    }

    /// <summary>kill -9: no shutdown, no flush.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "perf.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
