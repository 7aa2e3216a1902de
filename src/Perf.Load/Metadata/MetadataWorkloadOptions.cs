namespace Perf.Load.Metadata;

/// <summary>The shape of the metadata workload.</summary>
public sealed record MetadataWorkloadOptions
{
    /// <summary>Users on the ring (each talks with its two neighbours).</summary>
    public int Users { get; init; } = 64;

    /// <summary>Total messages per second, replies and delivery receipts included.</summary>
    public double Rate { get; init; } = 400;

    /// <summary>Measured time.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time before measuring (sent and logged, not timed).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Plaintext sizes.</summary>
    public MessageSizeDistribution Sizes { get; init; } = MessageSizeDistribution.Chat;

    /// <summary>Chance that a delivered text is answered by another text (every text also gets a receipt at once).</summary>
    public double ReplyProbability { get; init; } = 0.3;

    /// <summary>Mean think time before an answer (exponential).</summary>
    public TimeSpan MeanReplyDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The timing defence of the <c>+receipt-delay</c> modes: each delivery receipt waits a uniformly
    /// random time up to this before it is sent (the other modes send receipts at once). Zero: no
    /// such modes.
    /// </summary>
    public TimeSpan ReceiptDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The timing defence of the <c>sealed+fresh-connections</c> mode: a user's sealed sends move to
    /// a new anonymous connection after this many (Signal's proposed "ephemeral identities"). Zero:
    /// no such mode.
    /// </summary>
    public int FreshConnectionEvery { get; init; } = 10;

    /// <summary>
    /// The timing defence of the <c>sealed+cover</c> mode: cover messages per second across all
    /// users (Poisson; a random user to a random contact, a text-sized plaintext the recipient opens
    /// and drops, answered by nothing). Zero: no such mode.
    /// </summary>
    public double CoverRate { get; init; } = 100;

    /// <summary>Seed of the conversation starts and sizes.</summary>
    public int Seed { get; init; } = 14;

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A value out of range; the message names it.</exception>
    public void Validate()
    {
        if (Users is < 2 or > 1000)
        {
            throw new ArgumentException($"users must be 2 to 1000; got {Users}");
        }

        if (Rate is <= 0 or > 100_000 || double.IsNaN(Rate))
        {
            throw new ArgumentException($"the rate must be above 0 and at most 100000 messages per second; got {Rate}");
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(1) || Warmup < TimeSpan.Zero || Warmup > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("the duration must be above 0 and at most 1 h, the warm-up 0 to 10 min");
        }

        if (ReceiptDelay < TimeSpan.Zero || ReceiptDelay > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"the receipt delay must be 0 to 1 min; got {ReceiptDelay}");
        }

        if (FreshConnectionEvery is < 0 or > 1_000_000)
        {
            throw new ArgumentException($"fresh connections every 0 to 1000000 messages; got {FreshConnectionEvery}");
        }

        if (CoverRate is < 0 or > 100_000 || double.IsNaN(CoverRate))
        {
            throw new ArgumentException($"the cover rate must be 0 to 100000 messages per second; got {CoverRate}");
        }

        if (ReplyProbability is < 0 or >= 1 || double.IsNaN(ReplyProbability))
        {
            throw new ArgumentException($"the reply probability must be at least 0 and below 1; got {ReplyProbability}");
        }
    }
}
