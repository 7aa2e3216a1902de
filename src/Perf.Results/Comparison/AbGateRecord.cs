using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perf.Results.Comparison;

/// <summary>One side of an A/B gate: the reference as given and the commit it named.</summary>
/// <param name="Ref">The reference as given (<c>main</c>, <c>HEAD</c>, a hash).</param>
/// <param name="Commit">The full commit hash.</param>
public sealed record AbSide(string Ref, string Commit);

/// <summary>A round as recorded: order, names run, wall time, rows left undecided.</summary>
public sealed record AbRoundRecord(int Round, bool HeadFirst, int Names, double Seconds, int Undecided);

/// <summary>
/// A row as recorded: every round's values, the interval at <c>flag_alpha</c> (null bounds where
/// there is none), the upper bound at <c>alpha</c> that rules a regression out, and the verdict.
/// </summary>
public sealed record AbRowRecord(string Name, string Metric, string Unit, IReadOnlyList<double> Base, IReadOnlyList<double> Head, double? Estimate, double? Lower, double? Upper, double? UpperAtAlpha, double? PValue, string Verdict);

/// <summary>
/// What <c>perf gate --ab</c> writes to <c>gate.json</c> in its run folder (<c>perf-gate-ab/1</c>,
/// snake_case): the two commits, the seed, the settings, every round and every row's per-round
/// values, so the verdicts can be recomputed; for an A/A gate the false alarms per threshold, for
/// one with an injected slowdown the detection.
/// </summary>
public sealed record AbGateRecord
{
    /// <summary>The schema identifier.</summary>
    public const string SchemaId = "perf-gate-ab/1";

    /// <summary>Always <see cref="SchemaId"/>.</summary>
    public string Schema { get; init; } = SchemaId;

    /// <summary><c>bench</c> or <c>load</c>.</summary>
    public required string Suite { get; init; }

    /// <summary>The base side (A).</summary>
    public required AbSide Base { get; init; }

    /// <summary>The head side (B).</summary>
    public required AbSide Head { get; init; }

    /// <summary>Seed of the per-round order.</summary>
    public required int Seed { get; init; }

    /// <summary>The benchmark filters (bench), or empty.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>The <c>perf load</c> arguments each round ran (load), or null.</summary>
    public string? LoadArguments { get; init; }

    /// <summary>The variables that narrowed the suite (<c>PERF_AEAD_*</c>) as set for the run.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The slowdown injected into the head side (<c>GLOB=N%</c>), or null.</summary>
    public string? InjectedSlowdown { get; init; }

    /// <summary>The cost threshold.</summary>
    public required double Threshold { get; init; }

    /// <summary>The latency threshold.</summary>
    public required double LatencyThreshold { get; init; }

    /// <summary>One minus the confidence of the interval that rules a regression out (<c>same</c>).</summary>
    public required double Alpha { get; init; }

    /// <summary>One minus the confidence of the interval that flags a row (<c>slower</c>, <c>faster</c>): alpha over the looks.</summary>
    public required double FlagAlpha { get; init; }

    /// <summary>The rounds after which rows were judged (the looks); one more where the budget stopped between two.</summary>
    public required IReadOnlyList<int> DecisionRounds { get; init; }

    /// <summary>Rounds before a ratio verdict.</summary>
    public required int MinRounds { get; init; }

    /// <summary>Rounds at most.</summary>
    public required int MaxRounds { get; init; }

    /// <summary>The budget, seconds (builds included).</summary>
    public required double BudgetS { get; init; }

    /// <summary>The whole gate's wall time, seconds.</summary>
    public required double ElapsedS { get; init; }

    /// <summary><c>decided</c>, <c>budget</c> or <c>max_rounds</c>.</summary>
    public required string StopReason { get; init; }

    /// <summary>Every round.</summary>
    public required IReadOnlyList<AbRoundRecord> Rounds { get; init; }

    /// <summary>Every row measured on both sides.</summary>
    public required IReadOnlyList<AbRowRecord> Rows { get; init; }

    /// <summary>Names measured on one side only, as <c>added NAME</c> / <c>removed NAME</c>.</summary>
    public IReadOnlyList<string> OneSided { get; init; } = [];

    /// <summary>A/A gates: false alarms per threshold; otherwise null.</summary>
    public IReadOnlyList<FalseAlarms>? FalseAlarms { get; init; }

    /// <summary>A/A gates: allocation rows flagged either way; otherwise null.</summary>
    public ExactFalseAlarms? AllocationFalseAlarms { get; init; }

    /// <summary>Gates with an injected slowdown: its detection; otherwise null.</summary>
    public InjectedDetection? Injected { get; init; }

    /// <summary>The rows of <paramref name="outcome"/> as recorded, with their verdicts under <paramref name="options"/>.</summary>
    public static IReadOnlyList<AbRowRecord> RowsOf(AbOutcome outcome, AbOptions options)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<AbRowRecord>();
        foreach (var row in outcome.Rows)
        {
            var interval = row.Interval(options.FlagAlpha);
            var verdict = row.VerdictAt(options.ThresholdFor(row.Kind), options);
            rows.Add(new AbRowRecord(row.Name, row.Metric, row.Unit, row.Base, row.Head,
                Finite(interval?.Estimate), Finite(interval?.Lower), Finite(interval?.Upper), Finite(row.Interval(options.Alpha)?.Upper), interval?.PValue, verdict.ToString().ToLowerInvariant()));
        }

        return rows;
    }

    /// <summary>The record as indented snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, AbGateJsonContext.Default.AbGateRecord) + "\n";

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}

/// <summary>Source-generated JSON metadata for <see cref="AbGateRecord"/> (snake_case, indented; NaN written as a string, never seen in practice).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(AbGateRecord))]
public sealed partial class AbGateJsonContext : JsonSerializerContext
{
}
