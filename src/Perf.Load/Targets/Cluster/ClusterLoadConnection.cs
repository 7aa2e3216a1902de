using System.Collections.Concurrent;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// One identity's client of a relay cluster that survives its node: it keeps each sent envelope
/// until the relay answers it, and when a connection drops it moves to the next live node (a
/// <see cref="FailoverLink"/>) and sends those again. Plain SEND uses one authenticated link for
/// both directions; sealed sender receives on the authenticated link and sends SEALED_SEND on an
/// anonymous one, each failing over on its own. Deliveries seen before (by relay id, or refused by
/// the E2E session as a replay) are dropped and counted as duplicates.
/// </summary>
internal sealed class ClusterLoadConnection : ILoadConnection, IAsyncDisposable
{
    // Messages of this connection that may wait for an answer at once (indexed by its own message number).
    private const int SlotBits = 10;
    private const int SlotMask = (1 << SlotBits) - 1;
    private const int Free = 0;
    private const int Awaiting = 1;
    private const int NeedsResend = 2;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly int _index;
    private readonly Identity _recipient;
    private readonly DeliveryToken _recipientToken;
    private readonly E2eRing _ring;
    private readonly LoadTargetContext _context;
    private readonly DeliveryLedger _ledger;
    private readonly ClusterClientCounters _counters;
    private readonly ClusterVerifiers? _verifiers;
    private readonly CancellationToken _stop;
    private readonly FailoverLink _receiver;
    private readonly FailoverLink _sender;
    private readonly Slot[] _slots = new Slot[SlotMask + 1];
    private readonly ConcurrentQueue<ulong> _acks = new();
    private readonly RecentRelayIds _recent = new(16_384);
    private Task _refresh = Task.CompletedTask;
    private int _retryScheduled;

    /// <summary>Connection <paramref name="index"/> of the ring, starting on <paramref name="firstNode"/>; sealed sender when <paramref name="verifiers"/> is given.</summary>
    public ClusterLoadConnection(int index, int firstNode, E2eRing ring, LoadTargetContext context, ClusterConnector connector, DeliveryLedger ledger, ClusterClientCounters counters, ClusterVerifiers? verifiers, CancellationToken stop)
    {
        _index = index;
        _ring = ring;
        _context = context;
        _ledger = ledger;
        _counters = counters;
        _verifiers = verifiers;
        _stop = stop;
        var recipient = ring.RecipientOf(index);
        _recipient = new Identity(ring.Identity(recipient));
        _recipientToken = verifiers is null ? default : ring.TokenOf(recipient);
        _receiver = new FailoverLink(connector, ring.KeyPair(index), firstNode, stop);
        _sender = verifiers is null ? _receiver : new FailoverLink(connector, identity: null, firstNode, stop);
    }

    /// <summary>Connects its links and starts reading them (and failing them over) in the background.</summary>
    /// <exception cref="RelayClientException">No node took a connection.</exception>
    public async Task<Task> StartAsync(CancellationToken cancellationToken)
    {
        var received = await _receiver.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var receiving = Task.Run(() => _receiver.RunAsync(received, OnFrame, ReceiverAdopted, _counters.Reconnected), CancellationToken.None);
        if (ReferenceEquals(_sender, _receiver))
        {
            return receiving;
        }

        var sent = await _sender.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var sending = Task.Run(() => _sender.RunAsync(sent, OnFrame, SenderAdopted, _counters.Reconnected), CancellationToken.None);
        return Task.WhenAll(receiving, sending);
    }

    public void Write(long sequence, long intendedTicks, bool measured)
    {
        var envelope = _ring.Seal(_index, sequence, intendedTicks, measured, _context);
        if (measured)
        {
            _ledger.MarkMeasured(sequence);
        }

        _sender.Gate.Wait();
        try
        {
            ref var slot = ref _slots[SlotOf(sequence)];
            if (Volatile.Read(ref slot.State) != Free)
            {
                _counters.GaveUp();
            }

            slot.Sequence = sequence;
            slot.Measured = measured;
            if (slot.Envelope is null || slot.Envelope.Length < envelope.Length)
            {
                slot.Envelope = new byte[envelope.Length];
            }

            envelope.CopyTo(slot.Envelope);
            slot.Length = envelope.Length;
            var client = _sender.Client;
            Volatile.Write(ref slot.State, client is null ? NeedsResend : Awaiting);
            if (client is not null)
            {
                Send(client, sequence, envelope);
            }
        }
        finally
        {
            _sender.Gate.Release();
        }
    }

    public ValueTask FlushAsync()
    {
        if (ReferenceEquals(_sender, _receiver))
        {
            return Flush(_sender, acks: true);
        }

        // Sealed: ACKs go on the authenticated link (only when there are some), sends on the anonymous one.
        if (_acks.IsEmpty)
        {
            return Flush(_sender, acks: false);
        }

        var acked = Flush(_receiver, acks: true);
        return acked.IsCompletedSuccessfully ? Flush(_sender, acks: false) : ThenFlushSenderAsync(acked);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync().ConfigureAwait(false);
        if (!ReferenceEquals(_sender, _receiver))
        {
            await _sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int SlotOf(long sequence, int connections) => (int)((sequence / connections) & SlotMask);

    private int SlotOf(long sequence) => SlotOf(sequence, _context.Connections);

    private void Send(RelayClientConnection client, long sequence, ReadOnlySpan<byte> envelope)
    {
        if (_verifiers is null)
        {
            client.Send((ulong)sequence, _recipient, envelope);
        }
        else
        {
            client.SealedSend((ulong)sequence, _recipient, _recipientToken, envelope);
        }
    }

    private async ValueTask ThenFlushSenderAsync(ValueTask acked)
    {
        await acked.ConfigureAwait(false);
        await Flush(_sender, acks: false).ConfigureAwait(false);
    }

    // Under the link's gate, released when the flush completes (at once unless the socket pushes back).
    private ValueTask Flush(FailoverLink link, bool acks)
    {
        link.Gate.Wait();
        var client = link.Client;
        if (client is null)
        {
            // Between nodes: what was written waits in its slot for the new connection.
            link.Gate.Release();
            return ValueTask.CompletedTask;
        }

        ValueTask flush;
        try
        {
            while (acks && _acks.TryDequeue(out var relayId))
            {
                client.Ack(relayId);
            }

            flush = client.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex) when (FailoverLink.IsDrop(ex))
        {
            // The link's read loop sees the same drop and moves to another node.
            link.Gate.Release();
            return ValueTask.CompletedTask;
        }

        if (!flush.IsCompleted)
        {
            return ReleaseAfterAsync(link.Gate, flush);
        }

        try
        {
            flush.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (FailoverLink.IsDrop(ex))
        {
            // As above.
        }
        finally
        {
            link.Gate.Release();
        }

        return ValueTask.CompletedTask;
    }

    private static async ValueTask ReleaseAfterAsync(SemaphoreSlim gate, ValueTask flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (Exception ex) when (FailoverLink.IsDrop(ex))
        {
            // The read loop sees the same drop.
        }
        finally
        {
            gate.Release();
        }
    }

    private void OnFrame(RelayFrame frame, long received)
    {
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
            case FrameType.Rejected when (RejectReason)frame.Code == RejectReason.DeliveryTokenInvalid && _verifiers is not null:
                // A node that restarted and forgot the verifiers: it gets them again, then the message goes again.
                _refresh = _verifiers.RefreshAsync(_sender.Node, _stop);
                RetryLater(frame.ClientMessageId);
                break;
            case FrameType.Rejected:
                Answered(frame.ClientMessageId, accepted: false);
                break;
        }
    }

    private void Delivered(RelayFrame frame, long received)
    {
        _acks.Enqueue(frame.RelayMessageId);
        if (!_recent.Add(frame.RelayMessageId))
        {
            // Delivered before and its ACK lost with the connection: the new node delivers it again.
            _counters.RelayIdDuplicate();
            _context.Recorders.CountDuplicate();
            return;
        }

        var envelope = frame.Envelope.IsSingleSegment ? frame.Envelope.FirstSpan : System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        var opened = _ring.OpenAndReport(_index, envelope, received, _context, out var sequence);
        if (opened == E2eError.Replay)
        {
            // A resent message whose first copy the dead node had stored after all.
            _counters.ReplayDuplicate();
            _context.Recorders.CountDuplicate();
        }
        else if (opened == E2eError.None)
        {
            _ledger.MarkDelivered(sequence);
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
            _ledger.MarkAccepted(sequence);
        }
        else
        {
            _ledger.MarkRejected(sequence);
        }

        if (slot.Measured)
        {
            if (accepted)
            {
                _context.Accepted();
            }
            else
            {
                _context.Rejected();
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

        _counters.RetriedRejection();
        if (Interlocked.Exchange(ref _retryScheduled, 1) == 0)
        {
            _ = RetryAfterPauseAsync();
        }
    }

    private async Task RetryAfterPauseAsync()
    {
        try
        {
            await Task.Delay(RetryPause, _stop).ConfigureAwait(false);
            await _refresh.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Volatile.Write(ref _retryScheduled, 0);
        await _sender.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_sender.Client is { } client && SendAgain(client, includeAwaiting: false) > 0)
            {
                await client.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (FailoverLink.IsDrop(ex))
        {
            // The read loop reconnects and sends them again.
        }
        finally
        {
            _sender.Gate.Release();
        }
    }

    // Under the sender's gate, on its new connection: everything without an answer goes out again.
    private int SenderAdopted(RelayClientConnection client)
    {
        var sent = SendAgain(client, includeAwaiting: true);
        _counters.CountResent(sent);
        return sent;
    }

    // The plain link is both: its resends are the sender's. A sealed receiver has nothing to resend.
    private int ReceiverAdopted(RelayClientConnection client) => ReferenceEquals(_sender, _receiver) ? SenderAdopted(client) : 0;

    // Under the sender's gate. Returns how many were sent.
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
                    Send(client, slot.Sequence, slot.Envelope.AsSpan(0, slot.Length));
                    sent++;
                }
            }
        }

        return sent;
    }

    private struct Slot
    {
        public long Sequence;
        public int State;
        public bool Measured;
        public byte[]? Envelope;
        public int Length;
    }
}
