namespace Perf.Results.Comparison;

/// <summary>How many ratio rows an A/A gate flagged at one threshold: every flag is a false alarm, since both sides ran the same build.</summary>
/// <param name="Threshold">The threshold the rows were judged at.</param>
/// <param name="Rows">Ratio rows judged.</param>
/// <param name="Slower">Rows judged slower (false regressions).</param>
/// <param name="Faster">Rows judged faster (false improvements).</param>
/// <param name="Unsure">Rows left undecided.</param>
public sealed record FalseAlarms(double Threshold, int Rows, int Slower, int Faster, int Unsure)
{
    /// <summary>Slower and faster together.</summary>
    public int Flagged => Slower + Faster;

    /// <summary>Flagged rows over rows judged (0 with none).</summary>
    public double Rate => Rows == 0 ? 0 : (double)Flagged / Rows;
}

/// <summary>How many exact rows (allocated bytes) an A/A gate flagged: every flag is a false alarm.</summary>
/// <param name="Rows">Exact rows judged.</param>
/// <param name="Flagged">Rows judged slower or faster.</param>
public sealed record ExactFalseAlarms(int Rows, int Flagged);

/// <summary>How a gate with an injected slowdown did: caught among the affected rows, flagged among the others.</summary>
/// <param name="Affected">Ratio rows the slowdown was injected into.</param>
/// <param name="Caught">Affected rows judged slower.</param>
/// <param name="Unsure">Affected rows left undecided.</param>
/// <param name="MeanRatio">Geometric mean of the affected rows' estimated ratios (the injected ratio is 1 + the slowdown).</param>
/// <param name="Others">Ratio rows without the slowdown.</param>
/// <param name="OthersFlagged">Of those, rows judged slower or faster (false alarms).</param>
public sealed record InjectedDetection(int Affected, int Caught, int Unsure, double MeanRatio, int Others, int OthersFlagged)
{
    /// <summary>Caught over affected (0 with none).</summary>
    public double Power => Affected == 0 ? 0 : (double)Caught / Affected;
}

/// <summary>Calibration figures from a gate's rows: false alarms per threshold (A/A) and detection of an injected slowdown.</summary>
public static class AbCalibration
{
    /// <summary>The thresholds an A/A gate reports false alarms at, besides its own.</summary>
    public static IReadOnlyList<double> StandardThresholds { get; } = [0.03, 0.05, 0.10];

    /// <summary>False alarms of the ratio rows at each of <paramref name="thresholds"/> (intervals and minimum rounds from <paramref name="options"/>).</summary>
    public static IReadOnlyList<FalseAlarms> FalseAlarms(IReadOnlyList<PairedSeries> rows, IEnumerable<double> thresholds, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(options);
        var result = new List<FalseAlarms>();
        foreach (var threshold in thresholds.Distinct().Order())
        {
            int judged = 0, slower = 0, faster = 0, unsure = 0;
            foreach (var row in rows)
            {
                if (row.Kind == AbMetricKind.Exact) continue;
                judged++;
                switch (row.VerdictAt(threshold, options))
                {
                    case Verdict.Slower: slower++; break;
                    case Verdict.Faster: faster++; break;
                    case Verdict.Unsure: unsure++; break;
                }
            }

            result.Add(new FalseAlarms(threshold, judged, slower, faster, unsure));
        }

        return result;
    }

    /// <summary>The exact rows (allocations) flagged either way: false alarms in an A/A gate.</summary>
    public static ExactFalseAlarms ExactFalseAlarms(IReadOnlyList<PairedSeries> rows, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        int judged = 0, flagged = 0;
        foreach (var row in rows)
        {
            if (row.Kind != AbMetricKind.Exact) continue;
            judged++;
            if (row.VerdictAt(0, options) is Verdict.Slower or Verdict.Faster) flagged++;
        }

        return new ExactFalseAlarms(judged, flagged);
    }

    /// <summary>Detection of a slowdown injected into the ratio rows <paramref name="affected"/> selects, judged at the options' thresholds.</summary>
    public static InjectedDetection Detection(IReadOnlyList<PairedSeries> rows, Func<PairedSeries, bool> affected, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(affected);
        ArgumentNullException.ThrowIfNull(options);
        int hit = 0, caught = 0, unsure = 0, others = 0, flagged = 0;
        double logSum = 0;
        foreach (var row in rows)
        {
            if (row.Kind == AbMetricKind.Exact) continue;
            var verdict = row.VerdictAt(options.ThresholdFor(row.Kind), options);
            if (affected(row))
            {
                hit++;
                if (verdict == Verdict.Slower) caught++;
                if (verdict == Verdict.Unsure) unsure++;
                if (row.Interval(options.FlagAlpha) is { } interval) logSum += Math.Log(interval.Estimate);
            }
            else
            {
                others++;
                if (verdict is Verdict.Slower or Verdict.Faster) flagged++;
            }
        }

        return new InjectedDetection(hit, caught, unsure, hit == 0 ? double.NaN : Math.Exp(logSum / hit), others, flagged);
    }
}
