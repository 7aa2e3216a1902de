namespace Perf.Load.Behaviours;

/// <summary>
/// How the generator's clients behave beside sending, each off by default: a share of them
/// disconnect and reconnect as the same identity every minute (churn), a share of the recipients
/// read at a set byte rate (slow consumers), and a share of the idle clients go silent without
/// closing every minute (vanishing). Which clients, and when, follows from <see cref="Seed"/>, so a
/// run repeats.
/// </summary>
public sealed record ClientBehaviours
{
    /// <summary>The byte rate slow consumers read at when none is given: 4 KiB/s (32 kbit/s, a weak 2G link).</summary>
    public const double DefaultSlowConsumerBytesPerSecond = 4096;

    /// <summary>Nothing but sending.</summary>
    public static ClientBehaviours None { get; } = new();

    /// <summary>Percent of the clients (measured connections and idle clients) that close and reconnect each <see cref="Minute"/> (<c>--churn</c>).</summary>
    public double ChurnPercentPerMinute { get; init; }

    /// <summary>How long a churned client stays away before reconnecting (<c>--churn-away</c>); messages to it wait in its mailbox meanwhile.</summary>
    public TimeSpan ChurnAway { get; init; }

    /// <summary>Percent of the receiving connections that read slowly (<c>--slow-consumers</c>).</summary>
    public double SlowConsumerPercent { get; init; }

    /// <summary>The byte rate a slow consumer reads its socket at (<c>--slow-consumer-rate</c>).</summary>
    public double SlowConsumerBytesPerSecond { get; init; } = DefaultSlowConsumerBytesPerSecond;

    /// <summary>
    /// How long, at most, the slow consumers read at full speed after the measured window to take
    /// what the relay held for them (<c>--slow-consumer-drain</c>): a message delivered then was held,
    /// not lost; one still missing after it counts as lost. Zero: no catch-up (their backlog counts as lost).
    /// </summary>
    public TimeSpan SlowConsumerDrain { get; init; } = DefaultSlowConsumerDrain;

    /// <summary>The default bound on the slow consumers' catch-up: 2 minutes (5 × 10,000 held messages over the mobile profile take about 20 s).</summary>
    public static TimeSpan DefaultSlowConsumerDrain => TimeSpan.FromMinutes(2); // a property: None, above, is built before any static field below it

    /// <summary>Percent of the idle clients that vanish each <see cref="Minute"/> (<c>--vanishing</c>).</summary>
    public double VanishingPercentPerMinute { get; init; }

    /// <summary>The period the per-minute shares apply to: a minute, shorter only in tests.</summary>
    public TimeSpan Minute { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Seeds which clients churn, vanish and read slowly.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Whether any behaviour is on.</summary>
    public bool Any => ChurnPercentPerMinute > 0 || SlowConsumerPercent > 0 || VanishingPercentPerMinute > 0;

    /// <summary>The problem with these values, naming the flag, or <c>null</c>.</summary>
    public string? Validate() =>
        !IsPercent(ChurnPercentPerMinute) ? $"--churn takes a percentage of the clients per minute, 0 to 100; got {ChurnPercentPerMinute}."
        : ChurnAway < TimeSpan.Zero || ChurnAway > TimeSpan.FromHours(1) ? $"--churn-away must be 0 to 1h; got {ChurnAway}."
        : !IsPercent(SlowConsumerPercent) ? $"--slow-consumers takes a percentage of the receiving connections, 0 to 100; got {SlowConsumerPercent}."
        : !double.IsFinite(SlowConsumerBytesPerSecond) || SlowConsumerBytesPerSecond < 64 ? $"--slow-consumer-rate must be at least 64 bytes a second; got {SlowConsumerBytesPerSecond}."
        : SlowConsumerDrain < TimeSpan.Zero || SlowConsumerDrain > TimeSpan.FromHours(1) ? $"--slow-consumer-drain must be 0 to 1h; got {SlowConsumerDrain}."
        : !IsPercent(VanishingPercentPerMinute) ? $"--vanishing takes a percentage of the idle clients per minute, 0 to 100; got {VanishingPercentPerMinute}."
        : Minute < TimeSpan.FromMilliseconds(100) ? $"the behaviours' minute must be at least 100 ms; got {Minute}."
        : null;

    /// <summary>How many of <paramref name="connections"/> receiving connections read slowly: the share rounded, at least one when the share is above 0.</summary>
    public int SlowConsumerCount(int connections) =>
        SlowConsumerPercent <= 0 ? 0 : Math.Clamp((int)Math.Round(connections * SlowConsumerPercent / 100, MidpointRounding.AwayFromZero), 1, connections);

    /// <summary>Whether receiving connection <paramref name="connection"/> of <paramref name="connections"/> reads slowly: the slow ones are spread evenly over the numbers.</summary>
    public bool IsSlowConsumer(int connection, int connections)
    {
        var slow = SlowConsumerCount(connections);
        if (slow == 0)
        {
            return false;
        }

        // The slow ones are k * connections / slow (rounded down) for k = 0 .. slow - 1; these are
        // distinct, so connection i is one exactly when the smallest k reaching it lands on it.
        var k = (((long)connection * slow) + connections - 1) / connections;
        return k < slow && k * connections / slow == connection;
    }

    private static bool IsPercent(double value) => double.IsFinite(value) && value is >= 0 and <= 100;
}
