using System.Diagnostics;
using Perf.Load;
using Perf.Load.Scheduling;

namespace Perf.Load.Tests.Scheduling;

public sealed class ArrivalScheduleTests
{
    [Fact]
    public void Constant_arrivals_are_evenly_spaced_from_the_start()
    {
        var schedule = new ArrivalSchedule(1_000, 100, ArrivalProcess.Constant, seed: 1);
        var gap = Stopwatch.Frequency / 100.0;

        var first = schedule.NextTicks();
        var second = schedule.NextTicks();
        var hundredth = first;
        for (var i = 2; i < 100; i++)
        {
            hundredth = schedule.NextTicks();
        }

        Assert.Equal(1_000 + (long)gap, first);
        Assert.Equal((long)gap, second - first);
        Assert.InRange(hundredth - first, (long)(98.9 * gap), (long)(99.1 * gap));
    }

    [Fact]
    public void Peek_does_not_consume()
    {
        var schedule = new ArrivalSchedule(0, 10, ArrivalProcess.Poisson, seed: 7);
        var peeked = schedule.PeekTicks;
        Assert.Equal(peeked, schedule.NextTicks());
        Assert.NotEqual(peeked, schedule.PeekTicks);
    }

    [Fact]
    public void Poisson_arrivals_keep_the_mean_rate_with_varying_gaps()
    {
        const int Count = 20_000;
        var schedule = new ArrivalSchedule(0, 1000, ArrivalProcess.Poisson, seed: 42);
        var previous = 0L;
        var distinctGaps = new HashSet<long>();
        long last = 0;
        for (var i = 0; i < Count; i++)
        {
            last = schedule.NextTicks();
            distinctGaps.Add(last - previous);
            previous = last;
        }

        var meanGapSeconds = last / (double)Stopwatch.Frequency / Count;
        Assert.InRange(meanGapSeconds, 0.00095, 0.00105);
        Assert.True(distinctGaps.Count > Count / 2, "Poisson gaps should vary");
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule()
    {
        var a = new ArrivalSchedule(0, 500, ArrivalProcess.Poisson, seed: 3);
        var b = new ArrivalSchedule(0, 500, ArrivalProcess.Poisson, seed: 3);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextTicks(), b.NextTicks());
        }
    }
}
