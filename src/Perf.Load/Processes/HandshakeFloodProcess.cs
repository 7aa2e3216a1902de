using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Perf.Load.Hostile;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// The handshake flood of <c>perf load --handshake-flood</c> in a <c>perf flood</c> process of its
/// own, as a real attacker is another machine: pinned beside the generator (its CPUs; or where
/// <c>--handshake-flood-cpus</c> puts it) but under SCHED_IDLE (<c>chrt --idle 0</c>), so that it takes only the time the generator leaves idle and
/// the legitimate clients' latency is not the generator's lost CPU. SCHED_IDLE rather than nice 19:
/// at nice 19 the generator, waking for its next send, still waited behind the flood's slice (its
/// lag p99 under a 5,000/s flood ~3.0 ms, twice; ~1.3 ms under SCHED_IDLE, twice, interleaved on the
/// shared machine). What is left of the generator's lag is the kernel's own work for the flood's
/// connections on that CPU, which no scheduling class takes away; the result shows it. What it reached is in its result
/// (<see cref="HandshakeFloodResult.AchievedPerSecond"/>), with the CPU time it spent.
/// </summary>
public sealed class HandshakeFloodProcess : IAsyncDisposable
{
    /// <summary>The line <c>perf flood</c> prints once it floods.</summary>
    public const string ReadyLine = "flood running";

    /// <summary>The start of the line <c>perf flood</c> ends with: its counts as JSON.</summary>
    public const string ResultPrefix = "flood result ";

    /// <summary>How the flood is scheduled: only when nothing else on its CPUs wants to run.</summary>
    public const string Scheduling = "SCHED_IDLE";

    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<HandshakeFloodResult> _result;
    private HandshakeFloodResult? _stopped;

    private HandshakeFloodProcess(ChildProcess process, TaskCompletionSource<HandshakeFloodResult> result, CpuSet? cpus)
    {
        _process = process;
        _result = result;
        Cpus = cpus;
    }

    /// <summary>The CPUs it is pinned to (the generator's, or those asked), or <c>null</c>.</summary>
    public CpuSet? Cpus { get; }

    /// <summary>Where it runs, for the console and the result: <c>perf flood (pid 1234), CPUs 0, SCHED_IDLE</c>.</summary>
    public string Description => $"perf flood (pid {_process.ProcessId}){(Cpus is { } cpus ? $", CPUs {cpus}" : "")}, {Scheduling}";

    /// <summary>
    /// Starts the flood against <paramref name="options"/>' target and returns once it runs:
    /// <paramref name="perfCommand"/> is how to run <c>perf</c>; this wraps it in <c>chrt --idle 0</c> and adds the arguments.
    /// </summary>
    /// <exception cref="LoadTargetException">The process did not start or did not begin flooding.</exception>
    public static async Task<HandshakeFloodProcess> StartAsync(ProcessStartInfo perfCommand, HandshakeFloodOptions options, CpuSet? cpus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        ArgumentNullException.ThrowIfNull(options);
        var command = new ProcessStartInfo("chrt");
        command.AddArguments(["--idle", "0", perfCommand.FileName, .. perfCommand.ArgumentList,
            "flood", "--target", options.Target.ToString(), "--rate", options.RatePerSecond.ToString("R", CultureInfo.InvariantCulture), "--kind", options.Kinds.ToString().ToLowerInvariant()]);
        var result = new TaskCompletionSource<HandshakeFloodResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = await ChildProcess.StartAsync(
            new ChildProcessStart(command, "perf flood")
            {
                ReadyLinePrefix = ReadyLine,
                Cpus = cpus,
                RedirectStandardInput = true,
                OutputLine = line =>
                {
                    if (ReadResult(line) is { } counts)
                    {
                        result.TrySetResult(counts);
                    }
                },
            },
            cancellationToken).ConfigureAwait(false);
        return new HandshakeFloodProcess(process, result, cpus);
    }

    /// <summary>Tells it to stop and returns its counts (once; later calls return the same).</summary>
    /// <exception cref="LoadTargetException">It exited without its counts.</exception>
    public async Task<HandshakeFloodResult> StopAsync()
    {
        if (_stopped is not null)
        {
            return _stopped;
        }

        try
        {
            await _process.WriteLineAsync("stop").ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Exited already: its counts came or they did not, below.
        }

        try
        {
            _stopped = await _result.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new LoadTargetException($"perf flood did not report its counts: {_process.Errors}", ex);
        }

        return _stopped;
    }

    /// <summary>Stops the process.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>The counts in a <see cref="ResultPrefix"/> line, or <c>null</c> when it is not one.</summary>
    public static HandshakeFloodResult? ReadResult(string line) =>
        line.StartsWith(ResultPrefix, StringComparison.Ordinal) ? JsonSerializer.Deserialize<HandshakeFloodResult>(line.AsSpan(ResultPrefix.Length)) : null;
}
