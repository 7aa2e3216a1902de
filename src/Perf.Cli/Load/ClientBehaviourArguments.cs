using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Perf.Load.Behaviours;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load</c>'s client behaviours, each off by default: churn (<c>--churn</c>,
/// <c>--churn-away</c>), slow consumers (<c>--slow-consumers</c>, <c>--slow-consumer-rate</c>) and
/// vanishing idle clients (<c>--vanishing</c>).
/// </summary>
internal sealed class ClientBehaviourArguments : OptionGroup
{
    private readonly Option<double> _churn = new("--churn") { Description = "Percent of the clients (the run's connections and the idle ones) that close and reconnect as the same identity each minute; messages to them wait in their mailbox meanwhile. relay-tcp." };
    private readonly Option<string> _churnAway = new("--churn-away") { Description = "How long a churned client stays away before it reconnects.", DefaultValueFactory = _ => "0s" };
    private readonly Option<double> _slow = new("--slow-consumers") { Description = "Percent of the receiving connections that read their socket at --slow-consumer-rate; their latency and delivery are reported apart. relay-tcp." };
    private readonly Option<double> _slowRate = new("--slow-consumer-rate") { Description = "Bytes a second a slow consumer reads.", DefaultValueFactory = _ => ClientBehaviours.DefaultSlowConsumerBytesPerSecond };
    private readonly Option<string> _slowDrain = new("--slow-consumer-drain") { Description = "After the measured window the slow consumers read at full speed for at most this long, so what the relay held for them is delivered before losses are counted.", DefaultValueFactory = _ => "2m" };
    private readonly Option<double> _vanishing = new("--vanishing") { Description = "Percent of the idle clients that stop reading and writing each minute without closing; the relay's idle timeout must reclaim them. Needs --idle-connections." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_churn, _churnAway, _slow, _slowRate, _slowDrain, _vanishing];

    /// <summary>The behaviours for <paramref name="targets"/>; <c>null</c> with a one-line <paramref name="problem"/> when they do not fit.</summary>
    public ClientBehaviours? Read(ParseResult parseResult, IReadOnlyList<string> targets, int idleConnections, out string? problem)
    {
        if (!DurationText.TryParse(parseResult.GetValue(_churnAway), out var away))
        {
            problem = "--churn-away takes a time such as 0s, 5s or 1m.";
            return null;
        }

        if (!DurationText.TryParse(parseResult.GetValue(_slowDrain), out var slowDrain))
        {
            problem = "--slow-consumer-drain takes a time such as 30s or 2m.";
            return null;
        }

        var behaviours = new ClientBehaviours
        {
            ChurnPercentPerMinute = parseResult.GetValue(_churn),
            ChurnAway = away,
            SlowConsumerPercent = parseResult.GetValue(_slow),
            SlowConsumerBytesPerSecond = parseResult.GetValue(_slowRate),
            SlowConsumerDrain = slowDrain,
            VanishingPercentPerMinute = parseResult.GetValue(_vanishing),
        };
        problem = behaviours.Validate();
        if (problem is not null)
        {
            return null;
        }

        var relayTcp = targets.All(t => IsRelayTcp(t));
        if ((behaviours.ChurnPercentPerMinute > 0 || behaviours.SlowConsumerPercent > 0) && !relayTcp)
        {
            problem = "--churn and --slow-consumers act on relay-tcp's own sockets: use --target relay-tcp.";
            return null;
        }

        if (behaviours.VanishingPercentPerMinute > 0 && (idleConnections == 0 || !targets.All(IsRelay)))
        {
            problem = "--vanishing acts on idle clients the relay's idle timeout reclaims: add --idle-connections N with --target relay-tcp or relay-ws and --target-process.";
            return null;
        }

        return behaviours;
    }

    private static bool IsRelayTcp(string target)
    {
        var name = target.Trim().ToLowerInvariant();
        return name == "relay-tcp" || name.StartsWith("relay-tcp://", StringComparison.Ordinal);
    }

    private static bool IsRelay(string target) => target.Trim().ToLowerInvariant() is "relay-tcp" or "relay-ws";
}
