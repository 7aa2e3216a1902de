using Perf.Load.Net;
using Perf.Load.Targets.Relay;
using Relay.Client;
using Relay.Crypto.Aead;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// <c>relay-cluster</c>: the relay target's workload (connection i sends E2E-sealed envelopes to
/// identity i + 1, plain or sealed sender, padded or not: <see cref="RelayTargetMode"/>) over the
/// nodes of a cluster (<see cref="ClusterNodes"/>), on Noise/TCP over the generator's own sockets
/// or on each node's WebSocket gateway. Connection i starts on node (first + i) mod N, so sender
/// and recipient sit on different nodes whenever N &gt; 1. A connection whose node dies
/// reconnects, as the same identity, to the next live node, sends again every message that had no
/// answer yet, and drops deliveries it saw before by relay message id (redelivery after a lost
/// ACK) or as an E2E replay (a resent copy the dead node had stored after all); both are counted
/// as duplicates. REJECTED store-unavailable (NATS lost or electing a leader) and shutting-down are
/// sent again after a pause, because the relay says the message is not held; other rejections are
/// final. When the cluster was started here, its faults start with the measured window.
/// </summary>
public sealed class ClusterTarget : ILoadTarget, ICallerPumpedTarget
{
    private readonly ClusterNodes _nodes;
    private readonly RelayCluster? _faults;
    private readonly AeadAlgorithm _cipher;
    private readonly AeadBackend _backend;
    private readonly RelayTargetMode _mode;
    private readonly int _firstConnection;
    private readonly List<ClusterLoadConnection> _connections = [];
    private readonly List<Task> _receivers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _faulting;
    private E2eRing? _ring;
    private DirectSockets? _direct;
    private ClusterVerifiers? _verifiers;
    private int _disposed;

    /// <summary>A target over <paramref name="cluster"/>'s relay nodes that also applies its faults.</summary>
    public ClusterTarget(RelayCluster cluster, ClusterTransport transport, AeadAlgorithm cipher, AeadBackend backend, RelayTargetMode? mode = null)
        : this(ClusterNodes.Of((cluster ?? throw new ArgumentNullException(nameof(cluster))).Relays, transport), cipher, backend, mode)
    {
        _faults = cluster;
    }

    /// <summary>A target over <paramref name="nodes"/> (no faults of its own); connection i is connection <paramref name="firstConnection"/> + i of the whole run (a shard's slice).</summary>
    public ClusterTarget(ClusterNodes nodes, AeadAlgorithm cipher, AeadBackend backend, RelayTargetMode? mode = null, int firstConnection = 0)
    {
        _nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));
        _cipher = cipher;
        _backend = backend;
        _mode = mode ?? RelayTargetMode.Plain;
        _firstConnection = firstConnection;
    }

    /// <inheritdoc />
    public string Name => "relay-cluster";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    /// <inheritdoc />
    public DirectSockets? Sockets => _direct;

    /// <summary>Per-message outcomes (lost, unanswered) and the clients' failover counters.</summary>
    public DeliveryLedger Ledger { get; } = new();

    /// <summary>The clients' failover counters, shared by every connection.</summary>
    public ClusterClientCounters Counters { get; } = new();

    /// <summary>Sealed sender: how many times a restarted node was given every verifier again.</summary>
    public long VerifierRefreshes => _verifiers?.Refreshes ?? 0;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ring = new E2eRing(context.Connections, context.MessageSize, _cipher, _backend, _mode.Padding, _mode.SealedSender);
        var options = new RelayClientOptions { Cipher = _cipher, Backend = _backend, RelayKey = _nodes.RelayKey };
        if (_nodes.Transport == ClusterTransport.Tcp)
        {
            // Each identity's links (two with sealed sender), and as many again for sockets of
            // dropped connections not yet read to their end while their replacements connect.
            _direct = new DirectSockets(context.Connections * (_mode.SealedSender ? 2 : 1) * 2 + 64);
            _direct.Start();
        }

        var connector = new ClusterConnector(_nodes, options, _direct);
        var connections = new ILoadConnection[context.Connections];
        try
        {
            if (_mode.SealedSender)
            {
                _verifiers = new ClusterVerifiers(_ring, connector);
                await _verifiers.RegisterEverywhereAsync(cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < connections.Length; i++)
            {
                var connection = new ClusterLoadConnection(i, (_firstConnection + i) % _nodes.Count, _ring, context, connector, Ledger, Counters, _verifiers, _stop.Token);
                _connections.Add(connection);
                _receivers.Add(await connection.StartAsync(cancellationToken).ConfigureAwait(false));
                connections[i] = connection;
            }
        }
        catch (RelayClientException ex)
        {
            throw new LoadTargetException(ex.Message, ex);
        }

        // Faults count from the measured window, which the runner opens right after this returns.
        if (_faults is not null)
        {
            _faulting = Task.Run(() => InjectWhenMeasuringAsync(_faults, context), CancellationToken.None);
        }

        return connections;
    }

    /// <summary>Stops fault injection and closes every connection (once: a find-max search disposes its steps' targets itself).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_faulting is not null)
        {
            await _faulting.ConfigureAwait(false);
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

        _direct?.Dispose();
        _ring?.Dispose();
        _stop.Dispose();
    }

    private async Task InjectWhenMeasuringAsync(RelayCluster cluster, LoadTargetContext context)
    {
        while (context.MeasureStartTicks == long.MaxValue && !_stop.IsCancellationRequested)
        {
            await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
        }

        // Stopped before measuring: every fault is recorded as not applied.
        var start = context.MeasureStartTicks == long.MaxValue ? System.Diagnostics.Stopwatch.GetTimestamp() : context.MeasureStartTicks;
        await cluster.InjectFaultsAsync(start, _stop.Token).ConfigureAwait(false);
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
