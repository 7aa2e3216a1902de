using System.CommandLine;
using Perf.Results;
using Perf.Results.Comparison;

namespace Perf.Cli.Results;

/// <summary>The arguments and options <c>compare</c> and <c>gate</c> share, and the comparison they both run.</summary>
internal sealed class ComparisonArguments
{
    /// <summary>Where the gate file is looked for when <c>--rules</c> is not given.</summary>
    public const string DefaultRulesPath = "results/gate.json";

    private readonly Argument<string> baseline = new("baseline") { Description = "Baseline: a *-report-full.json, a perf-result/1 JSON file, or a folder of them." };
    private readonly Argument<string> current = new("current") { Description = "Current run: same forms as the baseline." };
    private readonly Option<string> threshold = new("--threshold") { Description = "Relative change in benchmark time that counts (a significant smaller change is 'same').", DefaultValueFactory = _ => "5%" };
    private readonly Option<double> alpha = new("--alpha") { Description = "Significance level of the Mann-Whitney U test.", DefaultValueFactory = _ => 0.05 };
    private readonly Option<int> minIterations = new("--min-iterations") { Description = "Fewest Result iterations per side for a verdict; fewer is 'inconclusive'.", DefaultValueFactory = _ => 5 };
    private readonly Option<string> latencyThreshold = new("--latency-threshold") { Description = "Threshold for load p50/p99/p999 (single values: threshold only).", DefaultValueFactory = _ => "10%" };
    private readonly Option<string> rateThreshold = new("--rate-threshold") { Description = "Threshold for load max sustainable rate (single value: threshold only).", DefaultValueFactory = _ => "5%" };
    private readonly Option<string?> rules = new("--rules") { Description = $"Per-entry thresholds, {{\"rules\":[{{\"match\":\"glob\",\"threshold\":\"10%\"}}]}}; default {DefaultRulesPath} when present." };
    private readonly Option<string?> markdown = new("--md") { Description = "Also write the comparison as a Markdown table to this file." };

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

    /// <summary>Loads both sides, compares them, prints the table and writes <c>--md</c> when asked.</summary>
    /// <exception cref="BadInputException">For any unusable input.</exception>
    public IReadOnlyList<ComparisonEntry> Run(ParseResult parseResult, TextWriter output)
    {
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
        var baselineSet = ResultSet.Load(parseResult.GetValue(baseline)!);
        var currentSet = ResultSet.Load(parseResult.GetValue(current)!);
        var entries = ResultComparer.Compare(baselineSet, currentSet, options);
        ComparisonTable.Write(output, entries);
        if (parseResult.GetValue(markdown) is { } path)
        {
            OutputFile.Write(path, Perf.Results.Reports.MarkdownReport.Render(entries));
        }

        return entries;
    }
}
