using System.Collections.Concurrent;
using System.Diagnostics;
using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// A process the harness started (<c>perf relay</c>, <c>perf echo</c>, <c>nats-server</c>, ...):
/// started from a <see cref="ChildProcessStart"/>, optionally pinned to CPUs from birth, and
/// returned only once ready, so that its CPU time and memory are read apart from the generator's.
/// Disposing stops it gracefully (SIGTERM, then SIGKILL after <see cref="ChildProcessStart.StopTimeout"/>);
/// <see cref="KillAsync"/> is <c>kill -9</c>. Every kind of child builds on this class.
/// </summary>
public sealed class ChildProcess : IProcessResources, IAsyncDisposable
{
    private const int MaxErrorLines = 20;
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    // Children still running, killed when this process exits (SIGTERM, Ctrl+C, an unhandled
    // error) so that no relay or nats-server outlives the command that started it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors;
    private readonly TimeSpan _stopTimeout;
    private int _disposed;

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                KillNow(process);
            }
        };
    }

    private ChildProcess(Process process, ChildProcessStart start, string? readyLine, ConcurrentQueue<string> errors)
    {
        _process = process;
        _errors = errors;
        Name = start.Name;
        Cpus = start.Cpus;
        ReadyLine = readyLine;
        _stopTimeout = start.StopTimeout;
        RuntimeSettings = Processes.RuntimeSettings.Of(start.Command);
    }

    /// <summary>What runs: <c>perf relay</c>, <c>perf echo</c>, <c>nats-server</c>.</summary>
    public string Name { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The CPUs it was pinned to, or <c>null</c> when it may run anywhere.</summary>
    public CpuSet? Cpus { get; }

    /// <summary>The line it printed when ready, when it announces readiness on standard output.</summary>
    public string? ReadyLine { get; }

    /// <summary>The runtime settings it was started with (see <see cref="Processes.RuntimeSettings.Of"/>).</summary>
    public IReadOnlyList<string> RuntimeSettings { get; }

    /// <summary>Whether it is still running (a child that died mid-run says so instead of looking slow).</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>
    /// Starts <paramref name="start"/> and waits until it is ready: until it prints a line starting
    /// with <see cref="ChildProcessStart.ReadyLinePrefix"/>, or until <see cref="ChildProcessStart.ReadyProbe"/> says so.
    /// </summary>
    /// <exception cref="LoadTargetException">It did not start, exited, or was not ready in time; the message says why.</exception>
    public static async Task<ChildProcess> StartAsync(ChildProcessStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var info = start.Command;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = start.RedirectStandardInput;
        info.UseShellExecute = false;
        var ready = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        Process process;
        try
        {
            process = CpuAffinity.Start(info, start.Cpus);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            throw new LoadTargetException($"cannot start {start.Name} ({info.FileName}): {ex.Message}", ex);
        }

        process.EnableRaisingEvents = true;
        Running[process.Id] = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                start.OutputLine?.Invoke(e.Data);
            }

            if (start.ReadyLinePrefix is { } prefix && e.Data?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && errors.Count < MaxErrorLines)
            {
                errors.Enqueue(line);
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new LoadTargetException($"{start.Name} exited at start (code {SafeExitCode(process)}): {string.Join(" / ", errors)}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            ready.TrySetException(new LoadTargetException($"{start.Name} exited at start (code {SafeExitCode(process)})."));
        }

        try
        {
            var line = start.ReadyProbe is null
                ? await ready.Task.WaitAsync(start.Timeout, cancellationToken).ConfigureAwait(false)
                : await ProbeAsync(start, ready.Task, cancellationToken).ConfigureAwait(false);
            return new ChildProcess(process, start, line, errors);
        }
        catch (Exception ex) when (ex is TimeoutException or LoadTargetException or OperationCanceledException)
        {
            KillNow(process);
            throw ex as LoadTargetException ?? new LoadTargetException($"{start.Name} was not ready within {start.Timeout.TotalSeconds:0} s: {string.Join(" / ", errors)}", ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="start"/> to its end (a tool such as k6, or <c>perf</c> itself), passing
    /// each line it writes to <paramref name="output"/> and <paramref name="error"/>; returns its
    /// exit code. Cancelling kills it and anything it started.
    /// </summary>
    /// <exception cref="LoadTargetException">It could not be started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the run.</exception>
    public static async Task<int> RunToExitAsync(ProcessStartInfo start, Action<string>? output, Action<string>? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Pass(e.Data, output);
        process.ErrorDataReceived += (_, e) => Pass(e.Data, error);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new LoadTargetException($"cannot start {start.FileName}: {ex.Message}", ex);
        }

        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Returns once it has exited and both streams are read to their end.
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            SendKill(process);
            throw;
        }
        finally
        {
            Running.TryRemove(process.Id, out _);
        }

        return process.ExitCode;

        static void Pass(string? line, Action<string>? to)
        {
            if (line is not null)
            {
                to?.Invoke(line);
            }
        }
    }

    /// <summary>Writes one line to its standard input (started with <see cref="ChildProcessStart.RedirectStandardInput"/>).</summary>
    /// <exception cref="InvalidOperationException">Its input was not redirected.</exception>
    /// <exception cref="IOException">It has exited.</exception>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until it exits on its own (its output read to the end); returns its exit code.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait (it keeps running).</exception>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The lines it wrote to standard error (the first few), for a message about why it failed.</summary>
    public string Errors => string.Join(" / ", _errors);

    /// <inheritdoc />
    public ProcessResourceSample Sample()
    {
        _process.Refresh();
        return new ProcessResourceSample(_process.TotalProcessorTime, _process.WorkingSet64, Stopwatch.GetTimestamp(), ProcessResourceSample.ContextSwitchesOf(_process.Id));
    }

    /// <summary><c>kill -9</c> (and anything it started): no shutdown, no flush; returns once it is gone.</summary>
    public async Task KillAsync()
    {
        SendKill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(KillWait).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Gone and disposed already, or killed but not yet reaped: the kernel finishes it.
        }
    }

    /// <summary>Stops it: SIGTERM so it shuts down as on Ctrl+C, SIGKILL if it has not exited within <see cref="ChildProcessStart.StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (OperatingSystem.IsLinux() && IsRunning && LinuxNative.Terminate(_process.Id) == 0)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(_stopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // It did not stop: killed below.
            }
        }

        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static async Task<string?> ProbeAsync(ChildProcessStart start, Task<string?> exited, CancellationToken cancellationToken)
    {
        var ready = await Poll.UntilAsync(
            async ct =>
            {
                if (exited.IsFaulted)
                {
                    await exited.ConfigureAwait(false);
                }

                return await start.ReadyProbe!(ct).ConfigureAwait(false);
            },
            start.Timeout,
            Poll.ProcessInterval,
            cancellationToken).ConfigureAwait(false);
        return ready ? null : throw new TimeoutException($"{start.Name} did not become ready");
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    // For a child that failed to start, and at this process's exit: no time to wait for a graceful stop.
    private static void KillNow(Process process)
    {
        if (SendKill(process))
        {
            process.WaitForExit(KillWait);
        }

        process.Dispose();
    }

    // SIGKILL to the child and anything it started; false when it had exited already.
    private static bool SendKill(Process process)
    {
        try
        {
            Running.TryRemove(process.Id, out _);
            if (process.HasExited)
            {
                return false;
            }

            process.Kill(entireProcessTree: true);
            return true;
        }
        catch (InvalidOperationException)
        {
            // Gone between the check and the kill, or disposed already.
            return false;
        }
    }
}
