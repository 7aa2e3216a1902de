using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Impairment;

namespace Perf.Cli.Load;

/// <summary><c>--network</c>: an impaired network between the run's connections and the target (docs/performance.md, "Impaired networks").</summary>
internal sealed class NetworkArguments : OptionGroup
{
    private readonly Option<string?> _network = new("--network") { Description = "An impaired network between the run's connections and the target: none, mobile, 3g, lossy, flaky, or key=value pairs (latency=50ms,jitter=10ms,bandwidth=1mbit,stall=2s/60s,reset=0.01/s,seed=42); see perf impair --help." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_network];

    /// <summary>The profile asked for (<c>null</c>: plain loopback), or false with a one-line problem naming the bad key.</summary>
    public bool TryRead(ParseResult parseResult, IReadOnlyList<string> targets, out NetworkProfile? profile, out string? problem)
    {
        profile = null;
        problem = null;
        if (parseResult.GetValue(_network) is not { } text)
        {
            return true;
        }

        if (!NetworkProfile.TryParse(text, out var parsed, out var error))
        {
            problem = $"--network: {error}";
            return false;
        }

        if (targets.Any(ClusterArguments.IsAnyCluster))
        {
            problem = "--network: not with relay-cluster (its nodes' links are not impaired)";
            return false;
        }

        profile = parsed;
        return true;
    }
}
