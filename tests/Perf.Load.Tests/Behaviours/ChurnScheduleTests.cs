using Perf.Load.Behaviours;

namespace Perf.Load.Tests.Behaviours;

/// <summary>Who churns when: the share per minute adds up, nobody twice in a minute, spread over the minute, the same for the same seed.</summary>
public sealed class ChurnScheduleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Ten_percent_of_a_hundred_is_ten_distinct_clients_spread_over_each_minute()
    {
        var schedule = new ChurnSchedule(100, 10, Minute, seed: 1);

        for (var m = 0; m < 5; m++)
        {
            var events = schedule.Minute(m);
            Assert.Equal(10, events.Count);
            Assert.Equal(10, events.Select(e => e.Member).Distinct().Count());
            Assert.All(events, e => Assert.InRange(e.Member, 0, 99));
            Assert.All(events, e => Assert.InRange(e.At, Minute * m, Minute * (m + 1)));
            Assert.Equal(events.OrderBy(e => e.At), events); // in time order
            Assert.Equal(TimeSpan.FromSeconds(6), events[1].At - events[0].At); // evenly spaced
        }
    }

    [Fact]
    public void A_fractional_share_carries_over_from_minute_to_minute()
    {
        // 10 % of 5 clients: one every other minute.
        var schedule = new ChurnSchedule(5, 10, Minute, seed: 1);

        Assert.Equal([0, 1, 0, 1, 0, 1], Enumerable.Range(0, 6).Select(m => schedule.Minute(m).Count));
    }

    [Fact]
    public void The_same_seed_gives_the_same_clients_and_another_seed_others()
    {
        var members = new ChurnSchedule(1000, 5, Minute, seed: 7).Minute(3).Select(e => e.Member).ToList();

        Assert.Equal(members, new ChurnSchedule(1000, 5, Minute, seed: 7).Minute(3).Select(e => e.Member));
        Assert.NotEqual(members, new ChurnSchedule(1000, 5, Minute, seed: 8).Minute(3).Select(e => e.Member));
    }

    [Fact]
    public void Everyone_at_a_hundred_percent_and_nobody_at_zero()
    {
        Assert.Equal(Enumerable.Range(0, 7), new ChurnSchedule(7, 100, Minute, 1).Minute(0).Select(e => e.Member).Order());
        Assert.Empty(new ChurnSchedule(7, 0, Minute, 1).Minute(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChurnSchedule(7, 101, Minute, 1));
    }
}
