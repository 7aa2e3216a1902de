using System.CommandLine;
using Perf.Cli.Load;
using Perf.Results.Files;
using Perf.Results.Reports.Run;

namespace Perf.Cli.Results;

/// <summary><c>perf report RUN_FOLDER... [--out DIR]</c>: a self-contained HTML report and a Markdown summary of one run folder, or of several together.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("RUN_FOLDER") { Description = "One or more run folders (results/runs/<timestamp>-<name>/) holding perf-result/1 files and/or BenchmarkDotNet full JSON; several are reported together.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "Where to write report.html and report.md (default: the run folder; for several, a new results/runs/<timestamp>-report/)." };
        var command = new Command("report", "Write report.html (plots inline) and report.md for one run folder or several together.") { folders, outDir };
        command.SetAction(parseResult => ResultsAction.Run("report", parseResult.InvocationConfiguration.Error, () =>
        {
            var given = parseResult.GetValue(folders)!;
            var data = RunReportData.Load(given); // every folder checked before one is made for their report
            var output = parseResult.GetValue(outDir) ?? (given.Length == 1 ? given[0] : RunFolder.Create(ResultsLocation.Root(), "report"));
            var html = RunReportWriter.Write(data, output);
            parseResult.InvocationConfiguration.Output.WriteLine($"report: {html}");
            return PerfCommandLine.Ok;
        }));
        return command;
    }
}
