using Perf.Results.Comparison;

namespace Perf.Results.Tests.Comparison;

public sealed class AbCalibrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_aa_gate_counts_its_flags_per_threshold()
    {
        var clock = new SyntheticClock(Start);
        var suite = new SyntheticRounds(clock, noise: 0.02, seed: 11);
        for (int i = 0; i < 40; i++) suite.Row($"Same{i}", 1.0);
        var options = new AbOptions { MinRounds = 6, MaxRounds = 6 };
        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        var alarms = AbCalibration.FalseAlarms(outcome.Rows, AbCalibration.StandardThresholds, options);

        Assert.Equal([0.03, 0.05, 0.10], alarms.Select(a => a.Threshold));
        Assert.All(alarms, a => Assert.Equal(40, a.Rows));
        Assert.All(alarms, a => Assert.Equal(a.Rows, a.Slower + a.Faster + a.Unsure + CountSame(outcome, a.Threshold, options)));
        // Six rounds of 2 % noise: no row is pushed past 5 % or 10 %, and nothing stays undecided there.
        Assert.Equal(0, alarms[1].Flagged);
        Assert.Equal(0, alarms[2].Flagged);
        Assert.Equal(0, alarms[2].Unsure);
        // A tighter threshold leaves more rows undecided, never fewer.
        Assert.True(alarms[0].Unsure >= alarms[1].Unsure);
    }

    [Fact]
    public async Task Bursts_on_one_side_or_the_other_do_not_make_false_regressions_over_30_looks()
    {
        // What the reference machine did under load: a fifth of the measurements 40 % slow, on either
        // side at random; every row looked at after every round, up to 30 rounds.
        var clock = new SyntheticClock(Start);
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 13) { BurstRate = 0.2 };
        for (int i = 0; i < 100; i++) suite.Row($"Same{i}", 1.0);
        var options = new AbOptions { MaxRounds = 30 };
        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        var atFivePercent = AbCalibration.FalseAlarms(outcome.Rows, [0.05], options).Single();

        Assert.Equal(100, atFivePercent.Rows);
        Assert.True(atFivePercent.Slower <= 1, $"{atFivePercent.Slower} of 100 rows falsely slower");
    }

    [Fact]
    public async Task Judging_at_a_few_looks_keeps_false_regressions_under_1_percent_where_judging_every_round_did_not()
    {
        // The reference machine's spread: a quarter of each side's measurements hit by a burst of
        // 5-60 %, 1 % noise besides. The same 300 A/A rows, 60 rounds each, judged two ways.
        var clock = new SyntheticClock(Start);
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 21) { BurstRate = 0.25, BurstSize = 0.05, BurstSizeMax = 0.6 };
        for (int i = 0; i < 300; i++) suite.Row($"Same{i}", 1.0);
        var all = new AbOptions { MinRounds = 60, MaxRounds = 60 };
        var rows = (await new AdaptiveRounds(all, clock).RunAsync(Start.AddYears(1), suite.RunAsync, null, default)).Rows;
        Assert.All(rows, r => Assert.Equal(60, r.Rounds));

        // As the gate judged until now: a 95 % interval after every round from the 6th to the 30th.
        int everyRound = rows.Count(r => FirstVerdictJudgingEveryRound(r.Ratios(), 0.05) is Verdict.Slower or Verdict.Faster);
        // As it judges now: at the default looks, flagging from the interval at alpha over the looks.
        var options = new AbOptions();
        int atLooks = rows.Count(r => FirstVerdictAtLooks(r, options) is Verdict.Slower or Verdict.Faster);

        Assert.True(everyRound >= 6, $"judged every round: {everyRound} of 300 rows flagged (expected 2-3 %)");
        Assert.True(atLooks <= 3, $"judged at the looks: {atLooks} of 300 rows flagged");
    }

    [Fact]
    public async Task An_8_percent_slowdown_under_the_same_bursts_is_still_caught_in_95_percent_of_rows()
    {
        var clock = new SyntheticClock(Start);
        var suite = new SyntheticRounds(clock, noise: 0.01, seed: 22) { BurstRate = 0.25, BurstSize = 0.05, BurstSizeMax = 0.6 };
        for (int i = 0; i < 100; i++) suite.Row($"Slowed{i}", 1.08);
        var options = new AbOptions();

        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddYears(1), suite.RunAsync, null, default);

        var detection = AbCalibration.Detection(outcome.Rows, _ => true, options);
        Assert.True(detection.Caught >= 95, $"caught {detection.Caught} of 100, {detection.Unsure} unsure");
    }

    [Fact]
    public async Task An_injected_8_percent_slowdown_is_caught_in_its_rows_and_nowhere_else()
    {
        var clock = new SyntheticClock(Start);
        var suite = new SyntheticRounds(clock, noise: 0.02, seed: 12);
        for (int i = 0; i < 10; i++) suite.Row($"Slowed{i}", 1.08);
        for (int i = 0; i < 30; i++) suite.Row($"Other{i}", 1.0);
        var options = new AbOptions { MaxRounds = 20 };
        var outcome = await new AdaptiveRounds(options, clock).RunAsync(Start.AddDays(1), suite.RunAsync, null, default);

        var detection = AbCalibration.Detection(outcome.Rows, r => r.Name.StartsWith("Slowed", StringComparison.Ordinal), options);

        Assert.Equal(10, detection.Affected);
        Assert.Equal(30, detection.Others);
        Assert.True(detection.Caught >= 9, $"caught {detection.Caught} of 10");
        Assert.Equal(0, detection.OthersFlagged);
        Assert.InRange(detection.MeanRatio, 1.07, 1.09);
        Assert.Equal((double)detection.Caught / 10, detection.Power);
    }

    [Fact]
    public void Allocation_rows_flagged_either_way_are_counted_apart_from_ratio_rows()
    {
        var options = new AbOptions { MinRounds = 2 };
        PairedSeries Row(string name, AbMetricKind kind, double a, double b)
        {
            var row = new PairedSeries(name, kind == AbMetricKind.Exact ? "allocated" : "time", "x", kind);
            row.Add(a, b);
            row.Add(a, b);
            return row;
        }

        var alarms = AbCalibration.ExactFalseAlarms([Row("A", AbMetricKind.Exact, 0, 1), Row("B", AbMetricKind.Exact, 8, 0), Row("C", AbMetricKind.Exact, 3, 3), Row("D", AbMetricKind.Cost, 100, 200)], options);

        Assert.Equal(new ExactFalseAlarms(3, 2), alarms);
    }

    private static Verdict FirstVerdictJudgingEveryRound(IReadOnlyList<double> ratios, double threshold)
    {
        for (int n = 6; n <= 30; n++)
        {
            var verdict = RatioInterval.FromRatios([.. ratios.Take(n)], alpha: 0.05).VerdictAt(threshold);
            if (verdict != Verdict.Unsure) return verdict;
        }

        return Verdict.Unsure;
    }

    private static Verdict FirstVerdictAtLooks(PairedSeries row, AbOptions options)
    {
        foreach (int look in options.DecisionRounds())
        {
            var prefix = new PairedSeries(row.Name, row.Metric, row.Unit, row.Kind);
            for (int i = 0; i < look; i++) prefix.Add(row.Base[i], row.Head[i]);
            var verdict = prefix.VerdictAt(options.Threshold, options);
            if (verdict != Verdict.Unsure) return verdict;
        }

        return Verdict.Unsure;
    }

    private static int CountSame(AbOutcome outcome, double threshold, AbOptions options) =>
        outcome.Rows.Count(r => r.VerdictAt(threshold, options) == Verdict.Same);
}
