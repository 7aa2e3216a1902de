using Perf.Results.Comparison;

namespace Perf.Results.Tests.Comparison;

public sealed class AdaptiveRoundsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SyntheticClock clock = new(Start);

    [Fact]
    public async Task Clear_rows_are_decided_after_the_minimum_rounds_and_the_gate_stops()
    {
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 1).Row("Unchanged", 1.0).Row("Slowed", 1.30).Row("Sped", 0.70);
        var options = new AbOptions { Seed = 5 };

        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddHours(1), suite.RunAsync, null, default);

        Assert.Equal(AbStopReason.Decided, outcome.StopReason);
        Assert.Equal(10, outcome.Rounds.Count);
        var verdicts = outcome.Entries(options).ToDictionary(e => e.Name, e => e.Verdict);
        Assert.Equal(Verdict.Same, verdicts["Unchanged"]);
        Assert.Equal(Verdict.Slower, verdicts["Slowed"]);
        Assert.Equal(Verdict.Faster, verdicts["Sped"]);
        Assert.InRange(outcome.Entries(options).Single(e => e.Name == "Slowed").Ratio!.Value, 1.27, 1.33);
    }

    [Fact]
    public async Task After_the_minimum_only_the_unsure_rows_run_again()
    {
        // A true 3 % slowdown with 3 % noise against a 5 % threshold takes many rounds to settle; 1.0 and 1.5 with 0.5 % do not.
        var suite = new SyntheticRounds(clock, noise: 0.005, seed: 2).Row("Clear", 1.0).Row("Borderline", 1.03, rowNoise: 0.03).Row("Obvious", 1.5);
        var options = new AbOptions { MaxRounds = 16, Seed = 1 };

        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddHours(1), suite.RunAsync, null, default);

        Assert.All(suite.Requests.Take(10), r => Assert.Null(r.Only));
        Assert.True(suite.Requests.Count > 10, "the borderline row should have needed more rounds");
        Assert.All(suite.Requests.Skip(10), r => Assert.Equal(["Borderline"], r.Only!));
        var rounds = outcome.Rows.ToDictionary(r => r.Name, r => r.Rounds);
        Assert.Equal(10, rounds["Clear"]);
        Assert.Equal(10, rounds["Obvious"]);
        Assert.Equal(suite.Requests.Count, rounds["Borderline"]);
    }

    [Fact]
    public async Task No_round_starts_that_would_end_after_the_budget()
    {
        // 4 benchmarks × 10 s = 40 s a round; the threshold itself as the true ratio never settles.
        var suite = new SyntheticRounds(clock, noise: 0.03, seed: 3).Row("A", 1.05).Row("B", 1.05).Row("C", 1.05).Row("D", 1.05);
        var deadline = Start.AddSeconds(450);

        var outcome = await new AdaptiveRounds(new AbOptions { MaxRounds = 50, Seed = 2 }, clock).RunAsync(deadline, suite.RunAsync, null, default);

        Assert.Equal(AbStopReason.Budget, outcome.StopReason);
        Assert.True(clock.GetUtcNow() <= deadline, $"ended at {clock.GetUtcNow():T}, after the deadline");
        Assert.True(clock.GetUtcNow() + TimeSpan.FromSeconds(10 * outcome.Rounds[^1].Names) > deadline, "stopped although another round fitted");
        Assert.Contains(outcome.Entries(new AbOptions()), e => e.Verdict == Verdict.Unsure);
    }

    [Fact]
    public async Task The_first_round_runs_even_past_the_budget_and_no_other_does()
    {
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 4).Row("A", 1.0);

        var outcome = await new AdaptiveRounds(new AbOptions(), clock).RunAsync(Start, suite.RunAsync, null, default);

        Assert.Single(outcome.Rounds);
        Assert.Equal(AbStopReason.Budget, outcome.StopReason);
        Assert.All(outcome.Entries(new AbOptions()), e => Assert.Equal(Verdict.Unsure, e.Verdict));
    }

    [Fact]
    public async Task Max_rounds_caps_an_undecidable_row()
    {
        var suite = new SyntheticRounds(clock, noise: 0.05, seed: 5).Row("Borderline", 1.05);

        var outcome = await new AdaptiveRounds(new AbOptions { MinRounds = 2, MaxRounds = 4 }, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        Assert.Equal(AbStopReason.MaxRounds, outcome.StopReason);
        Assert.Equal(4, outcome.Rounds.Count);
    }

    [Fact]
    public async Task Rows_are_judged_only_at_the_looks_so_the_names_run_change_only_after_them()
    {
        // Rows whose noise settles them at different rounds; between two looks the same names run.
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 10);
        for (int i = 0; i < 12; i++) suite.Row($"Row{i}", 1.0 + (0.01 * i), rowNoise: 0.01 + (0.01 * i));
        var options = new AbOptions { MinRounds = 4, MaxRounds = 20, Seed = 3 };
        var looks = options.DecisionRounds();

        await new AdaptiveRounds(options, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        Assert.Equal([4, 6, 10, 16, 20], looks);
        var changedAfter = new List<int>();
        for (int i = 1; i < suite.Requests.Count; i++)
        {
            var before = suite.Requests[i - 1].Only ?? ["*"];
            var now = suite.Requests[i].Only ?? ["*"];
            if (!before.SequenceEqual(now)) changedAfter.Add(suite.Requests[i - 1].Round);
        }

        Assert.NotEmpty(changedAfter);
        Assert.All(changedAfter, round => Assert.Contains(round, looks));
        Assert.True(changedAfter.Count >= 2, $"the set of names changed only after round(s) {string.Join(", ", changedAfter)}");
    }

    [Theory]
    [InlineData(10, 60, new[] { 10, 16, 24, 36, 54, 60 }, 7)]
    [InlineData(6, 30, new[] { 6, 10, 16, 24, 30 }, 6)]
    [InlineData(8, 12, new[] { 8, 12 }, 3)]
    [InlineData(6, 6, new[] { 6 }, 1)]
    public void The_looks_grow_by_half_in_even_steps_and_share_out_alpha(int minRounds, int maxRounds, int[] looks, int count)
    {
        var options = new AbOptions { MinRounds = minRounds, MaxRounds = maxRounds };

        Assert.Equal(looks, options.DecisionRounds());
        // One look more than the schedule where the budget can stop the rounds between two of them.
        Assert.Equal(count, options.Looks);
        Assert.Equal(0.05 / count, options.FlagAlpha, 12);
    }

    [Fact]
    public async Task Each_pair_of_rounds_runs_both_orders_so_drift_cancels()
    {
        var suite = new SyntheticRounds(clock, noise: 0.05, seed: 8).Row("Borderline", 1.05);

        var outcome = await new AdaptiveRounds(new AbOptions { MaxRounds = 21, Seed = 9 }, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        var orders = outcome.Rounds.Select(r => r.HeadFirst).ToList();
        for (int i = 0; i + 1 < orders.Count; i += 2)
        {
            Assert.NotEqual(orders[i], orders[i + 1]);
        }
    }

    [Fact]
    public async Task The_order_within_a_round_is_random_both_ways_and_repeats_with_its_seed()
    {
        async Task<bool[]> Orders(int seed)
        {
            var suite = new SyntheticRounds(new SyntheticClock(Start), noise: 0.05, seed: 6).Row("Borderline", 1.05);
            var outcome = await new AdaptiveRounds(new AbOptions { MaxRounds = 20, Seed = seed }, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);
            return [.. outcome.Rounds.Select(r => r.HeadFirst)];
        }

        var first = await Orders(42);

        Assert.Equal(first, await Orders(42));
        Assert.Contains(true, first);
        Assert.Contains(false, first);
        Assert.NotEqual(first, await Orders(43));
    }

    [Fact]
    public async Task Forty_bytes_more_in_every_round_is_slower_by_exactly_that()
    {
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 7).Row("Allocates", 1.0, allocated: 40);
        var options = new AbOptions();

        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddHours(1), suite.RunAsync, null, default);

        var allocated = outcome.Entries(options).Single(e => e.Metric == "allocated");
        Assert.Equal(Verdict.Slower, allocated.Verdict);
        Assert.Equal(40, allocated.Current);
        Assert.Equal("+40 B/op or more in every round", allocated.Note);
    }

    [Theory]
    [InlineData(new double[] { 0, 0, 0, 0 }, new double[] { 1, 1, 1, 1 }, "Slower")]   // one byte more, every round: caught
    [InlineData(new double[] { 1, 1, 1, 1 }, new double[] { 1, 0, 1, 1 }, "Same")]     // a byte of in-process blur, seen in an A/A gate
    [InlineData(new double[] { 0, 1, 0, 1 }, new double[] { 1, 1, 2, 1 }, "Same")]     // overlapping rounds
    [InlineData(new double[] { 64, 64, 64, 65 }, new double[] { 0, 1, 0, 0 }, "Faster")]
    [InlineData(new double[] { 0, 0, 0 }, new double[] { 24, 24, 24 }, "Unsure")]      // before the minimum rounds
    public void An_allocation_counts_only_when_every_round_of_one_side_lies_beyond_the_other(double[] baseBytes, double[] headBytes, string expected)
    {
        var row = new PairedSeries("Seal", "allocated", "B/op", AbMetricKind.Exact);
        for (int i = 0; i < baseBytes.Length; i++) row.Add(baseBytes[i], headBytes[i]);

        Assert.Equal(Enum.Parse<Verdict>(expected), row.VerdictAt(0, new AbOptions { MinRounds = 4 }));
    }

    [Fact]
    public async Task A_benchmark_on_one_side_only_is_added_or_removed_not_paired()
    {
        var options = new AbOptions();
        Task<AbRoundResult> Round(AbRoundRequest request, CancellationToken token)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            AbMeasurement M(string name, double value) => new(name, "time", "ns/op", value, AbMetricKind.Cost);
            return Task.FromResult(new AbRoundResult([M("Both", 100), M("Old", 50)], [M("Both", 100), M("New", 70)]));
        }

        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddHours(1), Round, null, default);

        Assert.Equal(["New/time"], outcome.HeadOnly);
        Assert.Equal(["Old/time"], outcome.BaseOnly);
        Assert.Equal("Both", Assert.Single(outcome.Rows).Name);
        var entries = outcome.Entries(options);
        Assert.Contains(entries, e => e.Name == "New/time" && e.Verdict == Verdict.Added);
        Assert.Contains(entries, e => e.Name == "Old/time" && e.Verdict == Verdict.Removed);
    }

    [Theory]
    [InlineData(0.0, 0.1, 0.05, 3, 30, "--threshold")]
    [InlineData(0.05, 0.0, 0.05, 3, 30, "--latency-threshold")]
    [InlineData(0.05, 0.1, 0.5, 3, 30, "--alpha")]
    [InlineData(0.05, 0.1, 0.05, 1, 30, "--min-rounds")]
    [InlineData(0.05, 0.1, 0.05, 5, 4, "--max-rounds")]
    public void Out_of_range_options_are_bad_input(double threshold, double latency, double alpha, int minRounds, int maxRounds, string named)
    {
        var options = new AbOptions { Threshold = threshold, LatencyThreshold = latency, Alpha = alpha, MinRounds = minRounds, MaxRounds = maxRounds };

        Assert.StartsWith(named, Assert.Throws<BadInputException>(() => new AdaptiveRounds(options, TimeProvider.System)).Message, StringComparison.Ordinal);
    }
}
