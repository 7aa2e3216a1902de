using System.Diagnostics;
using Perf.Benchmarks.Infrastructure;

namespace Perf.Benchmarks.Tests;

/// <summary>The thread-CPU clock counts the thread's work and not its waiting, in nanoseconds.</summary>
public sealed class ThreadCpuClockTests
{
    [SkippableFact]
    public void Sleeping_adds_almost_nothing_and_spinning_adds_what_it_spins()
    {
        var clock = ThreadCpuClock.Instance;
        Skip.IfNot(clock.IsAvailable, "CLOCK_THREAD_CPUTIME_ID is Linux-only");
        Assert.Equal(1_000_000_000, clock.Frequency.Hertz);

        var beforeSleep = clock.GetTimestamp();
        Thread.Sleep(300);
        var slept = clock.GetTimestamp() - beforeSleep;

        var beforeSpin = clock.GetTimestamp();
        var wall = Stopwatch.StartNew();
        while (clock.GetTimestamp() - beforeSpin < 50_000_000 && wall.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.SpinWait(1000);
        }

        var spun = clock.GetTimestamp() - beforeSpin;
        Assert.InRange(slept, 0, 100_000_000);
        Assert.InRange(spun, 50_000_000, 20_000_000_000);
    }
}
