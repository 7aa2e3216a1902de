using System.Net;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// <c>relay-cluster</c>: the relay target's workload (connection i sends E2E-sealed envelopes to
/// identity i + 1) over the nodes of a <see cref="RelayCluster"/>. Connection i starts on node
/// i mod N, so sender and recipient sit on different nodes whenever N &gt; 1. A connection whose
/// node dies reconnects, as the same identity, to the next live node, sends again every message
/// that had no answer yet, and drops deliveries it saw before by relay message id (redelivery
/// after a lost ACK) or as an E2E replay (a resent copy the dead node had stored after all); both
/// are counted as duplicates. REJECTED store-unavailable (NATS lost or electing a leader) and
/// shutting-down are sent again after a pause, because the relay says the message is not held;
/// other rejections are final. The cluster's faults start with the measured window.
/// </summary>
public sealed class ClusterTarget : ILoadTarget
{
    private readonly RelayCluster _cluster;
    private readonly AeadAlgorithm _cipher;
    private readonly AeadBackend _backend;
    private readonly List<ClusterLoadConnection> _connections = [];
    private readonly List<Task> _receivers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _faults;
    private E2eRing? _ring;

    /// <summary>A target over <paramref name="cluster"/>'s relay nodes.</summary>
    public ClusterTarget(RelayCluster cluster, AeadAlgorithm cipher, AeadBackend backend)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _cipher = cipher;
        _backend = backend;
    }

    /// <inheritdoc />
    public string Name => "relay-cluster";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    /// <summary>Per-message outcomes (lost, unanswered) and the clients' failover counters.</summary>
    public DeliveryLedger Ledger { get; } = new();

    /// <summary>The clients' failover counters, shared by every connection.</summary>
    public ClusterClientCounters Counters { get; } = new();

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ring = new E2eRing(context.Connections, context.MessageSize, _cipher, _backend);
        var options = new RelayClientOptions { Cipher = _cipher, Backend = _backend, RelayKey = _cluster.Relays.RelayKey };
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            var connection = new ClusterLoadConnection(i, new Identity(_ring.Identity(_ring.RecipientOf(i))), _ring, context, _cluster.Relays, options, Ledger, Counters, _stop.Token);
            RelayClientConnection client;
            try
            {
                client = await connection.ConnectAsync(i % _cluster.Relays.Count, cancellationToken).ConfigureAwait(false);
            }
            catch (RelayClientException ex)
            {
                throw new LoadTargetException(ex.Message, ex);
            }

            _connections.Add(connection);
            connections[i] = connection;
            _receivers.Add(Task.Run(() => connection.ReceiveAsync(client), CancellationToken.None));
        }

        // Faults count from the measured window, which the runner opens right after this returns.
        _faults = Task.Run(() => InjectWhenMeasuringAsync(context), CancellationToken.None);
        return connections;
    }

    /// <summary>Stops fault injection and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_faults is not null)
        {
            await _faults.ConfigureAwait(false);
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_receivers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or RelayClientException or OperationCanceledException or ObjectDisposedException)
        {
            // The loops end with their connections.
        }

        _ring?.Dispose();
        _stop.Dispose();
    }

    private async Task InjectWhenMeasuringAsync(LoadTargetContext context)
    {
        while (context.MeasureStartTicks == long.MaxValue && !_stop.IsCancellationRequested)
        {
            await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
        }

        // Stopped before measuring: every fault is recorded as not applied.
        var start = context.MeasureStartTicks == long.MaxValue ? System.Diagnostics.Stopwatch.GetTimestamp() : context.MeasureStartTicks;
        await _cluster.InjectFaultsAsync(start, _stop.Token).ConfigureAwait(false);
    }
}

/// <summary>What the cluster target's clients did about faults, summed over connections.</summary>
public sealed class ClusterClientCounters
{
    private long _reconnects;
    private long _resent;
    private long _retriedRejections;
    private long _relayIdDuplicates;
    private long _replayDuplicates;
    private long _givenUp;

    /// <summary>Connections re-established on another node after a drop.</summary>
    public long Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Messages sent again on a new connection because the old one dropped before answering.</summary>
    public long Resent => Volatile.Read(ref _resent);

    /// <summary>Messages sent again after REJECTED store-unavailable or shutting-down.</summary>
    public long RetriedRejections => Volatile.Read(ref _retriedRejections);

    /// <summary>Deliveries dropped because their relay message id was seen before.</summary>
    public long RelayIdDuplicates => Volatile.Read(ref _relayIdDuplicates);

    /// <summary>Deliveries the E2E session refused as a replay: a second stored copy of a resent message.</summary>
    public long ReplayDuplicates => Volatile.Read(ref _replayDuplicates);

    /// <summary>Messages given up because so many newer ones on their connection were waiting for an answer that their slot was needed.</summary>
    public long GivenUp => Volatile.Read(ref _givenUp);

    internal void Reconnected() => Interlocked.Increment(ref _reconnects);

    internal void CountResent(long count) => Interlocked.Add(ref _resent, count);

    internal void RetriedRejection() => Interlocked.Increment(ref _retriedRejections);

    internal void RelayIdDuplicate() => Interlocked.Increment(ref _relayIdDuplicates);

    internal void ReplayDuplicate() => Interlocked.Increment(ref _replayDuplicates);

    internal void GaveUp() => Interlocked.Increment(ref _givenUp);
}
