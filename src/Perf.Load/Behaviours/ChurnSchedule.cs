namespace Perf.Load.Behaviours;

/// <summary>
/// Which members of a population act in each minute, and when: the share of the members, carried
/// from minute to minute so a fractional share adds up (10 % of 5 members is one every other
/// minute), drawn without repeats within a minute from a seeded shuffle, and spread evenly over
/// the minute so the relay sees a steady trickle of reconnects rather than a burst.
/// </summary>
public sealed class ChurnSchedule
{
    private readonly int _members;
    private readonly double _perMinute;
    private readonly TimeSpan _minute;
    private readonly int _seed;

    /// <summary>A schedule over <paramref name="members"/> members, <paramref name="percentPerMinute"/> of them each <paramref name="minute"/>.</summary>
    public ChurnSchedule(int members, double percentPerMinute, TimeSpan minute, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(members);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minute, TimeSpan.Zero);
        if (!double.IsFinite(percentPerMinute) || percentPerMinute is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentPerMinute), percentPerMinute, "a percentage, 0 to 100");
        }

        _members = members;
        _perMinute = members * percentPerMinute / 100;
        _minute = minute;
        _seed = seed;
    }

    /// <summary>The events of minute <paramref name="index"/> (from 0), in time order; times count from the start of minute 0.</summary>
    public IReadOnlyList<ChurnEvent> Minute(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var count = (int)(Math.Floor((index + 1) * _perMinute) - Math.Floor(index * _perMinute));
        if (count == 0)
        {
            return [];
        }

        // A partial Fisher-Yates shuffle: the first `count` of a seeded permutation.
        var random = new Random(HashCode.Combine(_seed, index));
        var order = new int[_members];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var events = new ChurnEvent[count];
        for (var j = 0; j < count; j++)
        {
            var pick = random.Next(j, order.Length);
            (order[j], order[pick]) = (order[pick], order[j]);
            events[j] = new ChurnEvent((_minute * index) + (_minute * ((j + 0.5) / count)), order[j]);
        }

        return events;
    }
}

/// <summary>One member acting at one time.</summary>
/// <param name="At">When, from the start of the measured window.</param>
/// <param name="Member">Which member.</param>
public readonly record struct ChurnEvent(TimeSpan At, int Member);
