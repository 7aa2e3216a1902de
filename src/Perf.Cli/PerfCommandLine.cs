using System.CommandLine;
using System.CommandLine.Parsing;
using Perf.Cli.Commands;

namespace Perf.Cli;

/// <summary>Builds the <c>perf</c> command tree and runs it; tests call <see cref="InvokeAsync"/> in-process with their own writers.</summary>
public static class PerfCommandLine
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code when a check ran and failed (a vector case, a gate).</summary>
    public const int Failed = 1;

    /// <summary>Exit code for bad input: a malformed file, a value out of range, an unreachable target.</summary>
    public const int BadInput = 2;

    /// <summary>The root command with every subcommand registered.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("perf: a performance harness for an end-to-end-encrypted relay.")
        {
            QuickCommand.Create(),
            SelftestCommand.Create(),
            BenchCommand.Create(),
            LoadCommand.Create(),
            MetadataCommand.Create(),
            EchoCommand.Create(),
            FloodCommand.Create(),
            ImpairCommand.Create(),
            RelayCommand.Create(),
            TokenCommand.Create(),
            Results.CompareCommand.Create(),
            Results.GateCommand.Create(),
            Results.CapacityCommand.Create(),
            Results.ReportCommand.Create(),
            Results.MergeCommand.Create(),
            Results.BaselineCommand.Create(),
            K6.K6Command.Create(),
        };
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to the given writers; returns the exit code.
    /// A command line that does not parse (unknown option, bad value, missing command) exits with
    /// <see cref="BadInput"/> and the parser's messages, not System.CommandLine's default of 1.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"perf: {Describe(parseError)}");
            }

            error.WriteLine($"Run '{HelpCommandFor(parseResult)}' for usage.");
            return BadInput;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    // One line per error, naming the option when the parser's message does not: "--cipher:
    // Argument 'foo' not recognized. Must be one of: 'aesgcm', 'chachapoly'".
    private static string Describe(ParseError parseError)
    {
        var lines = parseError.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var message = lines.Length == 0 ? "invalid command line" : lines[0] + (lines.Length > 1 ? " " + string.Join(", ", lines[1..]) : string.Empty);
        var option = parseError.SymbolResult switch
        {
            OptionResult optionResult => optionResult.Option.Name,
            ArgumentResult { Parent: OptionResult optionResult } => optionResult.Option.Name,
            _ => null,
        };
        return option is null || message.Contains(option, StringComparison.Ordinal) ? message : $"{option}: {message}";
    }

    private static string HelpCommandFor(ParseResult parseResult) =>
        parseResult.CommandResult.Command is RootCommand ? "perf --help" : $"perf {parseResult.CommandResult.Command.Name} --help";
}
