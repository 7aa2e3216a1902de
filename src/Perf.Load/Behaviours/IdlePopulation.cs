using Perf.Load.Idle;

namespace Perf.Load.Behaviours;

/// <summary>The idle clients held beside a run (<c>--idle-connections</c>) as a churn population: each reconnect is a full handshake at the relay.</summary>
public sealed class IdlePopulation(IdleConnectionPool pool, int clients) : IChurnPopulation
{
    private readonly IdleConnectionPool _pool = pool ?? throw new ArgumentNullException(nameof(pool));

    /// <inheritdoc />
    public int Count { get; } = clients;

    /// <inheritdoc />
    public async Task<ChurnOutcome> ChurnAsync(int member, TimeSpan away, CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            return ChurnOutcome.Skipped;
        }

        // Once it has left it comes back whatever the run does (the pool's own timeout bounds it);
        // a vanished client is gone until the relay reclaims it.
        return await _pool.ReopenAsync(member, away, vanished: false, CancellationToken.None).ConfigureAwait(false) switch
        {
            IdleReopen.Reopened => ChurnOutcome.Reconnected,
            IdleReopen.Failed => ChurnOutcome.Failed,
            _ => ChurnOutcome.Skipped,
        };
    }
}
