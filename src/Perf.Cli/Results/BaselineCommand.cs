using System.CommandLine;
using Perf.Cli.Load;
using Perf.Results;
using Perf.Results.Benchmarks;
using Perf.Results.Files;

namespace Perf.Cli.Results;

/// <summary>
/// <c>perf baseline update RUN_FOLDER [--name NAME]</c>: copies a run's BenchmarkDotNet full
/// reports and <c>perf-result/1</c> files into <c>results/baseline/NAME/</c>, the folder
/// <c>perf gate</c> compares new runs against (commit it to move the baseline).
/// </summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("RUN_FOLDER") { Description = "A run folder from perf bench, perf load or perf quick." };
        var name = new Option<string>("--name") { Description = "The baseline's folder under results/baseline/.", DefaultValueFactory = _ => "aead" };
        var root = new Option<string?>("--baselines") { Description = "The baselines folder (default results/baseline/ of the repository)." };
        var update = new Command("update", "Copy a run's reports into results/baseline/NAME/ (then commit them).") { folder, name, root };
        update.SetAction(parseResult => ResultsAction.Run("baseline update", parseResult.InvocationConfiguration.Error, () =>
        {
            var source = parseResult.GetValue(folder)!;
            var baselineName = parseResult.GetValue(name)!;
            if (!Directory.Exists(source))
            {
                throw new BadInputException($"{source}: no such run folder");
            }

            if (baselineName.IndexOfAny(['/', '\\']) >= 0 || baselineName.StartsWith('.'))
            {
                throw new BadInputException($"--name {baselineName}: a plain folder name, e.g. aead or load");
            }

            var destination = Path.Combine(parseResult.GetValue(root) ?? Path.Combine(ResultsLocation.Root(), "baseline"), baselineName);
            Directory.CreateDirectory(destination);
            var copied = 0;
            foreach (var file in Directory.GetFiles(source, "*.json", SearchOption.AllDirectories))
            {
                var isReport = file.EndsWith(BenchmarkReportReader.FileSuffix, StringComparison.Ordinal);
                if (!isReport && !ResultFile.LooksLikeResult(File.ReadAllText(file)))
                {
                    continue;
                }

                // Load results are all named result.json: keep their run folder's name instead.
                var target = isReport ? Path.GetFileName(file) : Path.GetFileName(Path.GetDirectoryName(file)!) + ".json";
                File.Copy(file, Path.Combine(destination, target), overwrite: true);
                parseResult.InvocationConfiguration.Output.WriteLine($"baseline: {Path.Combine(destination, target)}");
                copied++;
            }

            if (copied == 0)
            {
                throw new BadInputException($"{source}: holds no *-report-full.json and no perf-result/1 file");
            }

            return PerfCommandLine.Ok;
        }));
        return new Command("baseline", "Manage the committed baselines in results/baseline/.") { update };
    }
}
