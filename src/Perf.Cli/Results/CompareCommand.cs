using System.CommandLine;

namespace Perf.Cli.Results;

/// <summary><c>perf compare BASELINE CURRENT</c>: per benchmark/metric, baseline, current, ratio and a verdict.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var shared = new ComparisonArguments();
        var command = new Command("compare", "Compare two runs (BenchmarkDotNet full JSON and/or perf-result/1 files or folders): faster, slower or same.");
        shared.AddTo(command);
        command.SetAction(parseResult => ResultsAction.Run("compare", parseResult.InvocationConfiguration.Error, () =>
        {
            shared.Run(parseResult, parseResult.InvocationConfiguration.Output);
            return PerfCommandLine.Ok;
        }));
        return command;
    }
}
