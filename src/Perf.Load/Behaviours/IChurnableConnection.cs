using Perf.Load.Targets;

namespace Perf.Load.Behaviours;

/// <summary>
/// A measured connection that can leave and come back as the same identity (the relay target's).
/// It leaves at its next flush, on the scheduler's thread, so nothing is written to a closed
/// transport: what the scheduler wrote goes out, then its side closes (a FIN), it reads what the
/// relay still sends until the relay closes too, and reconnects. Meanwhile its flush stays pending,
/// so the scheduler holds its sends (a phone's outbox) and sends them late on its return, their
/// latency counted from their intended times; messages to it wait in its mailbox at the relay and
/// arrive when it is back.
/// </summary>
public interface IChurnableConnection
{
    /// <summary>Leaves at the next flush, stays away <paramref name="away"/>, comes back; <paramref name="stop"/> before it left skips it.</summary>
    Task<ChurnOutcome> ChurnAsync(TimeSpan away, CancellationToken stop);
}

/// <summary>The run's measured connections as a churn population.</summary>
public sealed class LoadConnectionPopulation : IChurnPopulation
{
    private readonly IReadOnlyList<ILoadConnection> _connections;

    /// <summary>A population over <paramref name="connections"/>.</summary>
    /// <exception cref="LoadTargetException">A connection cannot reconnect: the target does not support churn.</exception>
    public LoadConnectionPopulation(IReadOnlyList<ILoadConnection> connections, string targetName)
    {
        _connections = connections ?? throw new ArgumentNullException(nameof(connections));
        foreach (var connection in connections)
        {
            if (connection is not IChurnableConnection)
            {
                throw new LoadTargetException($"--churn reconnects the run's own clients, which {targetName} cannot do: use --target relay-tcp.");
            }
        }
    }

    /// <inheritdoc />
    public int Count => _connections.Count;

    /// <inheritdoc />
    public Task<ChurnOutcome> ChurnAsync(int member, TimeSpan away, CancellationToken stop) =>
        ((IChurnableConnection)_connections[member]).ChurnAsync(away, stop);
}
