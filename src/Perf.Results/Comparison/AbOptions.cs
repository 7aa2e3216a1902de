namespace Perf.Results.Comparison;

/// <summary>How an A/B gate decides and how long it may run. Thresholds and alpha are fractions (0.05 = 5 %).</summary>
public sealed record AbOptions
{
    /// <summary>Relative slowdown of a cost (time per operation, CPU per message) that fails the gate.</summary>
    public double Threshold { get; init; } = 0.05;

    /// <summary>Relative rise of a latency percentile that fails the gate.</summary>
    public double LatencyThreshold { get; init; } = 0.10;

    /// <summary>One minus the confidence of the ratio's interval (0.05: a 95 % interval).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// Rounds every row gets before a verdict, the first look: five pairs of opposite orders (with the
    /// default looks a sign-test interval at <see cref="FlagAlpha"/> exists from 9 rounds).
    /// </summary>
    public int MinRounds { get; init; } = 10;

    /// <summary>Rounds at most, whatever the budget; the last look.</summary>
    public int MaxRounds { get; init; } = 60;

    /// <summary>Seed of the per-round order (which side runs first).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The rounds after which rows are judged (the looks): <see cref="MinRounds"/>, then each about
    /// half as many again as the one before (rounded up to even, so each look has whole pairs of
    /// opposite orders), then <see cref="MaxRounds"/>; 10 to 60 gives 10, 16, 24, 36, 54, 60. A row
    /// decided at a look stops running; rows still unsure run on to the next look.
    /// </summary>
    public IReadOnlyList<int> DecisionRounds()
    {
        var rounds = new List<int> { MinRounds };
        while (true)
        {
            int next = (int)Math.Ceiling(rounds[^1] * 1.5);
            next += next % 2;
            if (next >= MaxRounds) break;
            rounds.Add(next);
        }

        if (MaxRounds > MinRounds) rounds.Add(MaxRounds);
        return rounds;
    }

    /// <summary>
    /// How many times a row can be judged: each of <see cref="DecisionRounds"/>, plus one where the
    /// budget stops the rounds between two of them (its rows are judged on what they have).
    /// </summary>
    public int Looks => DecisionRounds().Count + (MaxRounds > MinRounds ? 1 : 0);

    /// <summary>
    /// One minus the confidence of the interval that calls a row slower or faster: <see cref="Alpha"/>
    /// shared out over the <see cref="Looks"/> (Bonferroni), so an unchanged row judged at every look is
    /// called slower by chance with probability at most Alpha / 2 over all of them (a bound: the looks
    /// share their rounds and the estimate must also pass the threshold), not at each look. Judging a row
    /// at 95 % after every round let 4 of 50 A/A rows be called slower on the reference machine.
    /// </summary>
    public double FlagAlpha => Alpha / Looks;

    /// <summary>The threshold that applies to <paramref name="kind"/> (0 for exact metrics).</summary>
    public double ThresholdFor(AbMetricKind kind) => kind switch
    {
        AbMetricKind.Latency => LatencyThreshold,
        AbMetricKind.Exact => 0,
        _ => Threshold,
    };

    /// <summary>Checks every value is in range.</summary>
    /// <exception cref="BadInputException">When a value is out of range.</exception>
    public void Validate()
    {
        if (!(Threshold > 0 && Threshold < 1)) throw new BadInputException($"--threshold must be above 0% and below 100%, got {Percent.Format(Threshold)}");
        if (!(LatencyThreshold > 0 && LatencyThreshold < 1)) throw new BadInputException($"--latency-threshold must be above 0% and below 100%, got {Percent.Format(LatencyThreshold)}");
        if (!(Alpha > 0 && Alpha < 0.5)) throw new BadInputException($"--alpha must be above 0 and below 0.5, got {Alpha}");
        if (MinRounds < 2) throw new BadInputException($"--min-rounds must be at least 2, got {MinRounds}");
        if (MaxRounds < MinRounds) throw new BadInputException($"--max-rounds ({MaxRounds}) must be at least --min-rounds ({MinRounds})");
    }
}
