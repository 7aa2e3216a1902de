using System.Diagnostics;

namespace Relay.Server.Limits;

/// <summary>
/// A token bucket on <see cref="Stopwatch"/> time: it holds at most <c>burst</c> tokens, refills at
/// <c>rate</c> a second, and each thing it admits takes one. Not thread-safe: its owner reads it from
/// one thread (a connection's read loop) or under a lock (a source's state). A mutable struct, kept
/// in a field: copying it would copy its tokens.
/// </summary>
internal struct TokenBucket
{
    private readonly double _perTick;
    private readonly double _burst;
    private double _tokens;
    private long _updated;

    /// <summary>A full bucket of <paramref name="burst"/> tokens refilled at <paramref name="ratePerSecond"/>.</summary>
    public TokenBucket(double ratePerSecond, int burst, long now)
    {
        _perTick = ratePerSecond / Stopwatch.Frequency;
        _burst = burst;
        _tokens = burst;
        _updated = now;
    }

    /// <summary>Takes one token if there is one at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public bool TryTake(long now)
    {
        Refill(now);
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>Returns a token taken earlier (what it admitted turned out to cost nothing worth limiting).</summary>
    public void GiveBack() => _tokens = Math.Min(_burst, _tokens + 1);

    /// <summary>Whether the bucket is full at <paramref name="now"/>: its owner has used nothing it would remember.</summary>
    public bool IsFull(long now)
    {
        Refill(now);
        return _tokens >= _burst;
    }

    private void Refill(long now)
    {
        if (now > _updated)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _updated) * _perTick));
            _updated = now;
        }
    }
}
