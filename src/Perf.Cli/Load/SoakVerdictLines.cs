using System.Globalization;
using Perf.Results.Model;

namespace Perf.Cli.Load;

/// <summary>
/// The soak rule's verdicts at the end of <c>perf load</c>, as <c>perf gate</c> ends: one line per
/// broken rule, then <c>soak: passed</c> or <c>soak: FAILED, N rule(s) broken</c>.
/// </summary>
internal static class SoakVerdictLines
{
    /// <summary>Writes the verdict of every result the rule judged; false when one failed (nothing written, and true, when none was judged).</summary>
    public static async Task<bool> WriteAsync(TextWriter output, IReadOnlyList<PerfResult> results)
    {
        var broken = 0;
        var judged = 0;
        foreach (var result in results)
        {
            if (result.Soak is not { } soak)
            {
                continue;
            }

            judged++;
            foreach (var failure in soak.Failures)
            {
                await output.WriteLineAsync($"soak: {result.Scenario.Target}: {failure}").ConfigureAwait(false);
            }

            broken += soak.Failures.Count;
            var rss = soak.RssPercentPerHour is { } slope ? $"{slope.ToString("0.##", CultureInfo.InvariantCulture)} %/h" : "not read";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"soak: {result.Scenario.Target}: resident set {rss} after the warm-up, lost {soak.Lost}, p99 first {soak.WindowS:0.#} s {soak.FirstP99Us:0} us, last {soak.LastP99Us:0} us")).ConfigureAwait(false);
        }

        if (judged > 0)
        {
            await output.WriteLineAsync(broken == 0 ? "soak: passed" : $"soak: FAILED, {broken} rule(s) broken").ConfigureAwait(false);
        }

        return broken == 0;
    }
}
