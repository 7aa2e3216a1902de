using System.Diagnostics;

namespace Perf.Load.Impairment;

/// <summary>
/// Everything random about one proxied connection, drawn from the profile's seed and the
/// connection's number (the order the proxy accepted it in, from 0): its outages, when it is
/// reset, and each direction's stream of jitter, loss and slice draws. The same seed and number
/// give the same faults at the same offsets from the connection's start.
/// </summary>
internal sealed class ConnectionFaults
{
    /// <summary>Draws connection <paramref name="connection"/>'s faults; times count from <paramref name="originTicks"/> (Stopwatch).</summary>
    public ConnectionFaults(NetworkProfile profile, long connection, long originTicks)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Up = new FaultRandom(profile.Seed, connection, FaultStream.Up);
        Down = new FaultRandom(profile.Seed, connection, FaultStream.Down);
        Stalls = profile.Stall is null ? null : new StallSchedule(profile.Stall, originTicks, new FaultRandom(profile.Seed, connection, FaultStream.Stall));
        ResetAtTicks = profile.ResetPerSecond > 0
            ? originTicks + (long)Math.Min(new FaultRandom(profile.Seed, connection, FaultStream.Reset).NextExponentialSeconds(profile.ResetPerSecond) * Stopwatch.Frequency, long.MaxValue / 4)
            : long.MaxValue;
    }

    /// <summary>The client-to-server direction's draws.</summary>
    public FaultRandom Up { get; }

    /// <summary>The server-to-client direction's draws.</summary>
    public FaultRandom Down { get; }

    /// <summary>The connection's outages, or <c>null</c>.</summary>
    public StallSchedule? Stalls { get; }

    /// <summary>When the profile's <c>reset</c> resets the connection (Stopwatch ticks), or <see cref="long.MaxValue"/>.</summary>
    public long ResetAtTicks { get; }

    /// <summary><paramref name="ticks"/>, or the end of the outage that holds it.</summary>
    public long OpenAt(long ticks) => Stalls?.OpenAt(ticks) ?? ticks;
}
