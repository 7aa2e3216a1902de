using Perf.Results.Comparison;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace Perf.Results.Tests.Comparison;

public sealed class RatioIntervalTests
{
    [Fact]
    public void Known_ratios_give_the_t_interval_worked_by_hand()
    {
        // log ratios 0.1, 0.2, 0.3: mean 0.2, sd 0.1, se 0.1/sqrt(3); t(0.975, 2 df) = 4.3027;
        // two-sided p for t = 2*sqrt(3) with 2 df is 1 - t/sqrt(t^2 + 2) = 0.0742.
        var interval = RatioInterval.FromRatios([Math.Exp(0.1), Math.Exp(0.2), Math.Exp(0.3)], alpha: 0.05);

        double margin = 4.302653 * 0.1 / Math.Sqrt(3);
        Assert.Equal(Math.Exp(0.2), interval.Estimate, 9);
        Assert.Equal(Math.Exp(0.2 - margin), interval.Lower, 4);
        Assert.Equal(Math.Exp(0.2 + margin), interval.Upper, 4);
        Assert.Equal(3, interval.Rounds);
        Assert.Equal(0.0742, interval.PValue!.Value, 3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void A_95_percent_interval_covers_the_true_ratio_95_percent_of_the_time_for_normal_log_ratios(int rounds)
    {
        double coverage = Coverage(new NormalDistribution(Math.Log(1.08), 0.03), trueRatio: 1.08, rounds, trials: 4000, seed: rounds);

        // 4,000 trials: one standard error of a 95% coverage is 0.0034.
        Assert.InRange(coverage, 0.935, 0.965);
    }

    [Fact]
    public void Heavy_symmetric_tails_do_not_shrink_the_coverage()
    {
        // Laplace log ratios (an A/A round's log ratio is symmetric whatever the noise): the t interval stays at or above 95 %.
        double coverage = Coverage(new LaplaceDistribution(0, 0.02), trueRatio: 1.0, rounds: 5, trials: 4000, seed: 7);

        Assert.InRange(coverage, 0.94, 1.0);
    }

    [Fact]
    public void A_known_8_percent_slowdown_is_found_and_judged_slower_at_5_percent()
    {
        var interval = RatioInterval.FromRatios(Draw(new NormalDistribution(Math.Log(1.08), 0.02), 8, seed: 3), alpha: 0.05);

        Assert.InRange(interval.Estimate, 1.06, 1.10);
        Assert.True(interval.Lower < 1.08 && interval.Upper > 1.08, $"[{interval.Lower}, {interval.Upper}]");
        Assert.Equal(Verdict.Slower, interval.VerdictAt(0.05));
        Assert.True(interval.PValue < 0.001);
    }

    [Fact]
    public void Same_build_on_both_sides_is_same_at_5_percent()
    {
        var interval = RatioInterval.FromRatios(Draw(new NormalDistribution(0, 0.02), 8, seed: 4), alpha: 0.05);

        Assert.Equal(Verdict.Same, interval.VerdictAt(0.05));
        Assert.True(interval.Lower < 1 && interval.Upper > 1);
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
        var interval = new RatioInterval(estimate, lower, upper, 5, 0.01);

        Assert.Equal(Enum.Parse<Verdict>(expected), interval.VerdictAt(0.05));
    }

    [Fact]
    public void One_round_has_no_interval_and_decides_nothing()
    {
        var interval = RatioInterval.FromRatios([1.5], alpha: 0.05);

        Assert.Equal(1.5, interval.Estimate, 12);
        Assert.Equal(0, interval.Lower);
        Assert.Equal(double.PositiveInfinity, interval.Upper);
        Assert.Null(interval.PValue);
        Assert.Equal(Verdict.Unsure, interval.VerdictAt(0.05));
    }

    [Fact]
    public void Identical_ratios_are_a_point_interval()
    {
        var slower = RatioInterval.FromRatios([1.2, 1.2, 1.2], alpha: 0.05);
        var same = RatioInterval.FromRatios([1, 1, 1], alpha: 0.05);

        Assert.Equal((1.2, 1.2, 0.0), (Math.Round(slower.Lower, 12), Math.Round(slower.Upper, 12), slower.PValue!.Value));
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

    private static double Coverage(IContinuousDistribution logRatio, double trueRatio, int rounds, int trials, int seed)
    {
        var random = logRatio.Random(new Random(seed));
        int covered = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) ratios[i] = Math.Exp(random.Next());
            var interval = RatioInterval.FromRatios(ratios, alpha: 0.05);
            if (interval.Lower <= trueRatio && trueRatio <= interval.Upper) covered++;
        }

        return (double)covered / trials;
    }

    private static double[] Draw(IContinuousDistribution logRatio, int count, int seed)
    {
        var random = logRatio.Random(new Random(seed));
        return [.. Enumerable.Range(0, count).Select(_ => Math.Exp(random.Next()))];
    }
}
