using Perfolizer.Mathematics.Distributions.DiscreteDistributions;

namespace Perf.Results.Comparison;

/// <summary>
/// The ratio B/A of an interleaved A/B comparison, estimated from one ratio per round: the median
/// of the per-round ratios, with the distribution-free confidence interval of that median that
/// inverts the paired sign test — the k-th smallest and k-th largest ratio, k from the binomial
/// distribution (Perfolizer's) — and the sign test's p-value.
/// </summary>
/// <remarks>
/// Why this method: each round runs A and B in a fresh process pair, so the rounds are
/// independent, and in an A/A comparison a round's log ratio is symmetric about 0. On a shared
/// machine it is also heavy-tailed: a burst of other work beside one process inflates its reading
/// of one benchmark by 30–60 % (thread CPU time leaves out time descheduled, not a busy sibling
/// hyperthread or a flushed cache). A mean-based (paired t) interval let a few such outliers
/// landing on one side decide "slower" in A/A gates — 3 of 38 rows at 5 % on the reference
/// machine under load, each row looked at after every round. The sign-test interval moves only
/// when most rounds move, and its coverage is exact for any continuous distribution of the ratios
/// (1 − 2·P(Binomial(n, ½) &lt; k)); it needs 6 rounds before a 95 % interval exists at all
/// (hence the gate's minimum), which a bootstrap would hide by under-covering instead.
/// </remarks>
/// <param name="Estimate">The median of the per-round ratios.</param>
/// <param name="Lower">Lower confidence bound (0 when the rounds are too few for the confidence asked).</param>
/// <param name="Upper">Upper confidence bound (+∞ when the rounds are too few).</param>
/// <param name="Rounds">How many rounds (ratios) it was computed from.</param>
/// <param name="PValue">Two-sided sign test p-value of "the median ratio is 1" (rounds with a ratio of exactly 1 left out).</param>
/// <param name="Coverage">The interval's exact coverage, at least 1 − alpha (0 when there is no interval).</param>
public sealed record RatioInterval(double Estimate, double Lower, double Upper, int Rounds, double? PValue, double Coverage)
{
    /// <summary>The sign-test interval at confidence at least 1 − <paramref name="alpha"/> from per-round ratios B/A.</summary>
    /// <exception cref="ArgumentException">When there are no ratios, a ratio is not a positive finite number, or alpha is outside (0, 1).</exception>
    public static RatioInterval FromRatios(IReadOnlyList<double> ratios, double alpha)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        if (ratios.Count == 0) throw new ArgumentException("at least one round is needed", nameof(ratios));
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"alpha must be in (0, 1), got {alpha}", nameof(alpha));
        foreach (var ratio in ratios)
        {
            if (!(ratio > 0 && double.IsFinite(ratio))) throw new ArgumentException($"ratio {ratio} is not a positive finite number", nameof(ratios));
        }

        var sorted = ratios.Order().ToArray();
        int n = sorted.Length;
        int k = OrderStatistic(n, alpha);
        double coverage = k == 0 ? 0 : 1 - (2 * new BinomialDistribution(n, 0.5).Cdf(k - 1));
        return new RatioInterval(
            Median.Of(sorted),
            k == 0 ? 0 : sorted[k - 1],
            k == 0 ? double.PositiveInfinity : sorted[n - k],
            n,
            SignTest(sorted),
            coverage);
    }

    /// <summary>
    /// The largest k whose interval [k-th smallest, k-th largest] of <paramref name="n"/> values
    /// covers the median with probability at least 1 − <paramref name="alpha"/>; 0 when none does.
    /// </summary>
    public static int OrderStatistic(int n, double alpha)
    {
        var binomial = new BinomialDistribution(n, 0.5);
        int k = 0;
        while (k + 1 <= (n + 1) / 2 && 2 * binomial.Cdf(k) <= alpha)
        {
            k++;
        }

        return k;
    }

    /// <summary>The verdict at <paramref name="threshold"/> with this one interval both flagging and ruling out (see <see cref="Decide"/>).</summary>
    public Verdict VerdictAt(double threshold) => Decide(this, this, threshold);

    /// <summary>
    /// The verdict at <paramref name="threshold"/> (0.05 = 5 %), for a metric where higher is worse:
    /// <see cref="Verdict.Slower"/> when <paramref name="flagging"/> lies wholly above 1 and the
    /// estimate is at least 1 + threshold; <see cref="Verdict.Faster"/> when it lies wholly below 1
    /// and the estimate is at most 1 / (1 + threshold); else <see cref="Verdict.Same"/> once the upper
    /// bound of <paramref name="ruling"/> is below 1 + threshold (no regression of that size is left
    /// possible); otherwise <see cref="Verdict.Unsure"/>: a regression of the threshold's size is
    /// neither shown nor ruled out. A gate that looks at a row several times flags from a wider
    /// interval than it rules out from: a false "slower" fails a pull request, a false "same" only
    /// lets through what the power measurement counts.
    /// </summary>
    public static Verdict Decide(RatioInterval flagging, RatioInterval ruling, double threshold)
    {
        ArgumentNullException.ThrowIfNull(flagging);
        ArgumentNullException.ThrowIfNull(ruling);
        if (flagging.Lower > 1 && flagging.Estimate >= 1 + threshold) return Verdict.Slower;
        if (flagging.Upper < 1 && flagging.Estimate <= 1 / (1 + threshold)) return Verdict.Faster;
        return ruling.Upper < 1 + threshold ? Verdict.Same : Verdict.Unsure;
    }

    // Two-sided sign test: how unlikely this many ratios above (or below) 1 are if either side of 1 is a coin toss.
    private static double SignTest(double[] sorted)
    {
        int above = sorted.Count(r => r > 1);
        int below = sorted.Count(r => r < 1);
        int n = above + below;
        if (n == 0) return 1;
        var binomial = new BinomialDistribution(n, 0.5);
        return Math.Min(1, 2 * binomial.Cdf(Math.Min(above, below)));
    }
}
