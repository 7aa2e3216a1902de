using System.Diagnostics;

namespace Perf.Load.K6;

/// <summary>
/// The real <c>k6</c> executable, when one is installed: found on the <c>PATH</c> (or given), run
/// with the script's <c>-e</c> settings, its exit code read as k6 defines it.
/// </summary>
public static class K6Binary
{
    /// <summary>The first executable named <c>k6</c> in the directories of <paramref name="pathVariable"/>, or <c>null</c>.</summary>
    public static string? Find(string? pathVariable)
    {
        foreach (var directory in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "k6.exe" : "k6");
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs <c>k6 run</c> on <paramref name="script"/> with each setting as <c>-e NAME=VALUE</c>,
    /// copying its output line by line; returns k6's exit code.
    /// </summary>
    public static async Task<int> RunAsync(string k6, string script, IReadOnlyDictionary<string, string> settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var start = new ProcessStartInfo(k6)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(script))!,
        };
        start.ArgumentList.Add("run");
        foreach (var (name, value) in settings)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add($"{name}={value}");
        }

        start.ArgumentList.Add(Path.GetFullPath(script));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{k6} did not start");
        var copyOut = Copy(process.StandardOutput, output, cancellationToken);
        var copyErr = Copy(process.StandardError, error, cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await Task.WhenAll(copyOut, copyErr).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>What k6's exit code means (errext/exitcodes).</summary>
    public static string Meaning(int exitCode) => exitCode switch
    {
        0 => "every threshold passed",
        99 => "a threshold failed (its summary names which)",
        100 => "setup() timed out",
        101 => "teardown() timed out",
        104 => "invalid configuration (a threshold or option k6 cannot use)",
        105 => "aborted by a signal",
        107 => "the script threw an exception",
        108 => "the script aborted the test",
        110 => "the test was marked as failed",
        _ => "k6 failed",
    };

    private static async Task Copy(StreamReader from, TextWriter to, CancellationToken cancellationToken)
    {
        while (await from.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            await to.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
