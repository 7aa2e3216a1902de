namespace Perf.Load.Engine;

/// <summary>
/// What the runner reads as the target's resources, with another process read at the same
/// moments: the target's store beside a relay (its <c>nats-server</c>), or a cluster's NATS nodes
/// beside its relays. The runner reads at the opening of the measured window and at its end, so
/// afterwards <see cref="BesideBetweenFirstAndLast"/> is the other process's use over the same window.
/// </summary>
public sealed class ResourcesBeside(IProcessResources target, IProcessResources beside) : IProcessResources
{
    private readonly object _gate = new();
    private ProcessResourceSample? _first;
    private ProcessResourceSample? _last;

    /// <inheritdoc />
    public ProcessResourceSample Sample()
    {
        var sample = target.Sample();
        var besideNow = beside.Sample();
        lock (_gate)
        {
            _first ??= besideNow;
            _last = besideNow;
        }

        return sample;
    }

    /// <summary>The other process's use between the first and the last reading, over <paramref name="messages"/>.</summary>
    public ProcessUsage? BesideBetweenFirstAndLast(long messages)
    {
        lock (_gate)
        {
            return _first is { } first && _last is { } last && last.Timestamp > first.Timestamp ? ProcessUsage.Between(first, last, messages) : null;
        }
    }
}
