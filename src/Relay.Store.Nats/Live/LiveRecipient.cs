using System.Buffers;
using NATS.Client.Core;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Protocol.Threading;

namespace Relay.Store.Nats.Live;

/// <summary>
/// One recipient with live connections on this node: its NATS subscription to the subject its
/// stored messages are republished on (the node's only per-recipient NATS state: no consumer, no
/// heartbeat, nothing while idle), the order its messages enter the cache in
/// (<see cref="SequenceChain"/>), and its ACKs waiting to be removed from the stream. Every message
/// of the recipient up to <see cref="Highest"/> is in the cache or gone (acknowledged, expired),
/// which is what lets its ACKs be removed in one purge below a sequence.
/// </summary>
internal sealed class LiveRecipient : NatsSubBase, IHold
{
    private readonly LiveRecipients _owner;
    private readonly Lock _gate = new();
    private readonly SequenceChain _chain = new();
    private List<ulong>? _acked;
    private bool _closed;
    private bool _purgeOwed;
    private int _removalQueued;

    public LiveRecipient(LiveRecipients owner, INatsConnection connection, Identity identity, string liveSubject)
        : base(connection, connection.SubscriptionManager, liveSubject, null, null)
    {
        _owner = owner;
        Identity = identity;
    }

    /// <summary>The recipient.</summary>
    public Identity Identity { get; }

    /// <summary>Which of the housekeeping ticks of a removal interval sends this recipient's removals (spreads the purges over the interval).</summary>
    public int RemovalPhase { get; init; }

    /// <summary>Live connections of the recipient on this node (changed under the owner's lock).</summary>
    public int Connections { get; set; }

    /// <summary>Every message of the recipient up to this sequence is in the cache, or gone.</summary>
    public ulong Highest
    {
        get
        {
            lock (_gate)
            {
                return _chain.Highest;
            }
        }
    }

    /// <summary>Whether this recipient's last connection here left.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>When a republished message started waiting for a missing one with no read running (<see cref="System.Diagnostics.Stopwatch"/> ticks), 0 when none does.</summary>
    public long GapSince
    {
        get
        {
            lock (_gate)
            {
                return _closed ? 0 : _chain.GapSince;
            }
        }
    }

    /// <summary>Marks a read of held messages as running; false when one already is (the first one is from birth) or the recipient left.</summary>
    public bool TryBeginRead()
    {
        lock (_gate)
        {
            return !_closed && _chain.BeginRead();
        }
    }

    /// <summary>A republished message (NATS's reader thread): into the cache when nothing before it is missing, else stashed.</summary>
    public void Offer(ulong sequence, ulong lastSequence, in ReadOnlySequence<byte> payload)
    {
        bool gapOpened;
        lock (_gate)
        {
            gapOpened = !_closed && _chain.Offer(sequence, lastSequence, payload, this);
        }

        if (gapOpened)
        {
            _owner.GapSeen(this);
        }
    }

    /// <summary>A message a read found: the oldest held one after <see cref="Highest"/>.</summary>
    public void Read(ulong sequence, in ReadOnlySequence<byte> payload)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _chain.Read(sequence, payload, this);
            }
        }
    }

    /// <summary>The read found nothing more: what was stashed meanwhile goes in; a gap still open is timed from now.</summary>
    public void EndRead()
    {
        bool gapOpen;
        lock (_gate)
        {
            gapOpen = _chain.EndRead(this) && !_closed;
        }

        if (gapOpen)
        {
            _owner.GapSeen(this);
        }
    }

    /// <summary>The recipient ACKed <paramref name="sequence"/> here; false when it left (the caller removes it at once).</summary>
    public bool Acked(ulong sequence)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            (_acked ??= []).Add(sequence);
            return true;
        }
    }

    /// <summary>
    /// What to remove from the stream now: the ACKed messages below the removal point (the lowest
    /// one still held here, else the one after <see cref="Highest"/>: everything below it is
    /// acknowledged) into <paramref name="acked"/> and, when <paramref name="final"/> (the recipient
    /// left; this closes it), the ACKed ones above it into <paramref name="stragglers"/>.
    /// </summary>
    public RemovalPlan Due(MemoryMailboxStore cache, bool final, List<ulong> acked, List<ulong> stragglers)
    {
        lock (_gate)
        {
            var removalPoint = Math.Min(cache.OldestHeld(Identity) ?? ulong.MaxValue, _chain.Highest + 1);
            if (_acked is { Count: > 0 })
            {
                var kept = 0;
                for (var i = 0; i < _acked.Count; i++)
                {
                    var sequence = _acked[i];
                    if (sequence < removalPoint)
                    {
                        acked.Add(sequence);
                    }
                    else if (final)
                    {
                        stragglers.Add(sequence);
                    }
                    else
                    {
                        _acked[kept++] = sequence;
                    }
                }

                _acked.RemoveRange(kept, _acked.Count - kept);
            }

            var owed = _purgeOwed;
            _purgeOwed = false;
            if (final)
            {
                _closed = true;
                _chain.Clear();
            }

            return new RemovalPlan(removalPoint, owed);
        }
    }

    /// <summary>Marks the recipient as queued for the next removal flush; false when it already is.</summary>
    public bool TryQueueRemoval() => Interlocked.Exchange(ref _removalQueued, 1) == 0;

    /// <summary>The flush took it off the queue: the next ACK queues it again.</summary>
    public void RemovalDequeued() => Volatile.Write(ref _removalQueued, 0);

    /// <summary>A purge up to the removal point failed: the next flush sends one again; false when the recipient left (nothing will).</summary>
    public bool PurgeFailed()
    {
        lock (_gate)
        {
            _purgeOwed = !_closed;
            return _purgeOwed;
        }
    }

    /// <inheritdoc />
    void IHold.Hold(ulong sequence, in ReadOnlySequence<byte> stored) => _owner.Hold(Identity, sequence, stored);

    /// <inheritdoc />
    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        // The recipient's connections are woken here, on the NATS reader, once the message is
        // cached: no hand-off to the thread pool for each delivery.
        using (ReadBatchWakes.Enter())
        {
            _owner.OnRepublished(this, headersBuffer, payloadBuffer);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override void TryComplete()
    {
        // Nothing is buffered here: messages go straight into the cache.
    }
}
