using System.Diagnostics;

namespace Perf.Cli.Bench;

/// <summary>
/// Runs a tool to completion (git, dotnet build, a benchmark or load process), handing each line
/// it prints to a callback; cancelling kills the whole process tree, so an interrupted gate
/// leaves no benchmark running.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Starts <paramref name="start"/> with its output redirected, waits for it, and returns its exit code.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">When the program cannot be started.</exception>
    public static async Task<int> RunAsync(ProcessStartInfo start, Action<string> onOutput, Action<string> onError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var pump = Task.WhenAll(Pump(child.StandardOutput, onOutput), Pump(child.StandardError, onError));
        try
        {
            await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        await pump.ConfigureAwait(false);
        return child.ExitCode;
    }

    /// <summary>Runs and collects standard output; standard error goes to <paramref name="onError"/>.</summary>
    public static async Task<(int ExitCode, string Output)> CaptureAsync(ProcessStartInfo start, Action<string> onError, CancellationToken cancellationToken)
    {
        var output = new System.Text.StringBuilder();
        int code = await RunAsync(start, line => output.AppendLine(line), onError, cancellationToken).ConfigureAwait(false);
        return (code, output.ToString());
    }

    private static async Task Pump(StreamReader from, Action<string> to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            to(line);
        }
    }
}
