using System.CommandLine;
using Perf.Vectors;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf selftest [--vectors DIR] [--json]</c>: runs the external known-answer vectors on every
/// backend and prints one row per file × algorithm × backend. Exit 0 when nothing failed, 1 when
/// a case failed, 2 when the folder is missing or a vector file is malformed.
/// </summary>
internal static class SelftestCommand
{
    private static readonly string FixHint =
        $"Pass --vectors DIR or set {VectorDirectory.EnvironmentVariable} to the folder holding the Wycheproof and Noise vectors.";

    public static Command Create()
    {
        var vectors = new Option<string?>("--vectors")
        {
            Description = $"The vectors folder. Default: ${VectorDirectory.EnvironmentVariable}, else {VectorDirectory.RelativeToRepoRoot} under the repository root.",
            HelpName = "DIR",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the rows as a JSON array of {file, algorithm, backend, passed, failed, skipped} instead of a table.",
        };
        var command = new Command("selftest", "Check every crypto backend against the Wycheproof and Noise known-answer vectors.")
        {
            vectors,
            json,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(vectors),
            parseResult.GetValue(json),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string? vectorsOption, bool asJson, TextWriter output, TextWriter error)
    {
        if (ResolveFolder(vectorsOption, error) is not { } folder)
        {
            return PerfCommandLine.BadInput;
        }

        IReadOnlyList<VectorResultRow> rows;
        try
        {
            rows = VectorRunner.RunDirectory(folder);
        }
        catch (VectorFormatException e)
        {
            error.WriteLine($"perf selftest: malformed vector file {e.Message}");
            return PerfCommandLine.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"perf selftest: cannot read the vectors under {folder}: {e.Message}");
            return PerfCommandLine.BadInput;
        }

        if (rows.Count == 0)
        {
            error.WriteLine($"perf selftest: no vector files (*.json, or *.txt holding JSON) under {folder}. {FixHint}");
            return PerfCommandLine.BadInput;
        }

        if (asJson)
        {
            SelftestReport.WriteJson(rows, output);
        }
        else
        {
            SelftestReport.WriteTable(rows, output);
        }

        return rows.Any(row => row.Failed > 0) ? PerfCommandLine.Failed : PerfCommandLine.Ok;
    }

    /// <summary>The folder to run, or <c>null</c> after telling the user what is missing and how to fix it.</summary>
    private static string? ResolveFolder(string? vectorsOption, TextWriter error)
    {
        if (vectorsOption is null)
        {
            var found = VectorDirectory.Find(out var searched);
            if (found is null)
            {
                error.WriteLine($"perf selftest: no vectors folder at {searched}. {FixHint}");
            }

            return found;
        }

        if (string.IsNullOrWhiteSpace(vectorsOption) || !Directory.Exists(vectorsOption))
        {
            var what = File.Exists(vectorsOption) ? "is a file, not a folder" : "does not exist";
            error.WriteLine($"perf selftest: the vectors folder '{vectorsOption}' {what}. {FixHint}");
            return null;
        }

        return Path.GetFullPath(vectorsOption);
    }
}
