using System.Diagnostics;
using Perf.Load.Engine;

namespace Perf.Load.Behaviours;

/// <summary>
/// Churn (<c>--churn PCT</c>) of one population: at each time its <see cref="ChurnSchedule"/>
/// names, one member leaves (closes its connection) and comes back as the same identity after the
/// away time. Runs as a companion of the run from the opening of the measured window; when the
/// schedule ends it starts no more and waits for those under way.
/// </summary>
public sealed class ChurnDriver : ILoadRunCompanion
{
    private readonly IChurnPopulation _population;
    private readonly ChurnSchedule _schedule;
    private readonly TimeSpan _away;

    /// <summary>Churns <paramref name="population"/> on <paramref name="schedule"/>, each member away for <paramref name="away"/>.</summary>
    public ChurnDriver(IChurnPopulation population, ChurnSchedule schedule, TimeSpan away)
    {
        _population = population ?? throw new ArgumentNullException(nameof(population));
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _away = away;
        Counters = new ChurnCounters(population.Count);
    }

    /// <summary>What the churn did so far.</summary>
    public ChurnCounters Counters { get; }

    /// <inheritdoc />
    public async Task RunAsync(LoadRunWindow window, CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        var underWay = new List<Task>();
        for (var minute = 0; !stop.IsCancellationRequested; minute++)
        {
            underWay.RemoveAll(t => t.IsCompleted);
            foreach (var next in _schedule.Minute(minute))
            {
                var wait = next.At - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero && !await DelayAsync(wait, stop).ConfigureAwait(false))
                {
                    break;
                }

                underWay.Add(ChurnOneAsync(next.Member, stop));
            }
        }

        await Task.WhenAll(underWay).ConfigureAwait(false);
    }

    private async Task ChurnOneAsync(int member, CancellationToken stop) =>
        Counters.Count(await _population.ChurnAsync(member, _away, stop).ConfigureAwait(false));

    // False when stopped.
    internal static async Task<bool> DelayAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Clients that can leave and come back as the same identity.</summary>
public interface IChurnPopulation
{
    /// <summary>How many clients.</summary>
    int Count { get; }

    /// <summary>
    /// Member <paramref name="member"/> closes its connection gracefully, stays away
    /// <paramref name="away"/>, and reconnects as the same identity. <paramref name="stop"/> before
    /// it left skips it; once it left it always tries to come back.
    /// </summary>
    Task<ChurnOutcome> ChurnAsync(int member, TimeSpan away, CancellationToken stop);
}

/// <summary>How one churn went.</summary>
public enum ChurnOutcome
{
    /// <summary>Left and authenticated again as the same identity.</summary>
    Reconnected,

    /// <summary>Left and could not reconnect.</summary>
    Failed,

    /// <summary>Did not leave: already away, or the run ended first.</summary>
    Skipped,
}

/// <summary>A population's churn so far (thread-safe).</summary>
public sealed class ChurnCounters(long clients)
{
    private long _reconnected;
    private long _failed;
    private long _skipped;

    /// <summary>Clients in the population.</summary>
    public long Clients { get; } = clients;

    /// <summary>Reconnects completed.</summary>
    public long Reconnected => Volatile.Read(ref _reconnected);

    /// <summary>Reconnects that failed.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Churns that did not happen (the member was away, or the run ended first).</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Counts one outcome.</summary>
    public void Count(ChurnOutcome outcome)
    {
        if (outcome == ChurnOutcome.Reconnected)
        {
            Interlocked.Increment(ref _reconnected);
        }
        else if (outcome == ChurnOutcome.Failed)
        {
            Interlocked.Increment(ref _failed);
        }
        else
        {
            Interlocked.Increment(ref _skipped);
        }
    }
}
