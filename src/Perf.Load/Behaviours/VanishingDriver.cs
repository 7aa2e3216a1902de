using System.Diagnostics;
using Perf.Load.Engine;
using Perf.Load.Idle;

namespace Perf.Load.Behaviours;

/// <summary>
/// Vanishing clients (<c>--vanishing PCT</c>): at each time its <see cref="ChurnSchedule"/> names,
/// one idle client stops sending (no keep-alive) and reading and never closes, as a phone whose
/// network went without a FIN. On loopback nothing else is needed: the relay sees only silence, and
/// its idle timeout must close the connection. Twice a second the driver looks at each vanished
/// client's TCP state (not its data); once the relay has closed it, the time it took is recorded and
/// the client comes back as the same identity, so the idle population stays the size it was.
/// </summary>
public sealed class VanishingDriver(IdleConnectionPool pool, ChurnSchedule schedule) : ILoadRunCompanion
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromMilliseconds(500);
    private readonly IdleConnectionPool _pool = pool ?? throw new ArgumentNullException(nameof(pool));
    private readonly ChurnSchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    private readonly Dictionary<int, long> _since = [];
    private readonly object _gate = new();
    private readonly List<Task> _returning = [];

    /// <summary>What has happened so far.</summary>
    public VanishingCounters Counters { get; } = new();

    /// <inheritdoc />
    public async Task RunAsync(LoadRunWindow window, CancellationToken stop)
    {
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watcher = WatchAsync(watch.Token);
        var start = Stopwatch.GetTimestamp();
        for (var minute = 0; !stop.IsCancellationRequested; minute++)
        {
            foreach (var next in _schedule.Minute(minute))
            {
                var wait = next.At - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero && !await ChurnDriver.DelayAsync(wait, stop).ConfigureAwait(false))
                {
                    break;
                }

                if (_pool.Vanish(next.Member))
                {
                    lock (_gate)
                    {
                        _since[next.Member] = Stopwatch.GetTimestamp();
                    }

                    Counters.Vanished();
                }
            }
        }

        await watch.CancelAsync().ConfigureAwait(false);
        await watcher.ConfigureAwait(false);
        Task[] returning;
        lock (_gate)
        {
            Counters.StillVanished(_since.Count);
            returning = [.. _returning];
        }

        await Task.WhenAll(returning).ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        var reclaimed = new List<int>();
        while (await ChurnDriver.DelayAsync(LookEvery, stop).ConfigureAwait(false))
        {
            reclaimed.Clear();
            lock (_gate)
            {
                foreach (var (client, since) in _since)
                {
                    if (_pool.IsClosedByTarget(client))
                    {
                        Counters.Reclaimed(Stopwatch.GetElapsedTime(since));
                        reclaimed.Add(client);
                    }
                }

                foreach (var client in reclaimed)
                {
                    _since.Remove(client);
                    _returning.Add(ReturnAsync(client));
                }
            }
        }
    }

    private async Task ReturnAsync(int client)
    {
        if (await _pool.ReopenAsync(client, TimeSpan.Zero, vanished: true, CancellationToken.None).ConfigureAwait(false) == IdleReopen.Reopened)
        {
            Counters.Returned();
        }
    }
}

/// <summary>What the vanishing clients did and met (thread-safe).</summary>
public sealed class VanishingCounters
{
    private readonly object _gate = new();
    private long _vanished;
    private long _reclaimed;
    private long _returned;
    private long _stillVanished;
    private TimeSpan? _minReclaim;
    private TimeSpan? _maxReclaim;

    /// <summary>Clients that vanished.</summary>
    public long VanishedCount => Interlocked.Read(ref _vanished);

    /// <summary>Of those, closed by the relay.</summary>
    public long ReclaimedCount => Interlocked.Read(ref _reclaimed);

    /// <summary>Of those, back as the same identity.</summary>
    public long ReturnedCount => Interlocked.Read(ref _returned);

    /// <summary>Vanished and not closed by the relay when the run ended.</summary>
    public long StillVanishedCount => Interlocked.Read(ref _stillVanished);

    /// <summary>The shortest time from vanishing to the relay's close.</summary>
    public TimeSpan? MinReclaim
    {
        get
        {
            lock (_gate)
            {
                return _minReclaim;
            }
        }
    }

    /// <summary>The longest.</summary>
    public TimeSpan? MaxReclaim
    {
        get
        {
            lock (_gate)
            {
                return _maxReclaim;
            }
        }
    }

    internal void Vanished() => Interlocked.Increment(ref _vanished);

    internal void Returned() => Interlocked.Increment(ref _returned);

    internal void StillVanished(long count) => Interlocked.Exchange(ref _stillVanished, count);

    internal void Reclaimed(TimeSpan after)
    {
        Interlocked.Increment(ref _reclaimed);
        lock (_gate)
        {
            _minReclaim = _minReclaim is { } min && min < after ? min : after;
            _maxReclaim = _maxReclaim is { } max && max > after ? max : after;
        }
    }
}
