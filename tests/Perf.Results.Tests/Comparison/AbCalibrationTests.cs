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

    private static int CountSame(AbOutcome outcome, double threshold, AbOptions options) =>
        outcome.Rows.Count(r => r.VerdictAt(threshold, options.Alpha, options.MinRounds) == Verdict.Same);
}
