using Perf.Results;

namespace Perf.Cli.Results;

/// <summary>Runs a results command body, mapping bad input to a one-line message and exit code 2.</summary>
internal static class ResultsAction
{
    public static int Run(string commandName, TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (BadInputException e)
        {
            error.WriteLine($"perf {commandName}: {e.Message}");
            return PerfCommandLine.BadInput;
        }
    }
}
