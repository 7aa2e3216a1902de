using Perf.Load.Probes;
using Perf.Load.Targets;

namespace Perf.Load.Engine;

/// <summary>
/// What a run does beside its schedule, given to <see cref="OpenLoopRunner"/>: a probe that reads
/// the target once per series entry, and companions that act on clients while the measured
/// window is open (the idle clients' churn and vanishing). They run on the one engine: its
/// scheduler, recorders and series, not a second loop of their own.
/// </summary>
public sealed record LoadRunHooks
{
    /// <summary>No probe, no companions.</summary>
    public static LoadRunHooks None { get; } = new();

    /// <summary>Reads the target at each series boundary (memory, descriptors, collector), or <c>null</c>.</summary>
    public ITargetProbe? Probe { get; init; }

    /// <summary>Run from the opening of the measured window until its schedule ends.</summary>
    public IReadOnlyList<ILoadRunCompanion> Companions { get; init; } = [];
}

/// <summary>Something that acts on clients beside the schedule (a behaviour of the clients).</summary>
public interface ILoadRunCompanion
{
    /// <summary>
    /// Runs from the opening of the measured window; <paramref name="stop"/> fires when the
    /// schedule ends. Returns once what it started has settled (a reconnect under way finished),
    /// so the drain that follows sees the clients back.
    /// </summary>
    Task RunAsync(LoadRunWindow window, CancellationToken stop);
}

/// <summary>What a companion acts on.</summary>
/// <param name="Connections">The run's measured connections.</param>
/// <param name="Context">What they report to.</param>
public sealed record LoadRunWindow(IReadOnlyList<ILoadConnection> Connections, LoadTargetContext Context);
