using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Load.K6;

/// <summary>
/// Reads the <c>perf-result/1</c> documents a k6 runner printed between
/// <c>-----BEGIN PERF RESULT-----</c> and <c>-----END PERF RESULT-----</c> (<c>RESULT_STDOUT=1</c>):
/// how results leave a Kubernetes runner pod whose files are gone when it exits.
/// </summary>
public static class K6ResultExtractor
{
    /// <summary>The line before a result.</summary>
    public const string Begin = "-----BEGIN PERF RESULT-----";

    /// <summary>The line after it.</summary>
    public const string End = "-----END PERF RESULT-----";

    /// <summary>Every result in <paramref name="log"/> (a runner's log), in order; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="Perf.Results.BadInputException">A block is not closed, or is not a valid result.</exception>
    public static IReadOnlyList<PerfResult> Extract(string log, string source)
    {
        ArgumentNullException.ThrowIfNull(log);
        var results = new List<PerfResult>();
        var lines = log.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != Begin)
            {
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == End);
            if (end < 0)
            {
                throw new Perf.Results.BadInputException($"{source}: line {i + 1}: a result begins and never ends (the log was cut?)");
            }

            results.Add(ResultFile.Parse(string.Join('\n', lines[(i + 1)..end]), $"{source}: line {i + 2}"));
            i = end;
        }

        return results;
    }

    /// <summary>A file name for an extracted result: by shard when it has one.</summary>
    public static string FileName(PerfResult result, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Shard is { } shard ? $"k6-result-shard-{shard.Index}-of-{shard.Count}.json" : $"k6-result-{ordinal}.json";
    }
}
