using Perf.Results.Comparison;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace Perf.Results.Tests.Comparison;

public sealed class RatioIntervalTests
{
    [Theory]
    [InlineData(5, 0)]   // 2 · (1/2)^5 = 0.0625 > 0.05: no 95 % interval from 5 rounds
    [InlineData(6, 1)]   // 2 · (1/2)^6 = 0.031
    [InlineData(10, 2)]  // 2 · P(Bin(10, 1/2) <= 1) = 0.021; <= 2 would be 0.109
    [InlineData(12, 3)]
    [InlineData(20, 6)]
    [InlineData(30, 10)]
    public void The_order_statistic_is_the_binomial_one(int rounds, int k)
    {
        Assert.Equal(k, RatioInterval.OrderStatistic(rounds, alpha: 0.05));
    }

    [Fact]
    public void Ten_known_ratios_give_the_interval_worked_by_hand()
    {
        double[] ratios = [1.10, 0.97, 1.04, 1.06, 1.08, 1.02, 1.05, 0.99, 1.07, 1.03];

        var interval = RatioInterval.FromRatios(ratios, alpha: 0.05);

        // Sorted: 0.97 0.99 1.02 1.03 1.04 1.05 1.06 1.07 1.08 1.10; k = 2: the 2nd and the 9th.
        Assert.Equal(1.045, interval.Estimate, 12);
        Assert.Equal(0.99, interval.Lower);
        Assert.Equal(1.08, interval.Upper);
        Assert.Equal(10, interval.Rounds);
        // Perfolizer's binomial CDF is good to about 1e-9.
        Assert.Equal(1 - (22.0 / 1024), interval.Coverage, 1e-8);
        // 8 above 1, 2 below: 2 · P(Bin(10, 1/2) <= 2) = 2 · 56/1024.
        Assert.Equal(112.0 / 1024, interval.PValue!.Value, 1e-8);
    }

    [Theory]
    [InlineData(6, 1)]
    [InlineData(10, 2)]
    [InlineData(20, 3)]
    public void The_interval_covers_the_true_ratio_exactly_as_often_as_the_binomial_says_for_normal_log_ratios(int rounds, int seed)
    {
        AssertExactCoverage(new NormalDistribution(Math.Log(1.08), 0.03), trueRatio: 1.08, rounds, seed);
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(12, 5)]
    public void Heavy_tails_and_outlier_rounds_do_not_change_the_coverage(int rounds, int seed)
    {
        // Laplace log ratios, and a mixture where a fifth of the rounds carry a 40 % burst on one side or the other.
        AssertExactCoverage(new LaplaceDistribution(0, 0.02), trueRatio: 1.0, rounds, seed);
        AssertExactCoverage(new MixtureDistribution([new NormalDistribution(0, 0.01), new NormalDistribution(0.34, 0.05), new NormalDistribution(-0.34, 0.05)], [0.8, 0.1, 0.1]), trueRatio: 1.0, rounds, seed);
    }

    [Fact]
    public void A_known_8_percent_slowdown_is_found_and_judged_slower_at_5_percent()
    {
        var interval = RatioInterval.FromRatios(Draw(new NormalDistribution(Math.Log(1.08), 0.02), 8, seed: 3), alpha: 0.05);

        Assert.InRange(interval.Estimate, 1.06, 1.10);
        Assert.True(interval.Lower < 1.08 && interval.Upper > 1.08, $"[{interval.Lower}, {interval.Upper}]");
        Assert.Equal(Verdict.Slower, interval.VerdictAt(0.05));
        Assert.Equal(2.0 / 256, interval.PValue!.Value, 1e-8);
    }

    [Fact]
    public void Same_build_on_both_sides_is_same_at_5_percent()
    {
        var interval = RatioInterval.FromRatios(Draw(new NormalDistribution(0, 0.01), 8, seed: 4), alpha: 0.05);

        Assert.Equal(Verdict.Same, interval.VerdictAt(0.05));
        Assert.True(interval.Lower < 1 && interval.Upper > 1);
    }

    [Fact]
    public void Outliers_on_one_side_do_not_make_a_slowdown()
    {
        // An A/A row of the reference machine under load: three rounds hit by a burst on the head side.
        var interval = RatioInterval.FromRatios([1.471, 1.667, 0.998, 1.108, 0.969, 1.525, 1.121], alpha: 0.05);

        Assert.NotEqual(Verdict.Slower, interval.VerdictAt(0.05));
    }

    [Theory]
    [InlineData(1.08, 1.02, 1.14, "Slower")]  // wholly above 1, estimate past 1.05
    [InlineData(1.06, 0.99, 1.13, "Unsure")]  // estimate past the threshold, interval still reaches 1
    [InlineData(1.04, 1.01, 1.07, "Unsure")]  // significant, estimate under the threshold, a 5% regression not ruled out
    [InlineData(1.03, 1.01, 1.049, "Same")]   // significant but shown smaller than the threshold
    [InlineData(0.98, 0.96, 0.999, "Same")]   // a little faster, within the threshold
    [InlineData(0.90, 0.85, 0.95, "Faster")]  // wholly below 1, estimate under 1/1.05
    [InlineData(0.96, 0.93, 0.99, "Same")]    // faster, but not by 1/1.05
    public void The_verdict_follows_the_interval_and_the_estimate(double estimate, double lower, double upper, string expected)
    {
        var interval = new RatioInterval(estimate, lower, upper, 8, 0.01, 0.99);

        Assert.Equal(Enum.Parse<Verdict>(expected), interval.VerdictAt(0.05));
    }

    [Theory]
    [InlineData(1.08, 0.99, 1.16, 1.02, 1.12, "Unsure")]  // the 95 % interval clears 1, the wider flagging one does not
    [InlineData(1.08, 1.01, 1.16, 1.03, 1.12, "Slower")]  // the flagging interval clears 1
    [InlineData(1.02, 0.97, 1.07, 0.99, 1.04, "Same")]    // ruled out by the 95 % upper bound, though the flagging one reaches past 1.05
    [InlineData(0.90, 0.85, 1.01, 0.87, 0.96, "Same")]    // faster only by the narrower interval: not flagged, and no regression left
    [InlineData(0.90, 0.85, 0.99, 0.87, 0.96, "Faster")]
    public void Slower_and_faster_come_from_the_flagging_interval_same_from_the_ruling_one(double estimate, double flagLower, double flagUpper, double ruleLower, double ruleUpper, string expected)
    {
        var flagging = new RatioInterval(estimate, flagLower, flagUpper, 16, 0.01, 0.993);
        var ruling = new RatioInterval(estimate, ruleLower, ruleUpper, 16, 0.01, 0.95);

        Assert.Equal(Enum.Parse<Verdict>(expected), RatioInterval.Decide(flagging, ruling, 0.05));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Too_few_rounds_have_no_interval_and_decide_nothing(int rounds)
    {
        var interval = RatioInterval.FromRatios(Enumerable.Repeat(1.5, rounds).ToArray(), alpha: 0.05);

        Assert.Equal(1.5, interval.Estimate, 12);
        Assert.Equal((0.0, double.PositiveInfinity, 0.0), (interval.Lower, interval.Upper, interval.Coverage));
        Assert.Equal(Verdict.Unsure, interval.VerdictAt(0.05));
    }

    [Fact]
    public void Identical_ratios_are_a_point_interval()
    {
        var slower = RatioInterval.FromRatios(Enumerable.Repeat(1.2, 6).ToArray(), alpha: 0.05);
        var same = RatioInterval.FromRatios(Enumerable.Repeat(1.0, 6).ToArray(), alpha: 0.05);

        Assert.Equal((1.2, 1.2), (slower.Lower, slower.Upper));
        Assert.Equal(2.0 / 64, slower.PValue!.Value, 1e-8);
        Assert.Equal(Verdict.Slower, slower.VerdictAt(0.05));
        Assert.Equal(1.0, same.PValue);
        Assert.Equal(Verdict.Same, same.VerdictAt(0.05));
    }

    [Theory]
    [InlineData(new double[0], 0.05)]
    [InlineData(new[] { 1.0, -1.0 }, 0.05)]
    [InlineData(new[] { 1.0, double.NaN }, 0.05)]
    [InlineData(new[] { 1.0, double.PositiveInfinity }, 0.05)]
    [InlineData(new[] { 1.0, 0.0 }, 0.05)]
    [InlineData(new[] { 1.0, 1.1 }, 0.0)]
    [InlineData(new[] { 1.0, 1.1 }, 1.0)]
    public void Unusable_ratios_or_alpha_are_refused(double[] ratios, double alpha)
    {
        Assert.Throws<ArgumentException>(() => RatioInterval.FromRatios(ratios, alpha));
    }

    // The sign-test interval's coverage is exact for any continuous distribution: 4,000 trials
    // land within 4 standard errors (~0.012) of it.
    private static void AssertExactCoverage(IContinuousDistribution logRatio, double trueRatio, int rounds, int seed)
    {
        const int trials = 4000;
        var random = logRatio.Random(new Random(seed));
        int covered = 0;
        double exact = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) ratios[i] = Math.Exp(random.Next());
            var interval = RatioInterval.FromRatios(ratios, alpha: 0.05);
            exact = interval.Coverage;
            if (interval.Lower <= trueRatio && trueRatio <= interval.Upper) covered++;
        }

        Assert.True(exact >= 0.95, $"coverage {exact} below the confidence asked");
        Assert.InRange((double)covered / trials, exact - 0.012, exact + 0.012);
    }

    private static double[] Draw(IContinuousDistribution logRatio, int count, int seed)
    {
        var random = logRatio.Random(new Random(seed));
        return [.. Enumerable.Range(0, count).Select(_ => Math.Exp(random.Next()))];
    }
}
