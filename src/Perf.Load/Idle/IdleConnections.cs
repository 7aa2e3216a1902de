using Perf.Load.Engine;
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

    /// <summary>
    /// Opens <paramref name="count"/> clients in two halves and reads both processes' resident
    /// memory after each: the growth over the second half, per connection, is the marginal cost of
    /// a connection, free of first-use costs (pools, JIT, the first heap regions).
    /// </summary>
    /// <param name="pool">The pool to open them in (its capacity at least <paramref name="count"/>).</param>
    /// <param name="count">Clients to hold.</param>
    /// <param name="target">The target's process.</param>
    /// <param name="progress">Receives the number opened so far.</param>
    /// <param name="cancellationToken">Stops opening.</param>
    public static async Task<IdleMemory> OpenAsync(IdleConnectionPool pool, int count, IProcessResources target, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(target);
        var half = count / 2;
        var failed = await pool.OpenAsync(half, progress, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        var (targetFirst, generatorFirst) = (target.Sample(), GeneratorResources.Instance.Sample());
        failed += await pool.OpenAsync(count, progress, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
        var (targetSecond, generatorSecond) = (target.Sample(), GeneratorResources.Instance.Sample());
        var secondHalf = Math.Max(1, count - half);
        return new IdleMemory(
            pool.CountOpen(),
            failed,
            Math.Max(0, targetSecond.ResidentBytes - targetFirst.ResidentBytes) / (double)secondHalf,
            Math.Max(0, generatorSecond.ResidentBytes - generatorFirst.ResidentBytes) / (double)secondHalf);
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
public sealed record IdleMemory(int Held, int Failed, double TargetBytesPerConnection, double GeneratorBytesPerConnection);
