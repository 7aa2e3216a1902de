using Perf.Results.Comparison;
using Perf.Results.Reports;

namespace Perf.Cli.Results;

/// <summary>
/// How every gate ends: the verdict line, then one line per failure (and per unsure row) with its
/// full name, never wrapped, then the next step to take — so a CI log's last lines say what broke
/// and what to do, and grep finds each benchmark with its parameters.
/// </summary>
internal static class GateSummary
{
    /// <summary>Writes the closing lines and returns the exit code: <see cref="PerfCommandLine.Failed"/> when anything regressed.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="entries">The gate's rows.</param>
    /// <param name="nextForFailures">The next step when something regressed.</param>
    /// <param name="nextForUnsure">The next step when rows are left unsure (A/B gates).</param>
    public static int Write(TextWriter output, IReadOnlyList<ComparisonEntry> entries, string nextForFailures, string? nextForUnsure = null)
    {
        var failures = entries.Where(e => e.IsRegression).ToList();
        var unsure = entries.Where(e => e.Verdict == Verdict.Unsure).ToList();
        output.WriteLine();
        output.WriteLine(failures.Count == 0
            ? $"gate: passed{(unsure.Count > 0 ? $", {unsure.Count} unsure" : "")}"
            : $"gate: FAILED, {failures.Count} regression(s){(unsure.Count > 0 ? $", {unsure.Count} unsure" : "")}");
        foreach (var entry in failures.Concat(unsure))
        {
            output.WriteLine("  " + ComparisonFormat.Line(entry));
        }

        if (failures.Count > 0)
        {
            output.WriteLine($"next: {nextForFailures}");
        }

        if (unsure.Count > 0)
        {
            output.WriteLine($"next: the unsure rows had too few rounds to decide; {nextForUnsure ?? "give them more rounds"}.");
        }

        return failures.Count == 0 ? PerfCommandLine.Ok : PerfCommandLine.Failed;
    }
}
