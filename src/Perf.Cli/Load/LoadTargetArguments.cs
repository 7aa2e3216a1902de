using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Load;

/// <summary><c>perf load</c>'s targets: <c>--target</c>, or several in a row with <c>--targets</c> (default <c>relay-tcp</c>).</summary>
internal sealed class LoadTargetArguments : OptionGroup
{
    private readonly Option<string?> _target = new("--target") { Description = "SCHEME://HOST:PORT (relay-tcp, relay-ws, nats, echo), a bare name to start that target embedded, or relay-cluster (NATS cluster and relay nodes as processes)." };
    private readonly Option<string?> _targets = new("--targets") { Description = "Comma-separated targets run one after another with the same scenario." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_target, _targets];

    /// <summary>The targets to run, in order.</summary>
    public string[] Read(ParseResult parseResult) =>
        parseResult.GetValue(_targets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? [parseResult.GetValue(_target) ?? "relay-tcp"];
}
