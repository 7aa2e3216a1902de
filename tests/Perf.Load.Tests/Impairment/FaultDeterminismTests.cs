using System.Diagnostics;
using Perf.Load.Impairment;

namespace Perf.Load.Tests.Impairment;

/// <summary>A connection's faults are a function of the seed and its number: the same seed repeats them, another seed or connection changes them.</summary>
public sealed class FaultDeterminismTests
{
    private static readonly NetworkProfile Random = NetworkProfile.Parse("jitter=20ms,loss=5%,stall=1s@6/m,reset=1/m,slice=50b,slice-variation=40b,seed=42");

    [Fact]
    public void The_same_seed_and_connection_give_the_same_fault_sequence()
    {
        Assert.Equal(Sequence(Random, 3), Sequence(Random, 3));
        Assert.Equal(Sequence(NetworkProfile.Parse("flaky"), 0), Sequence(NetworkProfile.Parse("flaky"), 0));
    }

    [Fact]
    public void Another_seed_or_connection_gives_another_sequence()
    {
        Assert.NotEqual(Sequence(Random, 3), Sequence(Random with { Seed = 43 }, 3));
        Assert.NotEqual(Sequence(Random, 3), Sequence(Random, 4));
    }

    [Fact]
    public void Periodic_stalls_repeat_every_period_from_a_phase_the_seed_draws()
    {
        var plan = new StallPlan(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0);
        var second = Stopwatch.Frequency;
        var schedule = new StallSchedule(plan, 0, new FaultRandom(5, 0, FaultStream.Stall));

        var firstStart = FirstStalledTick(schedule, 11 * second);
        Assert.InRange(firstStart, 0, 10 * second);
        Assert.Equal(firstStart + second, schedule.OpenAt(firstStart));
        Assert.Equal(firstStart + second, schedule.OpenAt(firstStart + (second / 2)));
        Assert.Equal(firstStart + second + 1, schedule.OpenAt(firstStart + second + 1));
        Assert.Equal(firstStart + (11 * second), schedule.OpenAt(firstStart + (10 * second)));
    }

    [Fact]
    public void Random_stalls_keep_their_answers_after_earlier_ones_are_forgotten()
    {
        var plan = new StallPlan(TimeSpan.FromMilliseconds(500), null, 2);
        var second = Stopwatch.Frequency;
        var remembering = new StallSchedule(plan, 0, new FaultRandom(9, 1, FaultStream.Stall));
        var forgetting = new StallSchedule(plan, 0, new FaultRandom(9, 1, FaultStream.Stall));
        var stalled = 0;
        for (var t = 0L; t < 30 * second; t += second / 100)
        {
            forgetting.Forget(t);
            var open = remembering.OpenAt(t);
            Assert.Equal(open, forgetting.OpenAt(t));
            stalled += open != t ? 1 : 0;
        }

        // Half-second outages about twice a second: roughly half of the time is stalled.
        Assert.InRange(stalled, 600, 2400);
    }

    private static long FirstStalledTick(StallSchedule schedule, long until)
    {
        var step = Stopwatch.Frequency / 1000;
        for (var t = 0L; t < until; t += step)
        {
            if (schedule.OpenAt(t) != t)
            {
                // Back up to the outage's first tick within this millisecond step.
                var start = t;
                while (start > 0 && schedule.OpenAt(start - 1) != start - 1)
                {
                    start--;
                }

                return start;
            }
        }

        return -1;
    }

    // The reset time, where the first outages lie, and each direction's first jitter, loss and slice draws.
    private static List<long> Sequence(NetworkProfile profile, long connection)
    {
        var faults = new ConnectionFaults(profile, connection, originTicks: 0);
        var sequence = new List<long> { faults.ResetAtTicks };
        var step = Stopwatch.Frequency / 20;
        for (var t = 0L; t < 120 * Stopwatch.Frequency; t += step)
        {
            sequence.Add(faults.OpenAt(t));
        }

        for (var i = 0; i < 50; i++)
        {
            sequence.Add(faults.Up.NextSymmetric(20_000));
            sequence.Add(faults.Down.NextDouble() < 0.05 ? 1 : 0);
            sequence.Add((long)faults.Up.NextBits());
        }

        return sequence;
    }
}
