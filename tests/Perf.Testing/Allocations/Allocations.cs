namespace Perf.Testing.Allocations;

/// <summary>
/// Exact allocation counts of a hot path on the calling thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>, which other threads' allocations and
/// collections do not move), immune to what runs beside the tests. What the tests guard against
/// is an allocation per call, which shows in every round of calls; the runtime can allocate on a
/// thread once, at a moment of its own choosing (a CI run saw 4,840 bytes in one round of the
/// router's test, a loaded fresh-clone run 40 bytes in one round of a libsodium open, neither
/// reproducible), so a call counts as allocation-free when any of up to <see cref="MaxRounds"/>
/// rounds is clean, and a failure lists every round.
/// </summary>
public static class Allocations
{
    /// <summary>Rounds measured at most; measuring stops at the first clean round.</summary>
    public const int MaxRounds = 5;

    /// <summary>Warms <paramref name="call"/> up, then measures rounds of <paramref name="calls"/> calls: the bytes each round allocated, up to the first clean one.</summary>
    public static long[] PerRound(Action call, int calls = 1000, int warmUpCalls = 200)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var i = 0; i < warmUpCalls; i++)
        {
            call();
        }

        var rounds = new long[MaxRounds];
        for (var round = 0; round < MaxRounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < calls; i++)
            {
                call();
            }

            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (rounds[round] == 0)
            {
                return rounds[..(round + 1)];
            }
        }

        return rounds;
    }

    /// <summary>Asserts that <paramref name="call"/> allocates nothing per call.</summary>
    public static void AssertNone(Action call, int calls = 1000, int warmUpCalls = 200)
    {
        var rounds = PerRound(call, calls, warmUpCalls);
        Assert.True(rounds[^1] == 0, $"bytes allocated per round of {calls} calls: {string.Join(", ", rounds)}");
    }
}
