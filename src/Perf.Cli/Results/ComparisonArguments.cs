using System.CommandLine;
using Perf.Results;
using Perf.Results.Comparison;

namespace Perf.Cli.Results;

/// <summary>The arguments and options <c>compare</c> and <c>gate</c> share, and the comparison they both run.</summary>
internal sealed class ComparisonArguments
{
    /// <summary>Where the gate file is looked for when <c>--rules</c> is not given.</summary>
    public const string DefaultRulesPath = "results/gate.json";

    private readonly Argument<string?> baseline;
    private readonly Argument<string?> current;
    private readonly Option<string> threshold = new("--threshold") { Description = "Relative change in benchmark time (with --ab: and CPU per message) that counts (a significant smaller change is 'same').", DefaultValueFactory = _ => "5%" };
    private readonly Option<double> alpha = new("--alpha") { Description = "Significance level: of the Mann-Whitney U test; with --ab, one minus the ratio interval's confidence.", DefaultValueFactory = _ => 0.05 };
    private readonly Option<int> minIterations = new("--min-iterations") { Description = "Fewest Result iterations per side for a verdict; fewer is 'inconclusive'.", DefaultValueFactory = _ => 5 };
    private readonly Option<string> latencyThreshold = new("--latency-threshold") { Description = "Threshold for load p50/p99/p999 (single values: threshold only; with --ab: the p99's ratio interval).", DefaultValueFactory = _ => "10%" };
    private readonly Option<string> rateThreshold = new("--rate-threshold") { Description = "Threshold for load max sustainable rate (single value: threshold only).", DefaultValueFactory = _ => "5%" };
    private readonly Option<string?> rules = new("--rules") { Description = $"Per-entry thresholds, {{\"rules\":[{{\"match\":\"glob\",\"threshold\":\"10%\"}}]}}; default {DefaultRulesPath} when present." };
    private readonly Option<string?> markdown = new("--md") { Description = "Also write the comparison as a Markdown table to this file." };

    /// <summary>The shared arguments; <paramref name="runsOptional"/> lets <c>gate --ab</c> go without BASELINE and CURRENT.</summary>
    public ComparisonArguments(bool runsOptional = false)
    {
        var arity = runsOptional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne;
        baseline = new("baseline") { Description = "Baseline: a *-report-full.json, a perf-result/1 JSON file, or a folder of them.", Arity = arity };
        current = new("current") { Description = "Current run: same forms as the baseline.", Arity = arity };
    }

    /// <summary>Adds the shared arguments and options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(baseline);
        command.Arguments.Add(current);
        foreach (var option in new Option[] { threshold, alpha, minIterations, latencyThreshold, rateThreshold, rules, markdown })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Whether BASELINE or CURRENT was given.</summary>
    public bool HasRuns(ParseResult parseResult) => parseResult.GetValue(baseline) is not null || parseResult.GetValue(current) is not null;

    /// <summary>The <c>--md</c> path, when given.</summary>
    public string? MarkdownPath(ParseResult parseResult) => parseResult.GetValue(markdown);

    /// <summary>The A/B gate's options from <c>--threshold</c>, <c>--latency-threshold</c> and <c>--alpha</c>; the two-run-only options are refused.</summary>
    /// <exception cref="BadInputException">When a two-run-only option was given or a value is out of range.</exception>
    public AbOptions AbOptions(ParseResult parseResult)
    {
        foreach (var twoRunOnly in new Option[] { minIterations, rateThreshold, rules })
        {
            if (parseResult.GetResult(twoRunOnly) is { Implicit: false })
            {
                throw new BadInputException($"{twoRunOnly.Name} applies to perf gate BASELINE CURRENT, not to --ab");
            }
        }

        return new AbOptions
        {
            Threshold = Percent.Parse(parseResult.GetValue(threshold)!, "--threshold"),
            LatencyThreshold = Percent.Parse(parseResult.GetValue(latencyThreshold)!, "--latency-threshold"),
            Alpha = parseResult.GetValue(alpha),
        };
    }

    /// <summary>Loads both sides, compares them, prints the table and writes <c>--md</c> when asked.</summary>
    /// <exception cref="BadInputException">For any unusable input.</exception>
    public IReadOnlyList<ComparisonEntry> Run(ParseResult parseResult, TextWriter output)
    {
        if (parseResult.GetValue(baseline) is not { } baselinePath || parseResult.GetValue(current) is not { } currentPath)
        {
            throw new BadInputException("give BASELINE and CURRENT (run folders or files), or --ab BASE_REF to build and measure two commits side by side");
        }

        string? rulesPath = parseResult.GetValue(rules);
        var options = new ComparisonOptions
        {
            Threshold = Percent.Parse(parseResult.GetValue(threshold)!, "--threshold"),
            Alpha = parseResult.GetValue(alpha),
            MinIterations = parseResult.GetValue(minIterations),
            LatencyThreshold = Percent.Parse(parseResult.GetValue(latencyThreshold)!, "--latency-threshold"),
            RateThreshold = Percent.Parse(parseResult.GetValue(rateThreshold)!, "--rate-threshold"),
            Rules = rulesPath is not null ? ThresholdRules.Read(rulesPath)
                : File.Exists(DefaultRulesPath) ? ThresholdRules.Read(DefaultRulesPath) : null,
        };
        options.Validate();
        var baselineSet = ResultSet.Load(baselinePath);
        var currentSet = ResultSet.Load(currentPath);
        var entries = ResultComparer.Compare(baselineSet, currentSet, options);
        ComparisonTable.Write(output, entries);
        if (MarkdownPath(parseResult) is { } path)
        {
            OutputFile.Write(path, Perf.Results.Reports.MarkdownReport.Render(entries));
        }

        return entries;
    }
}
