using Perf.Cli.Tests.Results;

namespace Perf.Cli.Tests;

public sealed class CommandLineErrorTests
{
    [Theory]
    [InlineData("relay", "--cipher", "foo", "perf: --cipher: Argument 'foo' not recognized. Must be one of: 'aesgcm', 'chachapoly'")]
    [InlineData("load", "--backend", "zz", "perf: --backend: Argument 'zz' not recognized. Must be one of: 'auto', 'sodium', 'openssl', 'libcrypto'")]
    [InlineData("load", "--arrival", "bursty", "perf: --arrival: Argument 'bursty' not recognized. Must be one of: 'constant', 'poisson'")]
    public void A_value_outside_an_options_choices_is_one_line_naming_the_option(string command, string option, string value, string expected)
    {
        var run = CliRun.Invoke(command, option, value);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal([expected, $"Run 'perf {command} --help' for usage."], lines);
    }

    [Fact]
    public void A_message_that_already_names_its_option_is_not_prefixed_again()
    {
        var run = CliRun.Invoke("load", "--rate", "fast");

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        var first = run.Error.Split('\n')[0];
        Assert.StartsWith("perf: Cannot parse argument 'fast' for option '--rate'", first, StringComparison.Ordinal);
    }
}
