namespace Perf.Results.Comparison;

/// <summary>What one round of an A/B gate should run.</summary>
/// <param name="Round">1-based round number.</param>
/// <param name="HeadFirst">Whether the head (B) side's process runs before the base (A) side's this round.</param>
/// <param name="Only">The names still undecided (run only these), or null for every name.</param>
public sealed record AbRoundRequest(int Round, bool HeadFirst, IReadOnlyList<string>? Only);

/// <summary>What the two processes of one round measured.</summary>
public sealed record AbRoundResult(IReadOnlyList<AbMeasurement> Base, IReadOnlyList<AbMeasurement> Head);

/// <summary>A finished round, for progress lines and the gate's record.</summary>
/// <param name="Round">1-based round number.</param>
/// <param name="HeadFirst">Whether head ran first.</param>
/// <param name="Names">How many names (benchmarks, load scenarios) it ran.</param>
/// <param name="Duration">Wall time of the round (both processes).</param>
/// <param name="Undecided">Rows <see cref="Verdict.Unsure"/> at the last look (the first round counts every row).</param>
public sealed record AbRoundSummary(int Round, bool HeadFirst, int Names, TimeSpan Duration, int Undecided);

/// <summary>Why the rounds stopped.</summary>
public enum AbStopReason
{
    /// <summary>Every row has a verdict.</summary>
    Decided,

    /// <summary>The next round was expected to end after the budget.</summary>
    Budget,

    /// <summary>The most rounds allowed ran.</summary>
    MaxRounds,
}

/// <summary>The rounds' data: one series per row measured on both sides, the names only one side had, and why it stopped.</summary>
public sealed record AbOutcome(IReadOnlyList<PairedSeries> Rows, IReadOnlyList<string> HeadOnly, IReadOnlyList<string> BaseOnly, IReadOnlyList<AbRoundSummary> Rounds, AbStopReason StopReason)
{
    /// <summary>The rows as comparison entries (verdicts at the options' thresholds), added and removed names after them.</summary>
    public IReadOnlyList<ComparisonEntry> Entries(AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = new List<ComparisonEntry>();
        foreach (var row in Rows) entries.Add(row.ToEntry(options.ThresholdFor(row.Kind), options));
        foreach (var id in HeadOnly) entries.Add(new ComparisonEntry(id, "", "", null, null, Verdict.Added, 0, null, "only in head"));
        foreach (var id in BaseOnly) entries.Add(new ComparisonEntry(id, "", "", null, null, Verdict.Removed, 0, null, "only in base"));
        return entries;
    }
}

/// <summary>
/// Runs an A/B gate's rounds: every name for the first <see cref="AbOptions.MinRounds"/> rounds;
/// then, at each of <see cref="AbOptions.DecisionRounds"/> (the looks), only the names with a row
/// still <see cref="Verdict.Unsure"/> go on to the next look, until every row is decided,
/// <see cref="AbOptions.MaxRounds"/> ran, or the next round — predicted from the last one's time per
/// name — would end after the deadline. Rows are judged only at the looks (and once more where the
/// budget stops them), never after every round: each judgement is another chance of a false alarm,
/// and <see cref="AbOptions.FlagAlpha"/> is shared out over that fixed number of looks. The first
/// round always runs (nothing predicts it). Which
/// side runs first is drawn from a <see cref="Random"/> seeded with <see cref="AbOptions.Seed"/>
/// for each pair of rounds (1–2, 3–4, ...), and the pair's second round runs the other order: a
/// row runs in consecutive rounds from the first, so its orders stay balanced and a drift of the
/// machine between a round's two processes cancels over each pair instead of, by the luck of
/// the draw, always favouring one side (seen on the reference machine: three draws alike, and an
/// A/A row read 13 % faster).
/// </summary>
public sealed class AdaptiveRounds
{
    private readonly AbOptions options;
    private readonly TimeProvider time;

    /// <summary>Rounds under <paramref name="options"/>, timed by <paramref name="time"/>.</summary>
    /// <exception cref="BadInputException">When the options are out of range.</exception>
    public AdaptiveRounds(AbOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        this.options = options;
        this.time = time;
    }

    /// <summary>Runs rounds through <paramref name="runRound"/> until decided, <see cref="AbOptions.MaxRounds"/> or <paramref name="deadline"/>.</summary>
    public async Task<AbOutcome> RunAsync(DateTimeOffset deadline, Func<AbRoundRequest, CancellationToken, Task<AbRoundResult>> runRound, Action<AbRoundSummary>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runRound);
        var random = new Random(options.Seed);
        var rows = new Dictionary<string, PairedSeries>(StringComparer.Ordinal);
        var baseSeen = new HashSet<string>(StringComparer.Ordinal);
        var headSeen = new HashSet<string>(StringComparer.Ordinal);
        var allNames = new HashSet<string>(StringComparer.Ordinal);
        var rounds = new List<AbRoundSummary>();
        var stop = AbStopReason.MaxRounds;
        TimeSpan perName = TimeSpan.Zero;
        bool headFirst = false;
        var looks = new HashSet<int>(options.DecisionRounds());
        IReadOnlyList<string>? only = null;
        int undecidedRows = 0;
        for (int round = 1; round <= options.MaxRounds; round++)
        {
            headFirst = round % 2 == 1 ? random.Next(2) == 1 : !headFirst;
            if (looks.Contains(round - 1))
            {
                // The last round was a look: decided rows stop, unsure ones run on to the next.
                var undecided = UndecidedNames(rows.Values);
                if (undecided.Count == 0)
                {
                    stop = AbStopReason.Decided;
                    break;
                }

                only = undecided;
            }

            int names = only?.Count ?? allNames.Count;
            if (round > 1 && time.GetUtcNow() + (perName * names) > deadline)
            {
                stop = AbStopReason.Budget;
                break;
            }

            var started = time.GetTimestamp();
            var result = await runRound(new AbRoundRequest(round, headFirst, only), cancellationToken).ConfigureAwait(false);
            var duration = time.GetElapsedTime(started);
            int ran = Merge(result, rows, baseSeen, headSeen, allNames);
            perName = ran > 0 ? duration / ran : duration;
            if (round == 1 || looks.Contains(round)) undecidedRows = UndecidedRows(rows.Values);
            var summary = new AbRoundSummary(round, headFirst, ran, duration, undecidedRows);
            rounds.Add(summary);
            progress?.Invoke(summary);
        }

        if (stop == AbStopReason.MaxRounds && UndecidedRows(rows.Values) == 0) stop = AbStopReason.Decided;
        return new AbOutcome(
            [.. rows.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Metric, StringComparer.Ordinal)],
            [.. headSeen.Except(baseSeen).Except(rows.Keys).Order(StringComparer.Ordinal)],
            [.. baseSeen.Except(headSeen).Except(rows.Keys).Order(StringComparer.Ordinal)],
            rounds,
            stop);
    }

    // Pairs each base measurement with the head's of the same name and metric; returns how many names the round measured.
    private static int Merge(AbRoundResult result, Dictionary<string, PairedSeries> rows, HashSet<string> baseSeen, HashSet<string> headSeen, HashSet<string> allNames)
    {
        var head = new Dictionary<string, AbMeasurement>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in result.Head)
        {
            string id = $"{m.Name}/{m.Metric}";
            head[id] = m;
            headSeen.Add(id);
            names.Add(m.Name);
        }

        foreach (var m in result.Base)
        {
            string id = $"{m.Name}/{m.Metric}";
            baseSeen.Add(id);
            names.Add(m.Name);
            if (!head.TryGetValue(id, out var other)) continue;
            if (!rows.TryGetValue(id, out var series))
            {
                series = new PairedSeries(m.Name, m.Metric, m.Unit, m.Kind);
                rows.Add(id, series);
            }

            series.Add(m.Value, other.Value);
        }

        allNames.UnionWith(names);
        return names.Count;
    }

    private List<string> UndecidedNames(IEnumerable<PairedSeries> rows) =>
        [.. rows.Where(IsUndecided).Select(r => r.Name).Distinct(StringComparer.Ordinal)];

    private int UndecidedRows(IEnumerable<PairedSeries> rows) => rows.Count(IsUndecided);

    private bool IsUndecided(PairedSeries row) =>
        row.VerdictAt(options.ThresholdFor(row.Kind), options) == Verdict.Unsure;
}
