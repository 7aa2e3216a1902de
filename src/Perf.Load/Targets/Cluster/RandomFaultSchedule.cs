using System.Globalization;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// <c>--fault-schedule random:EVERY</c>: chaos over a long run. At EVERY, 2 × EVERY, ... inside the
/// measured window, one node picked at random from every relay and NATS node is restarted
/// (SIGKILL, then started again with the same ports and store; a NATS node counts as back once its
/// cluster has a JetStream meta leader with every node current). The picks come from
/// <see cref="Seed"/> alone, so the same seed, cluster size and window give the same faults
/// (<c>--fault-seed</c> repeats a run; the result records both).
/// </summary>
/// <param name="Every">Time between faults.</param>
/// <param name="Seed">Seed of the node picks.</param>
public sealed record RandomFaultSchedule(TimeSpan Every, int Seed)
{
    /// <summary>The form every error message shows.</summary>
    public const string Syntax = "random:EVERY, e.g. random:30s (a random relay or NATS node restarted every 30 s of the measured window)";

    /// <summary>The shortest time between faults: a restarted node needs a few seconds to come back.</summary>
    public static readonly TimeSpan MinEvery = TimeSpan.FromSeconds(2);

    /// <summary>Parses the value of <c>--fault-schedule</c> (the seed is given apart); false with a one-line <paramref name="error"/>.</summary>
    public static bool TryParseEvery(string? text, out TimeSpan every, out string? error)
    {
        every = default;
        error = null;
        var trimmed = text?.Trim() ?? "";
        if (!trimmed.StartsWith("random:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"--fault-schedule '{text}': expected {Syntax}.";
            return false;
        }

        if (!DurationText.TryParse(trimmed["random:".Length..], out every) || every < MinEvery)
        {
            error = $"--fault-schedule '{text}': EVERY is a duration of at least {MinEvery.TotalSeconds:0}s ({Syntax}).";
            return false;
        }

        return true;
    }

    /// <summary>A seed for a run that was given none.</summary>
    public static int NewSeed() => Random.Shared.Next(1, int.MaxValue);

    /// <summary>The faults for a cluster of this size over a measured window of <paramref name="measured"/>, in time order.</summary>
    public IReadOnlyList<ClusterFault> Faults(int relayNodes, int natsNodes, TimeSpan measured)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(relayNodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(natsNodes, 1);
        var random = new Random(Seed);
        var faults = new List<ClusterFault>();
        for (var at = Every; at < measured; at += Every)
        {
            var pick = random.Next(relayNodes + natsNodes);
            faults.Add(pick < relayNodes
                ? new ClusterFault(FaultAction.Restart, FaultNodeKind.Relay, pick, at)
                : new ClusterFault(FaultAction.Restart, FaultNodeKind.Nats, pick - relayNodes, at));
        }

        return faults;
    }

    /// <summary>The schedule as <c>--fault-schedule</c> writes it, e.g. <c>random:30s</c>.</summary>
    public override string ToString() => $"random:{Every.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
