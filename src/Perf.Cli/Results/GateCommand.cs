using System.CommandLine;
using Perf.Results.Reports;

namespace Perf.Cli.Results;

/// <summary><c>perf gate BASELINE CURRENT</c>: compare, then fail (exit 1) when anything is slower or allocates more.</summary>
internal static class GateCommand
{
    public static Command Create()
    {
        var shared = new ComparisonArguments();
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML: one testcase per benchmark/metric, a failure per regression." };
        var command = new Command("gate", "Compare two runs and exit 1 when anything is slower beyond its threshold or allocates more.") { junit };
        shared.AddTo(command);
        command.SetAction(parseResult => ResultsAction.Run("gate", parseResult.InvocationConfiguration.Error, () =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var entries = shared.Run(parseResult, output);
            if (parseResult.GetValue(junit) is { } path)
            {
                OutputFile.Guard(path, () => JUnitReport.Write(path, entries));
            }

            int regressions = entries.Count(e => e.IsRegression);
            output.WriteLine(regressions == 0 ? "gate: passed" : $"gate: FAILED, {regressions} regression(s)");
            return regressions == 0 ? PerfCommandLine.Ok : PerfCommandLine.Failed;
        }));
        return command;
    }
}
