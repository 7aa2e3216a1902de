namespace Perf.Results.Comparison;

/// <summary>One benchmark's or load run's metric across the rounds of an A/B gate: a base (A) and a head (B) value per round.</summary>
public sealed class PairedSeries
{
    private readonly List<double> baseValues = [];
    private readonly List<double> headValues = [];

    /// <summary>A series with no rounds yet.</summary>
    public PairedSeries(string name, string metric, string unit, AbMetricKind kind)
    {
        Name = name;
        Metric = metric;
        Unit = unit;
        Kind = kind;
    }

    /// <summary>Benchmark full name or load scenario key.</summary>
    public string Name { get; }

    /// <summary>The metric (<see cref="AbMeasurement.Metric"/>).</summary>
    public string Metric { get; }

    /// <summary>Unit of the values.</summary>
    public string Unit { get; }

    /// <summary>How the metric is judged.</summary>
    public AbMetricKind Kind { get; }

    /// <summary><c>Name/Metric</c>, what rules and globs match.</summary>
    public string Id => $"{Name}/{Metric}";

    /// <summary>The base side's value per round.</summary>
    public IReadOnlyList<double> Base => baseValues;

    /// <summary>The head side's value per round.</summary>
    public IReadOnlyList<double> Head => headValues;

    /// <summary>Rounds in which both sides measured it.</summary>
    public int Rounds => baseValues.Count;

    /// <summary>Adds a round's pair.</summary>
    public void Add(double baseValue, double headValue)
    {
        baseValues.Add(baseValue);
        headValues.Add(headValue);
    }

    /// <summary>The per-round ratios head/base.</summary>
    public IReadOnlyList<double> Ratios()
    {
        var ratios = new double[Rounds];
        for (int i = 0; i < ratios.Length; i++) ratios[i] = headValues[i] / baseValues[i];
        return ratios;
    }

    /// <summary>The ratio's interval; null for <see cref="AbMetricKind.Exact"/> metrics, no rounds, or a zero base value.</summary>
    public RatioInterval? Interval(double alpha)
    {
        if (Kind == AbMetricKind.Exact || Rounds == 0) return null;
        foreach (var value in baseValues)
        {
            if (!(value > 0)) return null;
        }

        foreach (var value in headValues)
        {
            if (!(value > 0)) return null;
        }

        return RatioInterval.FromRatios(Ratios(), alpha);
    }

    /// <summary>
    /// The verdict at <paramref name="threshold"/> under <paramref name="options"/>, once
    /// <see cref="AbOptions.MinRounds"/> rounds are in (<see cref="Verdict.Unsure"/> before). Ratio
    /// metrics follow <see cref="RatioInterval.Decide"/>: slower or faster from the interval at
    /// <see cref="AbOptions.FlagAlpha"/>, same from the one at <see cref="AbOptions.Alpha"/>.
    /// Exact metrics are <see cref="Verdict.Slower"/> when every head round lies above every base
    /// round (<see cref="Verdict.Faster"/> the other way), else <see cref="Verdict.Same"/>: a count
    /// the code fixes has no spread, so one byte more in every round is caught, while a count that
    /// background allocations blur by a byte in process (a 16 KiB seal: 0–2 B/op, where
    /// BenchmarkDotNet's own processes read 0) must separate in every round to count.
    /// </summary>
    public Verdict VerdictAt(double threshold, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Rounds == 0 || Rounds < options.MinRounds) return Verdict.Unsure;
        if (Kind == AbMetricKind.Exact)
        {
            return headValues.Min() > baseValues.Max() ? Verdict.Slower
                : headValues.Max() < baseValues.Min() ? Verdict.Faster
                : Verdict.Same;
        }

        return Interval(options.FlagAlpha) is { } flagging && Interval(options.Alpha) is { } ruling
            ? RatioInterval.Decide(flagging, ruling, threshold)
            : Verdict.Unsure;
    }

    /// <summary>
    /// The row as a comparison entry: base and head as the median over rounds; for ratio metrics the
    /// interval at <see cref="AbOptions.FlagAlpha"/> attached (the one a regression must clear), and
    /// the note giving the upper bound at <see cref="AbOptions.Alpha"/> that rules one out.
    /// </summary>
    public ComparisonEntry ToEntry(double threshold, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var verdict = VerdictAt(threshold, options);
        string note = $"{Rounds} round{(Rounds == 1 ? "" : "s")}";
        if (Kind == AbMetricKind.Exact)
        {
            if (verdict == Verdict.Unsure) note += $", fewer than {options.MinRounds}";
            note = verdict switch
            {
                Verdict.Slower => $"+{headValues.Min() - baseValues.Max()} {Unit} or more in every round",
                Verdict.Faster => $"-{baseValues.Min() - headValues.Max()} {Unit} or more in every round",
                _ => note,
            };
            return new ComparisonEntry(Name, Metric, Unit, Median.Of(baseValues), Median.Of(headValues), verdict, 0, null, note);
        }

        var interval = Interval(options.FlagAlpha);
        if (Interval(options.Alpha) is { } ruling && double.IsFinite(ruling.Upper)) note += $", {Percent.Format(1 - options.Alpha)} upper {ruling.Upper:0.000}";
        if (verdict == Verdict.Unsure) note += Rounds < options.MinRounds ? $", fewer than {options.MinRounds}" : ", interval too wide";
        return new ComparisonEntry(Name, Metric, Unit, Median.Of(baseValues), Median.Of(headValues), verdict, threshold, interval?.PValue, note)
        {
            Interval = interval,
        };
    }
}
