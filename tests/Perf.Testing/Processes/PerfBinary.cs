using Perf.Load.Processes;

namespace Perf.Testing.Processes;

/// <summary>
/// The <c>perf</c> built beside the tests (<c>perf.dll</c> in the test's output folder, there when the
/// test project references Perf.Cli), started through the harness's own process layer.
/// </summary>
public static class PerfBinary
{
    /// <summary>Where perf.dll is expected.</summary>
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "perf.dll");

    /// <summary>Starts <c>perf relay</c> (fresh ports and WebSocket secret) with <paramref name="arguments"/> and waits for its listening line; skips the test where perf.dll is missing.</summary>
    public static Task<RelayProcess> StartRelayAsync(params string[] arguments)
    {
        SkipIfMissing();
        return RelayProcess.StartAsync(PerfCommand.StartInfo(Path), "aesgcm", "auto", null, CancellationToken.None, arguments);
    }

    /// <summary>Runs <c>perf</c> with <paramref name="arguments"/> to its end (at most 60 s); returns the exit code and what it wrote to standard error.</summary>
    public static async Task<(int ExitCode, string StandardError)> RunAsync(params string[] arguments)
    {
        SkipIfMissing();
        var error = new System.Text.StringBuilder();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await ChildProcess.RunToExitAsync(PerfCommand.StartInfo(Path, arguments), null, line => error.AppendLine(line), patience.Token);
        return (exitCode, error.ToString());
    }

    private static void SkipIfMissing() => Skip.If(!File.Exists(Path), $"perf.dll is not beside the tests ({Path})");
}
