using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// The mailbox store the measured relay used, named so a plan never reads a durable-store
/// measurement as a memory-store one: a relay cluster's JetStream, a <c>nats-server</c> measured
/// beside the relay, a <c>--store nats://</c> that ran elsewhere (not measured), or the relay's memory.
/// </summary>
/// <param name="Description">The store in words, for the plan.</param>
/// <param name="Durable">Whether messages were held in JetStream (a NATS fleet is needed).</param>
/// <param name="Nats">The measured nats-server process(es), when they were measured.</param>
/// <param name="MeasuredNatsNodes">How many nats-server processes <paramref name="Nats"/> sums.</param>
/// <param name="Replicas">JetStream replicas of the mailbox stream.</param>
internal sealed record MeasuredStore(string Description, bool Durable, TargetUsage? Nats, int MeasuredNatsNodes, int Replicas)
{
    /// <summary>The store of <paramref name="result"/>.</summary>
    public static MeasuredStore Of(PerfResult result)
    {
        if (result.Cluster is { } cluster)
        {
            return new($"JetStream on {cluster.NatsNodes} nats-server node(s), {cluster.StoreReplicas} replica(s), behind {cluster.RelayNodes} relay node(s) (relay-cluster)", true, cluster.Nats, cluster.NatsNodes, cluster.StoreReplicas);
        }

        var asked = OptionValue(result.Command, "--store");
        if (result.Store is { } measured)
        {
            return new($"JetStream on a {measured.Process} beside the relay (--store {asked ?? "nats"}), 1 replica", true, measured, 1, 1);
        }

        if (asked is null or "memory")
        {
            return new("the relay's memory (mailboxes in the relay process: lost when it restarts)", false, null, 0, 0);
        }

        return new($"JetStream at --store {asked}, whose nats-server this result did not measure", true, null, 0, 1);
    }

    // "--store VALUE" or "--store=VALUE" in a recorded command line.
    private static string? OptionValue(string command, string option)
    {
        var tokens = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == option && i + 1 < tokens.Length)
            {
                return tokens[i + 1];
            }

            if (tokens[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                return tokens[i][(option.Length + 1)..];
            }
        }

        return null;
    }
}
