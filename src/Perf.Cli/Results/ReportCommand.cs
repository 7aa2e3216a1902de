using System.CommandLine;
using Perf.Results.Reports.Run;

namespace Perf.Cli.Results;

/// <summary><c>perf report RUN_FOLDER [--out DIR]</c>: a self-contained HTML report and a Markdown summary of a run folder.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("RUN_FOLDER") { Description = "A run folder (results/runs/<timestamp>-<name>/) holding perf-result/1 files and/or BenchmarkDotNet full JSON." };
        var outDir = new Option<string?>("--out") { Description = "Where to write report.html and report.md (default: the run folder)." };
        var command = new Command("report", "Write report.html (plots inline) and report.md for a run folder.") { folder, outDir };
        command.SetAction(parseResult => ResultsAction.Run("report", parseResult.InvocationConfiguration.Error, () =>
        {
            var html = RunReportWriter.Write(parseResult.GetValue(folder)!, parseResult.GetValue(outDir));
            parseResult.InvocationConfiguration.Output.WriteLine($"report: {html}");
            return PerfCommandLine.Ok;
        }));
        return command;
    }
}
