using System.Collections.Concurrent;
using System.Diagnostics;
using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// A target running in its own process (<c>perf relay</c>, <c>perf echo</c>, <c>nats-server</c>),
/// started for one load command, optionally pinned to CPUs from birth, so that its CPU time and
/// memory are read apart from the generator's. Disposing stops it.
/// </summary>
public sealed class TargetProcess : IProcessResources, IAsyncDisposable
{
    // Children still running, stopped when this process exits (SIGTERM, Ctrl+C, an unhandled
    // error) so that no relay or nats-server outlives the command that started it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors;

    private TargetProcess(Process process, TargetProcessStart start, string? readyLine, ConcurrentQueue<string> errors)
    {
        _process = process;
        Name = start.Name;
        Cpus = start.Cpus;
        ReadyLine = readyLine;
        _errors = errors;
        RuntimeSettings = RuntimeSettingsOf(start.Command);
    }

    /// <summary>What runs: <c>perf relay</c>, <c>perf echo</c>, <c>nats-server</c>.</summary>
    public string Name { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The CPUs it was pinned to, or <c>null</c> when it may run anywhere.</summary>
    public CpuSet? Cpus { get; }

    /// <summary>The line it printed when ready, when it announces readiness on standard output.</summary>
    public string? ReadyLine { get; }

    /// <summary>The runtime settings it was started with: its <c>DOTNET_*</c>, <c>COMPlus_*</c> and <c>GO*</c> environment variables.</summary>
    public IReadOnlyList<string> RuntimeSettings { get; }

    /// <summary>
    /// Starts <paramref name="start"/> and waits until it is ready: until it prints a line starting
    /// with <see cref="TargetProcessStart.ReadyPrefix"/>, or until <see cref="TargetProcessStart.Probe"/> says so.
    /// </summary>
    /// <exception cref="LoadTargetException">It did not start, exited, or was not ready in time; the message says why.</exception>
    public static async Task<TargetProcess> StartAsync(TargetProcessStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var info = start.Command;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
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
            if (start.ReadyPrefix is { } prefix && e.Data?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && errors.Count < 20)
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
            var line = start.Probe is null
                ? await ready.Task.WaitAsync(start.Timeout, cancellationToken).ConfigureAwait(false)
                : await ProbeAsync(start, process, ready.Task, cancellationToken).ConfigureAwait(false);
            return new TargetProcess(process, start, line, errors);
        }
        catch (Exception ex) when (ex is TimeoutException or LoadTargetException or OperationCanceledException)
        {
            Stop(process);
            throw ex as LoadTargetException ?? new LoadTargetException($"{start.Name} was not ready within {start.Timeout.TotalSeconds:0} s: {string.Join(" / ", errors)}", ex);
        }
    }

    /// <summary>Sets each of <paramref name="settings"/> in the child's environment unless this process's environment sets it (the user's choice wins).</summary>
    public static void AddRuntimeSettings(ProcessStartInfo start, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (name, value) in settings)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                start.Environment[name] = value;
            }
        }
    }

    /// <inheritdoc />
    public ProcessResourceSample Sample()
    {
        _process.Refresh();
        return new ProcessResourceSample(_process.TotalProcessorTime, _process.WorkingSet64, Stopwatch.GetTimestamp(), ProcessResourceSample.ContextSwitchesOf(_process.Id));
    }

    /// <summary>Whether it is still running (a target that died mid-run says so instead of looking slow).</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>What it wrote to standard error (the first lines), for error messages.</summary>
    public string Errors => string.Join(" / ", _errors);

    /// <summary>Stops the process (and anything it started).</summary>
    public ValueTask DisposeAsync()
    {
        Stop(_process);
        return ValueTask.CompletedTask;
    }

    private static async Task<string?> ProbeAsync(TargetProcessStart start, Process process, Task<string?> exited, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(start.Timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (exited.IsFaulted)
            {
                await exited.ConfigureAwait(false);
            }

            if (await start.Probe!(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{start.Name} (process {process.Id}) did not become ready");
    }

    // What the child's runtime reads: DOTNET_* and COMPlus_* knobs (not the SDK's CLI settings) and Go's GO* variables.
    private static List<string> RuntimeSettingsOf(ProcessStartInfo start)
    {
        var settings = new List<string>();
        foreach (var (name, value) in start.Environment)
        {
            var runtime = (name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("COMPlus_", StringComparison.Ordinal) || name.StartsWith("GO", StringComparison.Ordinal))
                && !name.StartsWith("DOTNET_CLI_", StringComparison.Ordinal)
                && name is not ("DOTNET_ROOT" or "DOTNET_NOLOGO" or "DOTNET_GENERATE_ASPNET_CERTIFICATE" or "DOTNET_SKIP_FIRST_TIME_EXPERIENCE");
            if (runtime && value is not null)
            {
                settings.Add($"{name}={value}");
            }
        }

        settings.Sort(StringComparer.Ordinal);
        return settings;
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

    static TargetProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                Stop(process);
            }
        };
    }

    private static void Stop(Process process)
    {
        try
        {
            Running.TryRemove(process.Id, out _);
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        process.Dispose();
    }
}

/// <summary>How to start a target process and know it is ready.</summary>
/// <param name="Command">The program and its arguments (output redirection is set by the starter).</param>
/// <param name="Name">What it is, for messages: <c>perf relay</c>, <c>nats-server</c>.</param>
/// <param name="ReadyPrefix">A standard-output line starting with this means ready (e.g. <c>relay listening </c>).</param>
/// <param name="Probe">Or: polled until it returns true (e.g. a TCP connect succeeds).</param>
/// <param name="Cpus">The CPUs to pin it to from birth, or <c>null</c>.</param>
/// <param name="Timeout">How long it may take to become ready.</param>
public sealed record TargetProcessStart(ProcessStartInfo Command, string Name, string? ReadyPrefix, Func<CancellationToken, Task<bool>>? Probe, CpuSet? Cpus, TimeSpan Timeout);
