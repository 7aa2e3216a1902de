using System.Text.Json;
using System.Text.RegularExpressions;

namespace Perf.Results.Comparison;

/// <summary>
/// Per-entry thresholds from a gate file: <c>{ "rules": [ { "match": "*Handshake*", "threshold": "10%" } ] }</c>.
/// A rule's glob (<c>*</c> any text, <c>?</c> one character) is matched against <see cref="ComparisonEntry.Id"/>;
/// the first matching rule wins. Allocations are always compared exactly and ignore rules.
/// </summary>
public sealed class ThresholdRules
{
    private readonly List<(string Glob, Regex Pattern, double Threshold)> rules = [];

    /// <summary>The rules in file order, as (glob, threshold fraction).</summary>
    public IEnumerable<(string Glob, double Threshold)> Rules => rules.Select(r => (r.Glob, r.Threshold));

    /// <summary>Adds a rule at the end (lowest priority).</summary>
    /// <exception cref="BadInputException">When the threshold is outside [0, 1).</exception>
    public void Add(string glob, double threshold)
    {
        ArgumentException.ThrowIfNullOrEmpty(glob);
        if (!(threshold >= 0 && threshold < 1)) throw new BadInputException($"gate rule '{glob}': threshold must be at least 0% and below 100%");
        rules.Add((glob, Glob.ToRegex(glob), threshold));
    }

    /// <summary>The threshold of the first rule matching <paramref name="id"/>, or <paramref name="fallback"/>.</summary>
    public double ThresholdFor(string id, double fallback)
    {
        foreach (var (_, pattern, threshold) in rules)
        {
            if (pattern.IsMatch(id)) return threshold;
        }

        return fallback;
    }

    /// <summary>Reads a gate file.</summary>
    /// <exception cref="BadInputException">When the file is missing or not of the documented shape.</exception>
    public static ThresholdRules Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("rules", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                throw new BadInputException($"{path}: a gate file needs a \"rules\" array");
            }

            var result = new ThresholdRules();
            foreach (var rule in array.EnumerateArray())
            {
                if (rule.ValueKind != JsonValueKind.Object
                    || !rule.TryGetProperty("match", out var match) || match.ValueKind != JsonValueKind.String
                    || !rule.TryGetProperty("threshold", out var threshold) || threshold.ValueKind != JsonValueKind.String)
                {
                    throw new BadInputException($"{path}: each rule needs string \"match\" and \"threshold\" (e.g. \"10%\")");
                }

                result.Add(match.GetString()!, Percent.Parse(threshold.GetString()!, $"{path}: rule '{match.GetString()}'"));
            }

            return result;
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: malformed JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
