using System.CommandLine;

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
        var root = new RootCommand("perf: a performance harness for an end-to-end-encrypted relay.");
        root.Subcommands.Add(Results.CompareCommand.Create());
        root.Subcommands.Add(Results.GateCommand.Create());
        root.Subcommands.Add(Results.CapacityCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await Build().Parse(args).InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
