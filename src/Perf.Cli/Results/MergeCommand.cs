using System.CommandLine;
using System.Globalization;
using Perf.Results.Merging;

namespace Perf.Cli.Results;

/// <summary>
/// <c>perf merge RESULT... --out DIR</c>: the shards of one run (<c>perf load --shard I/N</c>, the
/// runners of a k6 TestRun) combined exactly into one <c>perf-result/1</c> run folder.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("RESULT") { Description = "The shards' perf-result/1 files (each with its .hlog beside it, or a k6 result with its histograms inside).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "The folder to write result.json, <metric>.hlog and <metric>.percentiles.txt into.", Required = true };
        var command = new Command("merge", "Combine the shards of one run into one result: histograms added, counters and rates summed, intervals aligned by time.") { files, outDir };
        command.SetAction(parseResult => ResultsAction.Run("merge", parseResult.InvocationConfiguration.Error, () =>
        {
            var merged = ResultMerger.Merge(parseResult.GetValue(files)!);
            var path = merged.Write(parseResult.GetValue(outDir)!);
            var r = merged.Result;
            var m = r.Metrics;
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"merged {r.Shards!.Count} shards into {path}: {r.Scenario.Connections} connections, {r.Scenario.Rate:G6} msgs/s offered; sent {m.Sent}, delivered {m.Delivered}, rejected {m.Rejected}, lost {m.Lost}{(m.EndToEndUs is { } e2e ? $"; end-to-end p50 {e2e.P50:F0} us, p99 {e2e.P99:F0} us" : "")}"));
            var spread = r.Shards.Max(s => s.StartedAt) - r.Shards.Min(s => s.StartedAt);
            if (spread > TimeSpan.FromSeconds(1))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"note: the shards' measured windows began {spread.TotalSeconds:F1} s apart; their rates are summed as if they ran together"));
            }

            return PerfCommandLine.Ok;
        }));
        return command;
    }
}
