using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Load;

/// <summary>Where <c>perf load</c> writes beside its run folder: <c>--out</c>, a copy of the one target's result.</summary>
internal sealed class ResultOutputArguments : OptionGroup
{
    private readonly Option<string?> _out = new("--out") { Description = "Also write the result JSON to this file (one target only). Every run writes results/runs/<timestamp>-load-<target>/." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_out];

    /// <summary>The copy's path or <c>null</c>; false with a one-line <paramref name="problem"/> when several targets would share it.</summary>
    public bool TryRead(ParseResult parseResult, IReadOnlyList<string> targets, out string? path, out string? problem)
    {
        path = parseResult.GetValue(_out);
        problem = path is not null && targets.Count != 1
            ? "--out takes one target; with --targets each run gets its own folder under results/runs/."
            : null;
        return problem is null;
    }
}
