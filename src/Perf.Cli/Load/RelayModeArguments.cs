using Perf.Load.Targets.Relay;
using Relay.Crypto.E2e;

namespace Perf.Cli.Load;

/// <summary><c>--sealed-sender</c> and <c>--padding</c>: checked together, and only for relay targets.</summary>
internal static class RelayModeArguments
{
    /// <summary>The mode for these values, or a one-line problem (unknown scheme, a target that is not the relay).</summary>
    public static bool TryParse(bool sealedSender, string padding, IReadOnlyList<string> targets, out RelayTargetMode mode, out string? problem)
    {
        mode = RelayTargetMode.Plain;
        problem = null;
        PaddingScheme scheme;
        try
        {
            scheme = PaddingScheme.Parse(padding);
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
                    problem = $"--sealed-sender and --padding apply to the relay targets (relay-tcp, relay-ws); '{name}' is not one.";
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
        return name is "relay-tcp" or "relay-ws" || name.StartsWith("relay-tcp://", StringComparison.Ordinal) || name.StartsWith("relay-ws://", StringComparison.Ordinal);
    }
}
