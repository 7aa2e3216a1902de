using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Load;

/// <summary>What <c>perf load</c> needs to reach a relay someone else started: its key to pin (relay-tcp) and its token secret (relay-ws).</summary>
internal sealed class RelayAccessArguments : OptionGroup
{
    private readonly Option<string?> _relayKey = new("--relay-key") { Description = "The relay's static public key (base64) to pin, for relay-tcp." };
    private readonly Option<string?> _wsSecret = new("--ws-secret") { Description = "The relay's WebSocket token secret, for relay-ws." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_relayKey, _wsSecret];

    /// <summary>The key (base64) and the secret as given, each <c>null</c> when not.</summary>
    public (string? RelayKey, string? WsSecret) Read(ParseResult parseResult) => (parseResult.GetValue(_relayKey), parseResult.GetValue(_wsSecret));
}
