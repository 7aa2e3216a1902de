using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Results.Model;

namespace Perf.Load.Idle;

/// <summary>
/// Idle connections held to a target in its own process: how much resident memory each costs
/// the target (and the generator), and how fast the target takes a reconnect storm.
/// </summary>
public static class IdleConnections
{
    /// <summary>How long the processes settle before their memory is read.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>How long a keep-alive sweep waits for every answer.</summary>
    public static readonly TimeSpan KeepAliveAnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens <paramref name="count"/> clients in two halves and reads both processes' resident
    /// memory (and the kernel's socket memory, and a process beside the target, such as its
    /// store's nats-server) after each: the growth over the second half, per connection, is the
    /// marginal cost of a connection, free of first-use costs (pools, JIT, the first heap regions).
    /// </summary>
    /// <param name="pool">The pool to open them in (its capacity at least <paramref name="count"/>).</param>
    /// <param name="count">Clients to hold.</param>
    /// <param name="target">The target's process.</param>
    /// <param name="progress">Receives the number opened so far.</param>
    /// <param name="cancellationToken">Stops opening.</param>
    /// <param name="beside">A process whose memory also grows with the target's clients (its store), or null.</param>
    public static async Task<IdleMemory> OpenAsync(IdleConnectionPool pool, int count, IProcessResources target, IProgress<int>? progress, CancellationToken cancellationToken, IProcessResources? beside = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(target);
        var half = count / 2;
        var failed = await pool.OpenAsync(half, progress, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        var first = Readings.Take(target, beside);
        failed += await pool.OpenAsync(count, progress, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        var second = Readings.Take(target, beside);
        var secondHalf = Math.Max(1, count - half);
        double PerConnection(long before, long after) => Math.Max(0, after - before) / (double)secondHalf;
        return new IdleMemory(
            pool.CountOpen(),
            failed,
            PerConnection(first.Target.ResidentBytes, second.Target.ResidentBytes),
            PerConnection(first.Generator.ResidentBytes, second.Generator.ResidentBytes),
            first.Kernel is { } kernelBefore && second.Kernel is { } kernelAfter ? kernelAfter.BytesPerSocketSince(kernelBefore) : null,
            second.Kernel?.Source,
            first.Beside is { } besideBefore && second.Beside is { } besideAfter ? PerConnection(besideBefore.ResidentBytes, besideAfter.ResidentBytes) : null);
    }

    /// <summary>
    /// Every open client sends one keep-alive at once and the sweep waits for every answer; the
    /// target's CPU time over it, per answer, is its cost of a keep-alive. Null when the clients'
    /// protocol has no keep-alive, nothing was answered, or the sweep cost less than the CPU clock can see.
    /// </summary>
    public static async Task<double?> KeepAliveCostAsync(IdleConnectionPool pool, IProcessResources target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(target);
        var before = target.Sample();
        var answered = await pool.KeepAliveEveryoneAsync(KeepAliveAnswerTimeout, cancellationToken).ConfigureAwait(false);
        var after = target.Sample();

        // CPU time is read in clock ticks (10 ms): a sweep that cost less than one is not a measurement of 0.
        return answered > 0 && after.CpuTime > before.CpuTime ? ProcessUsage.Between(before, after, answered).CpuMicrosecondsPerMessage : null;
    }

    /// <summary>
    /// The first <paramref name="clients"/> held clients drop at once and reconnect at once; the
    /// target's CPU time over the reconnection gives its cost per handshake.
    /// </summary>
    public static async Task<ReconnectStorm> StormAsync(IdleConnectionPool pool, int clients, IProcessResources target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(target);
        var before = target.Sample();
        var (failed, elapsed) = await pool.ReconnectAsync(clients, cancellationToken).ConfigureAwait(false);
        var usage = ProcessUsage.Between(before, target.Sample(), clients - failed);
        var completed = clients - failed;
        return new ReconnectStorm
        {
            Clients = clients,
            InFlight = pool.InFlight,
            Seconds = elapsed.TotalSeconds,
            HandshakesPerS = elapsed <= TimeSpan.Zero ? 0 : completed / elapsed.TotalSeconds,
            Failed = failed,
            CpuUsPerHandshake = usage.CpuMicrosecondsPerMessage,
        };
    }
}

/// <summary>What holding idle connections cost.</summary>
/// <param name="Held">Connections still open after the second half settled.</param>
/// <param name="Failed">Openings that failed.</param>
/// <param name="TargetBytesPerConnection">The target's resident-memory growth per connection over the second half.</param>
/// <param name="GeneratorBytesPerConnection">The generator's, likewise.</param>
/// <param name="KernelBytesPerConnection">The kernel's socket memory growth per TCP socket opened over the second half (Linux), or null.</param>
/// <param name="KernelSource">Where the kernel's figure was read (<see cref="KernelSocketMemory.Source"/>).</param>
/// <param name="BesideBytesPerConnection">The resident-memory growth per connection of the process beside the target, when one was given.</param>
public sealed record IdleMemory(int Held, int Failed, double TargetBytesPerConnection, double GeneratorBytesPerConnection, double? KernelBytesPerConnection = null, string? KernelSource = null, double? BesideBytesPerConnection = null);

/// <summary>One reading of everything idle connections cost: the target, the generator, the kernel, a process beside the target.</summary>
internal readonly record struct Readings(ProcessResourceSample Target, ProcessResourceSample Generator, KernelSocketMemory? Kernel, ProcessResourceSample? Beside)
{
    public static Readings Take(IProcessResources target, IProcessResources? beside) =>
        new(target.Sample(), GeneratorResources.Instance.Sample(), KernelSocketMemory.Read(), beside?.Sample());
}
