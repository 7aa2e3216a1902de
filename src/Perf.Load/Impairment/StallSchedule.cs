using System.Diagnostics;

namespace Perf.Load.Impairment;

/// <summary>
/// One connection's outages in Stopwatch time, from its <see cref="StallPlan"/> and its own random
/// stream: periodic ones from a phase drawn once, random ones drawn as they come into view (each
/// begins an exponential gap after the last ended). Queried for any time from now on; outages
/// that have ended are forgotten, so memory stays a few entries.
/// </summary>
internal sealed class StallSchedule
{
    private readonly long _length;
    private readonly long _every;
    private readonly double _perSecond;
    private readonly long _firstStart;
    private readonly FaultRandom _random;
    private readonly Queue<(long Start, long End)> _ahead = new();
    private long _lastEnd;

    /// <summary>The outages of a connection that opened at <paramref name="originTicks"/>.</summary>
    public StallSchedule(StallPlan plan, long originTicks, FaultRandom random)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _random = random;
        _length = Ticks(plan.Duration);
        _perSecond = plan.PerSecond;
        if (plan.Every is { } every)
        {
            _every = Ticks(every);
            _firstStart = originTicks + (long)(random.NextDouble() * _every);
        }
        else
        {
            _lastEnd = originTicks;
        }
    }

    /// <summary><paramref name="ticks"/> when the link is up then, else the end of the outage that holds it.</summary>
    public long OpenAt(long ticks)
    {
        if (_every > 0)
        {
            if (ticks < _firstStart)
            {
                return ticks;
            }

            var start = _firstStart + ((ticks - _firstStart) / _every * _every);
            return ticks < start + _length ? start + _length : ticks;
        }

        while (_ahead.Count == 0 || _lastEnd - _length <= ticks)
        {
            // Draw the next outage until one starts after the time asked about.
            var start = _lastEnd + (long)(_random.NextExponentialSeconds(_perSecond) * Stopwatch.Frequency);
            _lastEnd = start + _length;
            _ahead.Enqueue((start, _lastEnd));
        }

        foreach (var (start, end) in _ahead)
        {
            if (ticks < start)
            {
                return ticks;
            }

            if (ticks < end)
            {
                return end;
            }
        }

        return ticks;
    }

    /// <summary>Drops outages that ended by <paramref name="now"/>: no later question is about an earlier time.</summary>
    public void Forget(long now)
    {
        while (_ahead.Count > 1 && _ahead.Peek().End <= now)
        {
            _ahead.Dequeue();
        }
    }

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);
}
