using Perf.Cli;

namespace Perf.Cli.Tests.Results;

/// <summary>Runs <c>perf</c> in-process and captures what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = PerfCommandLine.InvokeAsync(args, output, error).GetAwaiter().GetResult();
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Bad input: exit 2 and exactly one error line, with no stack trace.</summary>
    public void AssertBadInput(string expected)
    {
        Assert.Equal(PerfCommandLine.BadInput, ExitCode);
        string line = Assert.Single(Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
    }
}
