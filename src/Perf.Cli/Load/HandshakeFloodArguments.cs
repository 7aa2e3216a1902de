using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Hostile;

namespace Perf.Cli.Load;

/// <summary><c>--handshake-flood</c> and <c>--handshake-flood-kind</c>: a hostile client beside the run (docs/relay.md, "Abuse limits").</summary>
internal sealed class HandshakeFloodArguments : OptionGroup
{
    private readonly Option<double> _rate = new("--handshake-flood") { Description = "relay-tcp with --target-process: while the run goes, a hostile client from 127.0.0.254 opens N connections a second that send garbage and N that send a valid first Noise message and go silent; its counts go to the result's handshake_flood section." };
    private readonly Option<string> _kind = new("--handshake-flood-kind") { Description = "Which half of --handshake-flood runs: both (default), garbage or abandoned.", DefaultValueFactory = _ => "both" };

    public HandshakeFloodArguments() => _kind.AcceptOnlyFromAmong("both", "garbage", "abandoned");

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_rate, _kind];

    /// <summary>The flood asked for (<c>null</c>: none), or false with a one-line problem.</summary>
    public bool TryRead(ParseResult parseResult, out (double Rate, HandshakeFloodKinds Kinds)? flood, out string? problem)
    {
        flood = null;
        problem = null;
        var rate = parseResult.GetValue(_rate);
        if (!double.IsFinite(rate) || rate < 0)
        {
            problem = "--handshake-flood takes connections a second of each kind, such as 5000.";
            return false;
        }

        if (rate > 0)
        {
            flood = (rate, Enum.Parse<HandshakeFloodKinds>(parseResult.GetValue(_kind)!, ignoreCase: true));
        }

        return true;
    }
}
