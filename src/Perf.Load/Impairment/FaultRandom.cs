namespace Perf.Load.Impairment;

/// <summary>
/// One stream of a profile's random draws (SplitMix64: a counter through a bit mixer). Each
/// connection's stalls, resets and each direction's jitter and loss have their own stream, made
/// from the seed, the connection's number and the stream's purpose, so one direction's traffic
/// never shifts another's draws. Written here rather than taken from <see cref="Random"/>, whose
/// seeded sequence .NET does not promise to keep across versions: a recorded seed must repeat.
/// </summary>
internal sealed class FaultRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;

    /// <summary>The stream <paramref name="purpose"/> of connection <paramref name="connection"/> under <paramref name="seed"/>.</summary>
    public FaultRandom(long seed, long connection, FaultStream purpose)
    {
        _state = Mix(Mix((ulong)seed) ^ Mix(((ulong)connection * Golden) + (ulong)purpose));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-<paramref name="range"/>, <paramref name="range"/>] (whole units).</summary>
    public long NextSymmetric(long range) => range <= 0 ? 0 : (long)(NextBits() % (ulong)((2 * range) + 1)) - range;

    /// <summary>An exponential gap of mean 1/<paramref name="perSecond"/>, in seconds: the time to the next event of a Poisson process.</summary>
    public double NextExponentialSeconds(double perSecond) => -Math.Log(1 - NextDouble()) / perSecond;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>What a <see cref="FaultRandom"/> stream draws for.</summary>
internal enum FaultStream
{
    /// <summary>Jitter, loss and slice sizes of the client-to-server direction.</summary>
    Up = 1,

    /// <summary>Jitter, loss and slice sizes of the server-to-client direction.</summary>
    Down = 2,

    /// <summary>A connection's outages.</summary>
    Stall = 3,

    /// <summary>A connection's reset time.</summary>
    Reset = 4,
}
