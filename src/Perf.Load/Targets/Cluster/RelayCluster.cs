using System.Diagnostics;
using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Load.Processes;

namespace Perf.Load.Targets.Cluster;

/// <summary>How big a relay cluster is, how its clients reach it, where it runs and what goes wrong in it.</summary>
/// <param name="RelayNodes">How many <c>perf relay</c> processes.</param>
/// <param name="NatsNodes">How many <c>nats-server</c> processes.</param>
/// <param name="Faults">Faults to inject, in any order (those of <see cref="Schedule"/> included).</param>
public sealed record RelayClusterPlan(int RelayNodes, int NatsNodes, IReadOnlyList<ClusterFault> Faults)
{
    /// <summary>JetStream replicas of the mailbox stream: min(3, NATS nodes).</summary>
    public int StoreReplicas => Math.Min(3, NatsNodes);

    /// <summary>Noise/TCP or the WebSocket gateway.</summary>
    public ClusterTransport Transport { get; init; } = ClusterTransport.Tcp;

    /// <summary>The CPUs every relay process is pinned to, or <c>null</c>.</summary>
    public CpuSet? RelayCpus { get; init; }

    /// <summary>The CPUs every nats-server process is pinned to, or <c>null</c>.</summary>
    public CpuSet? NatsCpus { get; init; }

    /// <summary>The random fault schedule whose faults are among <see cref="Faults"/>, or <c>null</c>.</summary>
    public RandomFaultSchedule? Schedule { get; init; }

    /// <summary>Every relay's <c>--store-publish-window</c>, in microseconds (0: publishes leave at once).</summary>
    public int PublishWindowMicroseconds { get; init; }
}

/// <summary>A fault as it happened: when it was scheduled and applied, from the start of the measured window, or why it could not be.</summary>
/// <param name="Fault">The fault.</param>
/// <param name="AppliedSeconds">When the process was killed (a restart: when the new one was ready is <paramref name="ReadySeconds"/>); <c>null</c> when it was not applied.</param>
/// <param name="ReadySeconds">A restart: when the node was back.</param>
/// <param name="Problem">Why it was not applied (the run ended first, the node was down already, the restart failed).</param>
public sealed record AppliedFault(ClusterFault Fault, double? AppliedSeconds, double? ReadySeconds, string? Problem);

/// <summary>
/// A relay cluster started for one load command: an M-node NATS cluster with JetStream and N relay
/// nodes on it (one stream, R = min(3, M)), and the faults of its plan, applied at their times.
/// </summary>
public sealed class RelayCluster : IAsyncDisposable
{
    private readonly List<AppliedFault> _applied = [];

    private RelayCluster(RelayClusterPlan plan, NatsCluster nats, RelayNodes relays)
    {
        Plan = plan;
        Nats = nats;
        Relays = relays;
        Usage = new ClusterUsage(relays.Processes, nats.Processes);
    }

    /// <summary>The plan it was started with.</summary>
    public RelayClusterPlan Plan { get; }

    /// <summary>The NATS nodes.</summary>
    public NatsCluster Nats { get; }

    /// <summary>The relay nodes.</summary>
    public RelayNodes Relays { get; }

    /// <summary>The relays' CPU time for the runner (the target's), with the NATS nodes' read at the same moments.</summary>
    public ClusterUsage Usage { get; }

    /// <summary>The faults as they happened, in the order they were applied.</summary>
    public IReadOnlyList<AppliedFault> Applied
    {
        get
        {
            lock (_applied)
            {
                return [.. _applied];
            }
        }
    }

    /// <summary>Starts the NATS cluster, waits for its JetStream meta leader, then the relays.</summary>
    /// <exception cref="LoadTargetException">Something did not start; the message says what.</exception>
    public static async Task<RelayCluster> StartAsync(RelayClusterPlan plan, Func<ProcessStartInfo> perfCommand, string cipher, string backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var nats = await NatsCluster.StartAsync(plan.NatsNodes, cancellationToken, plan.NatsCpus).ConfigureAwait(false);
        try
        {
            var relays = await RelayNodes.StartAsync(perfCommand, cipher, backend, nats.Urls, plan.StoreReplicas, plan.RelayNodes, plan.RelayCpus, cancellationToken, plan.PublishWindowMicroseconds).ConfigureAwait(false);
            return new RelayCluster(plan, nats, relays);
        }
        catch
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Applies the plan's faults at their times after <paramref name="measureStartTicks"/> (a
    /// Stopwatch timestamp) until <paramref name="cancellationToken"/> ends the run; faults whose
    /// time the run did not reach are recorded as not applied.
    /// </summary>
    public async Task InjectFaultsAsync(long measureStartTicks, CancellationToken cancellationToken)
    {
        var faults = new List<ClusterFault>(Plan.Faults);
        faults.Sort((a, b) => a.At.CompareTo(b.At));
        foreach (var fault in faults)
        {
            var wait = fault.At - Stopwatch.GetElapsedTime(measureStartTicks);
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                // A fault due while an earlier restart took long comes after the run: not applied.
                cancellationToken.ThrowIfCancellationRequested();
                Record(await ApplyAsync(fault, measureStartTicks).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                Record(new AppliedFault(fault, null, null, "the run ended before its time"));
            }
        }
    }

    /// <summary>Stops every relay, then every NATS node.</summary>
    public async ValueTask DisposeAsync()
    {
        await Relays.DisposeAsync().ConfigureAwait(false);
        await Nats.DisposeAsync().ConfigureAwait(false);
    }

    // A restart once begun runs to its end, bounded by the node's own start timeout, even when the
    // run ends meanwhile: the cluster is whole afterwards, and the fault's record says when it was back.
    private async Task<AppliedFault> ApplyAsync(ClusterFault fault, long measureStartTicks)
    {
        var killed = fault.Kind == FaultNodeKind.Relay ? await Relays.KillAsync(fault.Node).ConfigureAwait(false) : await Nats.KillAsync(fault.Node).ConfigureAwait(false);
        var applied = Stopwatch.GetElapsedTime(measureStartTicks).TotalSeconds;
        if (!killed)
        {
            return new AppliedFault(fault, null, null, $"{fault.KindName} node {fault.Node} was down already");
        }

        if (fault.Action == FaultAction.Kill)
        {
            return new AppliedFault(fault, applied, null, null);
        }

        try
        {
            if (fault.Kind == FaultNodeKind.Relay)
            {
                await Relays.StartNodeAsync(fault.Node, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                // Back once its cluster has a meta leader with every node current again and it knows
                // that leader itself, so a schedule's next fault does not take a second node while
                // this one rejoins.
                await Nats.StartNodeAsync(fault.Node, CancellationToken.None).ConfigureAwait(false);
                await Nats.WaitForMetaLeaderAsync(CancellationToken.None, restarted: fault.Node).ConfigureAwait(false);
            }

            return new AppliedFault(fault, applied, Stopwatch.GetElapsedTime(measureStartTicks).TotalSeconds, null);
        }
        catch (LoadTargetException ex)
        {
            return new AppliedFault(fault, applied, null, $"killed, but did not start again: {ex.Message}");
        }
    }

    private void Record(AppliedFault fault)
    {
        lock (_applied)
        {
            _applied.Add(fault);
        }
    }
}

/// <summary>
/// What the runner reads as the target's resources: the relay processes' sum, with the NATS
/// processes read at the same moments, so that the NATS nodes' CPU over the same measured window
/// is known after the run (<see cref="NatsBetweenFirstAndLast"/>).
/// </summary>
public sealed class ClusterUsage(ProcessGroup relays, ProcessGroup nats) : IProcessResources
{
    private readonly ResourcesBeside _beside = new(relays, nats);

    /// <inheritdoc />
    public ProcessResourceSample Sample() => _beside.Sample();

    /// <summary>The NATS nodes' usage between the first and the last reading (the runner reads at the start and end of the measured window), over <paramref name="messages"/>.</summary>
    public ProcessUsage? NatsBetweenFirstAndLast(long messages) => _beside.BesideBetweenFirstAndLast(messages);
}
