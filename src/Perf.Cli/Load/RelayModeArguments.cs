using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Targets.Relay;
using Relay.Crypto.E2e;

namespace Perf.Cli.Load;

/// <summary><c>--sealed-sender</c> and <c>--padding</c>: checked together, and only for relay targets.</summary>
internal sealed class RelayModeArguments : OptionGroup
{
    private readonly Option<bool> _sealedSender = new("--sealed-sender") { Description = "Relay targets (relay-cluster too): send SEALED_SEND over anonymous connections with sender certificates and delivery tokens." };
    private readonly Option<string> _padding = new("--padding") { Description = "Relay targets: pad every plaintext: none, block:N, pow2 or padme.", DefaultValueFactory = _ => "none" };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_sealedSender, _padding];

    /// <summary>The mode for these values, or a one-line problem (unknown scheme, a target that is not the relay).</summary>
    public bool TryRead(ParseResult parseResult, IReadOnlyList<string> targets, out RelayTargetMode mode, out string? problem)
    {
        mode = RelayTargetMode.Plain;
        problem = null;
        var sealedSender = parseResult.GetValue(_sealedSender);
        PaddingScheme scheme;
        try
        {
            scheme = PaddingScheme.Parse(parseResult.GetValue(_padding)!);
        }
        catch (FormatException ex)
        {
            problem = $"--padding: {ex.Message}";
            return false;
        }

        if (sealedSender || scheme.Pads)
        {
            foreach (var name in targets)
            {
                if (!IsRelay(name))
                {
                    problem = $"--sealed-sender and --padding apply to the relay targets (relay-tcp, relay-ws, relay-cluster); '{name}' is not one.";
                    return false;
                }
            }
        }

        mode = new RelayTargetMode(sealedSender, scheme);
        return true;
    }

    private static bool IsRelay(string target)
    {
        var name = target.Trim().ToLowerInvariant();
        return name is "relay-tcp" or "relay-ws" || name.StartsWith("relay-tcp://", StringComparison.Ordinal) || name.StartsWith("relay-ws://", StringComparison.Ordinal) || ClusterArguments.IsAnyCluster(name);
    }
}
