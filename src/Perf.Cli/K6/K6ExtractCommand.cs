using System.CommandLine;
using Perf.Cli.Results;
using Perf.Load.K6;
using Perf.Results;
using Perf.Results.Files;

namespace Perf.Cli.K6;

/// <summary>
/// <c>perf k6 extract LOG... --out DIR</c>: the results k6 runners printed (<c>RESULT_STDOUT=1</c>)
/// out of their logs (<c>kubectl logs</c>), one file each, ready for <c>perf merge</c>.
/// </summary>
internal static class K6ExtractCommand
{
    public static Command Create()
    {
        var logs = new Argument<string[]>("LOG") { Description = "Runner logs holding results between -----BEGIN PERF RESULT----- and -----END PERF RESULT-----.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "The folder to write the results into.", Required = true };
        var command = new Command("extract", "Write the perf-result/1 files k6 runners printed to their logs (RESULT_STDOUT=1) into a folder, for perf merge.") { logs, outDir };
        command.SetAction(parseResult => ResultsAction.Run("k6 extract", parseResult.InvocationConfiguration.Error, () =>
        {
            var folder = parseResult.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var written = 0;
            foreach (var log in parseResult.GetValue(logs)!)
            {
                if (!File.Exists(log)) throw new BadInputException($"{log}: file not found");
                var results = K6ResultExtractor.Extract(File.ReadAllText(log), log);
                if (results.Count == 0) throw new BadInputException($"{log}: holds no result (was the runner started with RESULT_STDOUT=1?)");
                foreach (var result in results)
                {
                    var path = Path.Combine(folder, K6ResultExtractor.FileName(result, ++written));
                    if (File.Exists(path)) throw new BadInputException($"{path}: already written: two logs hold the same shard");
                    ResultFile.Write(path, result);
                    parseResult.InvocationConfiguration.Output.WriteLine($"{log}: {path}");
                }
            }

            return PerfCommandLine.Ok;
        }));
        return command;
    }
}
