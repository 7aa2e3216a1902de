using Perfolizer.Mathematics.Distributions.ContinuousDistributions;
using Perfolizer.Mathematics.SignificanceTesting;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Pragmastat;

namespace Perf.Results.Comparison;

/// <summary>
/// The ratio B/A of an interleaved A/B comparison, estimated from one ratio per round, with its
/// confidence interval: a paired Student t interval on the logarithms of the ratios (Perfolizer's
/// t distribution and one-sample t test), mapped back by exp — the geometric mean of the ratios
/// and the interval around it.
/// </summary>
/// <remarks>
/// Why this method: each round runs A and B in a fresh process pair in random order, so machine
/// drift cancels within a round and the rounds are independent. In an A/A comparison the two
/// sides of a round are exchangeable, so a round's log ratio is symmetric about 0 whatever the
/// noise's shape; the t interval is exact for normal log ratios and stays at or above its
/// coverage for symmetric heavier tails (an outlier round widens it: more rounds, not a false
/// alarm). A percentile bootstrap undercovers at the 3–10 rounds a CI budget allows; a sign-test
/// interval needs at least 6 rounds before it can reach 95 % at all.
/// </remarks>
/// <param name="Estimate">The geometric mean of the per-round ratios.</param>
/// <param name="Lower">Lower confidence bound of the ratio (0 with a single round).</param>
/// <param name="Upper">Upper confidence bound of the ratio (+∞ with a single round).</param>
/// <param name="Rounds">How many rounds (ratios) it was computed from.</param>
/// <param name="PValue">Two-sided p-value of "the ratio is 1" (one-sample t test on the log ratios); null with a single round.</param>
public sealed record RatioInterval(double Estimate, double Lower, double Upper, int Rounds, double? PValue)
{
    /// <summary>The interval at confidence 1 − <paramref name="alpha"/> from per-round ratios B/A.</summary>
    /// <exception cref="ArgumentException">When there are no ratios, a ratio is not a positive finite number, or alpha is outside (0, 1).</exception>
    public static RatioInterval FromRatios(IReadOnlyList<double> ratios, double alpha)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        if (ratios.Count == 0) throw new ArgumentException("at least one round is needed", nameof(ratios));
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"alpha must be in (0, 1), got {alpha}", nameof(alpha));
        var logs = new double[ratios.Count];
        for (int i = 0; i < logs.Length; i++)
        {
            if (!(ratios[i] > 0 && double.IsFinite(ratios[i]))) throw new ArgumentException($"ratio {ratios[i]} is not a positive finite number", nameof(ratios));
            logs[i] = Math.Log(ratios[i]);
        }

        double mean = logs.Average();
        int n = logs.Length;
        if (n == 1) return new RatioInterval(Math.Exp(mean), 0, double.PositiveInfinity, 1, null);

        double sumOfSquares = 0;
        foreach (var log in logs) sumOfSquares += (log - mean) * (log - mean);
        double standardError = Math.Sqrt(sumOfSquares / (n - 1) / n);
        if (standardError == 0)
        {
            // Identical ratios in every round (a deterministic difference, or none): the interval is that one point.
            return new RatioInterval(Math.Exp(mean), Math.Exp(mean), Math.Exp(mean), n, mean == 0 ? 1 : 0);
        }

        double quantile = new StudentDistribution(n - 1).Quantile(1 - (alpha / 2));
        double p = StudentTest.Instance.Run(new Sample(logs), 0, AlternativeHypothesis.TwoSides).PValue.Value;
        return new RatioInterval(Math.Exp(mean), Math.Exp(mean - (quantile * standardError)), Math.Exp(mean + (quantile * standardError)), n, p);
    }

    /// <summary>
    /// The verdict at <paramref name="threshold"/> (0.05 = 5 %), for a metric where higher is worse:
    /// <see cref="Verdict.Slower"/> when the interval lies wholly above 1 and the estimate is at least
    /// 1 + threshold; else, once the upper bound is below 1 + threshold (no regression of that size is
    /// left possible), <see cref="Verdict.Faster"/> when the interval lies wholly below 1 and the
    /// estimate is at most 1 / (1 + threshold), else <see cref="Verdict.Same"/>; otherwise
    /// <see cref="Verdict.Unsure"/>: a regression of the threshold's size is neither shown nor ruled out.
    /// </summary>
    public Verdict VerdictAt(double threshold)
    {
        if (Lower > 1 && Estimate >= 1 + threshold) return Verdict.Slower;
        if (Upper < 1 + threshold)
        {
            return Upper < 1 && Estimate <= 1 / (1 + threshold) ? Verdict.Faster : Verdict.Same;
        }

        return Verdict.Unsure;
    }
}
