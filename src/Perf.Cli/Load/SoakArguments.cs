using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Perf.Results.Soak;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load</c>'s soak rule and series: <c>--soak</c> evaluates the rule on any run (it is on by
/// default for a measured window of <see cref="AutomaticFrom"/> or more), with its bounds
/// (<c>--soak-rss-slope</c>, <c>--soak-p99-ratio</c>), warm-up (<c>--soak-warmup</c>) and memory
/// readings (<c>--soak-gc</c>: after a full collection induced in a .NET target process, or as they fall);
/// <c>--series-interval</c> shortens the harness's minute (series entries, per-minute behaviours; for tests).
/// </summary>
internal sealed class SoakArguments : OptionGroup
{
    /// <summary><c>--soak-gc</c>'s default: memory read right after an induced full collection.</summary>
    public const string Induced = "induced";

    /// <summary><c>--soak-gc</c>'s other value: memory read as it falls.</summary>
    public const string Natural = "natural";

    /// <summary>Runs at least this long are judged by the soak rule without <c>--soak</c>.</summary>
    public static readonly TimeSpan AutomaticFrom = TimeSpan.FromMinutes(10);

    private readonly Option<bool> _soak = new("--soak") { Description = "Judge the run by the soak rule (on by default from --duration 10m): memory growth after the warm-up, loss, the last window's p99 against the first's; exit 1 when broken." };
    private readonly Option<double> _rssSlope = new("--soak-rss-slope") { Description = "The soak rule's bound on the target's resident-memory growth after the warm-up, percent per hour.", DefaultValueFactory = _ => SoakRuleOptions.DefaultMaxRssPercentPerHour };
    private readonly Option<double> _p99Ratio = new("--soak-p99-ratio") { Description = "The soak rule's bound on the last 5 minutes' p99 over the first 5 minutes'.", DefaultValueFactory = _ => SoakRuleOptions.DefaultMaxP99Ratio };
    private readonly Option<string> _warmup = new("--soak-warmup") { Description = "Series entries ending before this are left out of the slopes (at most half the run).", DefaultValueFactory = _ => "5m" };
    private readonly Option<string> _gc = new("--soak-gc") { Description = "How a judged run reads a .NET target process's memory each minute: induced (right after a full collection the harness induces over the runtime's diagnostics port, so the collector's saw-tooth is not read as growth) or natural (as it falls).", DefaultValueFactory = _ => Induced };
    private readonly Option<string> _interval = new("--series-interval") { Description = "The harness's minute: each entry of the result's series, and the period of the per-minute --churn and --vanishing (shorter for tests).", DefaultValueFactory = _ => "1m" };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_soak, _rssSlope, _p99Ratio, _warmup, _gc, _interval];

    /// <summary>
    /// The series interval, the soak rule's options (<c>null</c> rule when it is not evaluated) and
    /// whether a judged run induces a full collection before each memory reading; false with a
    /// one-line <paramref name="problem"/>.
    /// </summary>
    public bool TryRead(ParseResult parseResult, TimeSpan duration, bool findMax, out TimeSpan seriesInterval, out SoakRuleOptions? rule, out bool induceCollections, out string? problem)
    {
        rule = null;
        seriesInterval = default;
        var gc = parseResult.GetValue(_gc);
        induceCollections = gc == Induced;
        if (gc is not (Induced or Natural))
        {
            problem = $"--soak-gc takes {Induced} or {Natural}, not '{gc}'.";
            return false;
        }

        if (!DurationText.TryParse(parseResult.GetValue(_interval), out seriesInterval) || seriesInterval < TimeSpan.FromSeconds(1))
        {
            problem = "--series-interval takes a time of at least 1s, such as 1m.";
            return false;
        }

        if (!DurationText.TryParse(parseResult.GetValue(_warmup), out var warmup))
        {
            problem = "--soak-warmup takes a time such as 5m.";
            return false;
        }

        // The window the first and last p99s cover: five minutes, kept in step with a shortened series.
        var options = new SoakRuleOptions
        {
            MaxRssPercentPerHour = parseResult.GetValue(_rssSlope),
            MaxP99Ratio = parseResult.GetValue(_p99Ratio),
            Warmup = warmup,
            Window = seriesInterval * 5,
        };
        problem = options.Validate();
        if (problem is not null)
        {
            problem = $"--soak-rss-slope, --soak-p99-ratio, --soak-warmup: {problem}.";
            return false;
        }

        var asked = parseResult.GetValue(_soak);
        if (asked && findMax)
        {
            problem = "--soak judges one long run, not a --find-max search.";
            return false;
        }

        if (asked && duration < seriesInterval * 2)
        {
            problem = $"--soak needs at least two series entries: --duration of at least twice --series-interval ({seriesInterval.TotalSeconds * 2:0.#}s).";
            return false;
        }

        rule = asked || (!findMax && duration >= AutomaticFrom) ? options : null;
        return true;
    }
}
