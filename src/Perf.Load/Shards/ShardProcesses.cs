using System.Diagnostics;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Targets;

namespace Perf.Load.Shards;

/// <summary>
/// <c>--generators K</c>'s processes: K <c>perf load --shard I/K --start-at stdin</c> children of
/// this build, each pinned to one CPU of the generator set in turn (all of them when there is
/// none). Each opens its connections (idle ones too) and says <see cref="ShardStart.ReadyLine"/>;
/// once every one has, all are given the same start a moment ahead, so all measure the same
/// window; then each runs to its end and names its result file (<c>result: PATH</c>).
/// </summary>
public sealed class ShardProcesses : IAsyncDisposable
{
    private const string ResultPrefix = "result: ";

    // Time from the start line being written to the schedule's start: every child reads its input at once.
    private static readonly TimeSpan StartMargin = TimeSpan.FromSeconds(1);
    private readonly ChildProcess[] _children;
    private readonly string?[] _results;

    private ShardProcesses(ChildProcess[] children, string?[] results)
    {
        _children = children;
        _results = results;
    }

    /// <summary>The children's processes (for their CPU time).</summary>
    public IReadOnlyList<ChildProcess> Children => _children;

    /// <summary>
    /// Starts <paramref name="count"/> shards and waits until every one is ready. Their output lines
    /// go to <paramref name="output"/> prefixed with their shard, except the per-second progress.
    /// </summary>
    /// <param name="count">How many shards.</param>
    /// <param name="command">The command of shard i: <c>perf load ... --shard i/count --start-at stdin</c>.</param>
    /// <param name="cpus">The generator CPUs to spread them over, or <c>null</c>.</param>
    /// <param name="readyTimeout">How long a shard may take to open its connections.</param>
    /// <param name="output">Where their lines go.</param>
    /// <param name="cancellationToken">Stops waiting (the started children are stopped).</param>
    /// <exception cref="LoadTargetException">A shard did not start or exited before it was ready.</exception>
    public static async Task<ShardProcesses> StartAsync(int count, Func<int, CpuSet?, ProcessStartInfo> command, CpuSet? cpus, TimeSpan readyTimeout, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);
        var results = new string?[count];
        var starting = new Task<ChildProcess>[count];
        for (var i = 0; i < count; i++)
        {
            var shard = i;
            var cpu = cpus is null ? null : CpuSet.Of(cpus.Cpus[i % cpus.Count]);
            starting[i] = ChildProcess.StartAsync(
                new ChildProcessStart(command(shard, cpu), $"perf load shard {shard}/{count}")
                {
                    ReadyLinePrefix = ShardStart.ReadyLine,
                    RedirectStandardInput = true,
                    Cpus = cpu,
                    Timeout = readyTimeout,
                    OutputLine = line => Relay(shard, line, results, output),
                },
                cancellationToken);
        }

        try
        {
            await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch
        {
            foreach (var started in starting)
            {
                if (started.IsCompletedSuccessfully)
                {
                    await started.Result.DisposeAsync().ConfigureAwait(false);
                }
            }

            throw;
        }

        var children = new ChildProcess[count];
        for (var i = 0; i < count; i++)
        {
            children[i] = starting[i].Result;
        }

        return new ShardProcesses(children, results);
    }

    /// <summary>Gives every shard the same start, <see cref="StartMargin"/> from now; returns it.</summary>
    public async Task<DateTimeOffset> StartAsync()
    {
        var start = DateTimeOffset.UtcNow + StartMargin;
        var line = ShardStart.StartLinePrefix + ShardStart.Format(start);
        foreach (var child in _children)
        {
            await child.WriteLineAsync(line).ConfigureAwait(false);
        }

        // The line carries milliseconds: the children start at the rounded time.
        return DateTimeOffset.FromUnixTimeMilliseconds(start.ToUnixTimeMilliseconds());
    }

    /// <summary>Waits for every shard to end; returns each one's result file.</summary>
    /// <exception cref="LoadTargetException">A shard failed or named no result; the message says which and why.</exception>
    public async Task<IReadOnlyList<string>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var paths = new string[_children.Length];
        for (var i = 0; i < _children.Length; i++)
        {
            int code;
            try
            {
                code = await _children[i].WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new LoadTargetException($"shard {i}/{_children.Length} did not end within {timeout.TotalSeconds:0} s of its start.");
            }

            paths[i] = code == 0 && Volatile.Read(ref _results[i]) is { } path
                ? path
                : throw new LoadTargetException($"shard {i}/{_children.Length} ended with exit code {code}{(Volatile.Read(ref _results[i]) is null ? " and no result" : "")}: {_children[i].Errors}");
        }

        return paths;
    }

    /// <summary>Stops any shard still running.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A shard's line: its result path is kept; the progress lines (one a second) are shard 0's only.
    private static void Relay(int shard, string line, string?[] results, TextWriter output)
    {
        if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
        {
            Volatile.Write(ref results[shard], line[ResultPrefix.Length..].Trim());
        }

        if (line.Length == 0 || (shard > 0 && line.StartsWith("elapsed=", StringComparison.Ordinal)))
        {
            return;
        }

        lock (output)
        {
            output.WriteLine($"[shard {shard}] {line}");
        }
    }
}
