using System.Collections.Concurrent;
using System.Net.Sockets;
using Perf.Load.Processes;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// One identity's connection to a relay cluster that survives its node: it keeps each sent
/// envelope until the relay answers it, and when the connection drops it connects to the next
/// live node as the same identity and sends those again. One gate serialises everything written
/// to the transport (the scheduler's sends, ACKs and flushes; the resends), held until a flush
/// completes so nothing is written under a pending flush; the receive loop never waits on it
/// while it reads.
/// </summary>
internal sealed class ClusterLoadConnection(
    int index,
    Identity recipient,
    E2eRing ring,
    LoadTargetContext context,
    RelayNodes nodes,
    RelayClientOptions options,
    DeliveryLedger ledger,
    ClusterClientCounters counters,
    CancellationToken stop) : ILoadConnection, IAsyncDisposable
{
    // Messages of this connection that may wait for an answer at once (indexed by its own message number).
    private const int SlotBits = 10;
    private const int SlotMask = (1 << SlotBits) - 1;
    private const int Free = 0;
    private const int Awaiting = 1;
    private const int NeedsResend = 2;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(50);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Slot[] _slots = new Slot[SlotMask + 1];
    private readonly ConcurrentQueue<ulong> _acks = new();
    private readonly RecentRelayIds _recent = new(16_384);
    private RelayClientConnection? _client;
    private int _node;
    private int _retryScheduled;
    private bool _disposed;

    /// <summary>Connects as this identity to node <paramref name="node"/> (or, when it is down, the next live one).</summary>
    /// <exception cref="RelayClientException">No node took the connection.</exception>
    public async Task<RelayClientConnection> ConnectAsync(int node, CancellationToken cancellationToken)
    {
        _node = node;
        var client = await ConnectToLiveNodeAsync(attempts: nodes.Count, cancellationToken).ConfigureAwait(false)
            ?? throw new RelayClientException($"no relay node took connection {index}");
        _client = client;
        return client;
    }

    public void Write(long sequence, long intendedTicks, bool measured)
    {
        var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
        if (measured)
        {
            ledger.MarkMeasured(sequence);
        }

        _gate.Wait();
        try
        {
            ref var slot = ref _slots[SlotOf(sequence)];
            if (Volatile.Read(ref slot.State) != Free)
            {
                counters.GaveUp();
            }

            slot.Sequence = sequence;
            slot.Measured = measured;
            if (slot.Envelope is null || slot.Envelope.Length < envelope.Length)
            {
                slot.Envelope = new byte[envelope.Length];
            }

            envelope.CopyTo(slot.Envelope);
            slot.Length = envelope.Length;
            Volatile.Write(ref slot.State, _client is null ? NeedsResend : Awaiting);
            _client?.Send((ulong)sequence, recipient, envelope);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask FlushAsync()
    {
        _gate.Wait();
        var client = _client;
        if (client is null)
        {
            // Between nodes: what was written waits in its slot for the new connection.
            _gate.Release();
            return ValueTask.CompletedTask;
        }

        ValueTask flush;
        try
        {
            while (_acks.TryDequeue(out var relayId))
            {
                client.Ack(relayId);
            }

            flush = client.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // The receive loop sees the same drop and moves to another node.
            _gate.Release();
            return ValueTask.CompletedTask;
        }

        if (!flush.IsCompleted)
        {
            return ReleaseAfterAsync(flush);
        }

        try
        {
            flush.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // As above.
        }
        finally
        {
            _gate.Release();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Reads answers and deliveries; on a drop, reconnects to another node and sends again what had no answer.</summary>
    public async Task ReceiveAsync(RelayClientConnection first)
    {
        var client = first;
        while (client is not null)
        {
            await ReadUntilClosedAsync(client).ConfigureAwait(false);
            await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (ReferenceEquals(_client, client))
                {
                    _client = null;
                }
            }
            finally
            {
                _gate.Release();
            }

            await client.DisposeAsync().ConfigureAwait(false);
            if (stop.IsCancellationRequested || Volatile.Read(ref _disposed))
            {
                return;
            }

            _node++;
            client = await ConnectToLiveNodeAsync(attempts: int.MaxValue, stop).ConfigureAwait(false);
            if (client is not null)
            {
                counters.Reconnected();
                await AdoptAsync(client).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        RelayClientConnection? client;
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            client = _client;
            _client = null;
        }
        finally
        {
            _gate.Release();
        }

        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadUntilClosedAsync(RelayClientConnection client)
    {
        try
        {
            while (await client.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                var received = LoadTargetContext.Now();
                switch (frame.Type)
                {
                    case FrameType.Deliver:
                        Delivered(frame, received);
                        break;
                    case FrameType.Accepted:
                        Answered(frame.ClientMessageId, accepted: true);
                        break;
                    case FrameType.Rejected when (RejectReason)frame.Code is RejectReason.StoreUnavailable or RejectReason.ShuttingDown:
                        // Not held: send it again shortly, through whichever node this connection has then.
                        RetryLater(frame.ClientMessageId);
                        break;
                    case FrameType.Rejected:
                        Answered(frame.ClientMessageId, accepted: false);
                        break;
                    case FrameType.Error:
                        return;
                }
            }
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // A node killed mid-frame: the same as a close.
        }
    }

    private void Delivered(RelayFrame frame, long received)
    {
        _acks.Enqueue(frame.RelayMessageId);
        if (!_recent.Add(frame.RelayMessageId))
        {
            // Delivered before and its ACK lost with the connection: the new node delivers it again.
            counters.RelayIdDuplicate();
            context.Recorders.CountDuplicate();
            return;
        }

        var envelope = frame.Envelope.IsSingleSegment ? frame.Envelope.FirstSpan : System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        var opened = ring.OpenAndReport(index, envelope, received, context, out var sequence);
        if (opened == E2eError.Replay)
        {
            // A resent message whose first copy the dead node had stored after all.
            counters.ReplayDuplicate();
            context.Recorders.CountDuplicate();
        }
        else if (opened == E2eError.None)
        {
            ledger.MarkDelivered(sequence);
        }
    }

    private void Answered(ulong clientId, bool accepted)
    {
        var sequence = (long)clientId;
        ref var slot = ref _slots[SlotOf(sequence)];
        if (Volatile.Read(ref slot.Sequence) != sequence || Interlocked.Exchange(ref slot.State, Free) == Free)
        {
            return; // an answer to a copy already answered
        }

        if (accepted)
        {
            ledger.MarkAccepted(sequence);
        }
        else
        {
            ledger.MarkRejected(sequence);
        }

        if (slot.Measured)
        {
            if (accepted)
            {
                context.Accepted();
            }
            else
            {
                context.Rejected();
            }
        }
    }

    private void RetryLater(ulong clientId)
    {
        var sequence = (long)clientId;
        ref var slot = ref _slots[SlotOf(sequence)];
        if (Volatile.Read(ref slot.Sequence) != sequence || Interlocked.CompareExchange(ref slot.State, NeedsResend, Awaiting) != Awaiting)
        {
            return;
        }

        counters.RetriedRejection();
        if (Interlocked.Exchange(ref _retryScheduled, 1) == 0)
        {
            _ = RetryAfterPauseAsync();
        }
    }

    private async Task RetryAfterPauseAsync()
    {
        try
        {
            await Task.Delay(RetryPause, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Volatile.Write(ref _retryScheduled, 0);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_client is { } client)
            {
                SendAgain(client, includeAwaiting: false);
                await client.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // The receive loop reconnects and sends them again.
        }
        finally
        {
            _gate.Release();
        }
    }

    // A new connection: everything without an answer goes out on it, then the scheduler may write.
    private async Task AdoptAsync(RelayClientConnection client)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _client = client;
            counters.CountResent(SendAgain(client, includeAwaiting: true));
            await client.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // Dropped again at once: the receive loop reads the close and moves on.
        }
        finally
        {
            _gate.Release();
        }
    }

    // Under the gate. Returns how many were sent.
    private int SendAgain(RelayClientConnection client, bool includeAwaiting)
    {
        var sent = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            ref var slot = ref _slots[i];
            var state = Volatile.Read(ref slot.State);
            if (state == NeedsResend || (includeAwaiting && state == Awaiting))
            {
                if (Interlocked.CompareExchange(ref slot.State, Awaiting, state) == state)
                {
                    client.Send((ulong)slot.Sequence, recipient, slot.Envelope.AsSpan(0, slot.Length));
                    sent++;
                }
            }
        }

        return sent;
    }

    private async ValueTask ReleaseAfterAsync(ValueTask flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // The receive loop sees the same drop.
        }
        finally
        {
            _gate.Release();
        }
    }

    // Tries the nodes in turn from _node, pausing once round the list; null when stopped.
    private async Task<RelayClientConnection?> ConnectToLiveNodeAsync(int attempts, CancellationToken cancellationToken)
    {
        RelayClientException? last = null;
        for (var attempt = 0; attempt < attempts && !cancellationToken.IsCancellationRequested; attempt++, _node++)
        {
            var node = _node % nodes.Count;
            if (nodes.EndPointOf(node) is { } endPoint)
            {
                try
                {
                    return await RelayClientConnection.ConnectTcpAsync(endPoint, ring.KeyPair(index), options, cancellationToken).ConfigureAwait(false);
                }
                catch (RelayClientException ex)
                {
                    last = ex;
                }
            }

            if ((attempt + 1) % nodes.Count == 0)
            {
                try
                {
                    await Task.Delay(ReconnectPause, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return attempts == int.MaxValue || last is null ? null : throw last;
    }

    // IOException covers Kestrel's ConnectionResetException (a reset under the client's socket pipe).
    private static bool IsDrop(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or RelayClientException or OperationCanceledException
            or global::Relay.Crypto.Noise.NoiseException;

    private static int SlotOf(long sequence, int connections) => (int)((sequence / connections) & SlotMask);

    private int SlotOf(long sequence) => SlotOf(sequence, context.Connections);

    private struct Slot
    {
        public long Sequence;
        public int State;
        public bool Measured;
        public byte[]? Envelope;
        public int Length;
    }
}
