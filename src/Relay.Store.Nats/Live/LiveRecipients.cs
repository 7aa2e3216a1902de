using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Live;

/// <summary>
/// Live delivery on one relay node: the recipients with a connection here, each subscribed to
/// where JetStream republishes its stored messages, and the node's per-node cache the
/// connections pull from. How a message stored through another node reaches a connection here is
/// this class's business: NATS routes the republished copy to every node subscribed for the
/// recipient (the subscription is the presence: it vanishes with the node's NATS connection),
/// and a gap in a recipient's sequence chain, a lost NATS connection or a stream leader change
/// makes the node read what it may have missed from the stream. Thread-safe.
/// </summary>
internal sealed class LiveRecipients : IAsyncDisposable
{
    private static readonly TimeSpan ReadRetry = TimeSpan.FromSeconds(1);
    // Read without a lock on every ACK; arrivals and departures change it under _membership.
    private readonly ConcurrentDictionary<Identity, LiveRecipient> _recipients = new();
    private readonly Lock _membership = new();
    private readonly ConcurrentQueue<LiveRecipient> _gaps = new();
    private readonly ConcurrentQueue<LiveRecipient> _removals = new();
    private readonly NatsConnection _connection;
    private readonly MailboxSubjects _subjects;
    private readonly HeldMessageReads _reads;
    private readonly MemoryMailboxStore _cache;
    private readonly JetStreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationToken _stop;
    private readonly AckRemoval _removal;
    private int _count;
    private int _created;

    public LiveRecipients(NatsConnection connection, MailboxSubjects subjects, StreamRequests requests, HeldMessageReads reads, MemoryMailboxStore cache, JetStreamMetrics metrics, ILogger logger, CancellationToken stop)
    {
        _connection = connection;
        _subjects = subjects;
        _reads = reads;
        _cache = cache;
        _metrics = metrics;
        _logger = logger;
        _stop = stop;
        _removal = new AckRemoval(requests, subjects, cache, metrics, logger, QueueRemoval, stop);
    }

    /// <summary>Recipients with a live connection on this node (one NATS subscription each).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>A live connection of <paramref name="identity"/> arrived; the first one subscribes and reads what is held.</summary>
    public void Attach(Identity identity)
    {
        LiveRecipient? created = null;
        lock (_membership)
        {
            if (_recipients.TryGetValue(identity, out var recipient))
            {
                recipient.Connections++;
                return;
            }

            created = new LiveRecipient(this, _connection, identity, _subjects.Live(identity)) { Connections = 1, RemovalPhase = _created++ & int.MaxValue };
            _recipients[identity] = created;
            Interlocked.Increment(ref _count);
        }

        _ = SubscribeAndReadAsync(created);
    }

    /// <summary>A live connection of <paramref name="identity"/> left; with the last one the node removes what it ACKed, unsubscribes and forgets the cached messages.</summary>
    public void Detach(Identity identity)
    {
        LiveRecipient? leaving;
        lock (_membership)
        {
            if (!_recipients.TryGetValue(identity, out leaving) || --leaving.Connections > 0)
            {
                return;
            }

            _recipients.TryRemove(identity, out _);
            Interlocked.Decrement(ref _count);
        }

        _removal.Flush(leaving, final: true);
        _ = UnsubscribeAsync(leaving);
        lock (_membership)
        {
            // A new connection may have arrived meanwhile: its recipient keeps the cache.
            if (!_recipients.ContainsKey(identity))
            {
                _cache.Forget(identity);
            }
        }
    }

    /// <summary><paramref name="identity"/> ACKed <paramref name="sequence"/> on this node (it was held here for it): removed in the next batch.</summary>
    public void Acked(Identity identity, ulong sequence)
    {
        if (_recipients.TryGetValue(identity, out var recipient) && recipient.Acked(sequence))
        {
            QueueRemoval(recipient);
        }
        else
        {
            _ = _removal.DeleteAsync(sequence);
        }
    }

    /// <summary>Every live recipient reads the stream for what it may have missed (after NATS came back, or a new stream leader took over).</summary>
    public void ReadAllAgain()
    {
        List<LiveRecipient> all;
        lock (_membership)
        {
            all = [.. _recipients.Values];
        }

        foreach (var recipient in all)
        {
            StartRead(recipient);
        }
    }

    /// <summary>
    /// Housekeeping: reads for gaps older than <paramref name="gapWait"/>, and the batched removals
    /// of the recipients in removal phase <paramref name="phase"/> of <paramref name="phases"/>
    /// (one tick of each removal interval per recipient, the recipients spread over the ticks so
    /// that nats-server is not handed every recipient's purge at once: a burst the publishes wait behind).
    /// </summary>
    public void Tick(TimeSpan gapWait, int phase, int phases)
    {
        var gapsBefore = Stopwatch.GetTimestamp() - (long)(gapWait.TotalSeconds * Stopwatch.Frequency);
        for (var pending = _gaps.Count; pending > 0 && _gaps.TryDequeue(out var gapped); pending--)
        {
            var since = gapped.GapSince;
            if (since == 0)
            {
                continue; // closed by the missing message, or a read took over (it queues it again if still open)
            }

            if (since < gapsBefore)
            {
                _metrics.GapFound();
                StartRead(gapped);
            }
            else
            {
                _gaps.Enqueue(gapped); // not old enough yet
            }
        }

        for (var pending = _removals.Count; pending > 0 && _removals.TryDequeue(out var recipient); pending--)
        {
            if (recipient.RemovalPhase % phases != phase)
            {
                _removals.Enqueue(recipient); // its tick comes later in the interval
                continue;
            }

            recipient.RemovalDequeued();
            if (!recipient.IsClosed)
            {
                _removal.Flush(recipient, final: false);
            }
        }
    }

    /// <summary>A republished message for <paramref name="recipient"/> (NATS's reader thread).</summary>
    public void OnRepublished(LiveRecipient recipient, in ReadOnlySequence<byte>? headers, in ReadOnlySequence<byte> payload)
    {
        Span<byte> scratch = stackalloc byte[512];
        if (headers is not { } raw || !Republished.TryRead(raw, scratch, out var republished) || !_subjects.IsMailboxOf(republished.Subject, recipient.Identity))
        {
            // Belt and braces: only this identity's own subject reaches its cache.
            _logger.LogWarning("ignored a message on {Subject} that is not a republished mailbox message of its recipient", recipient.Subject);
            return;
        }

        recipient.Offer(republished.Sequence, republished.LastSequence, payload);
    }

    /// <summary>Puts a stored message into the cache for <paramref name="identity"/> (called in sequence order, under the recipient's lock).</summary>
    public void Hold(Identity identity, ulong sequence, in ReadOnlySequence<byte> stored)
    {
        if (StoredMessage.TryRead(stored, out var sender, out var sealedSender, out var envelope))
        {
            _cache.HoldStored(identity, sequence, sender, sealedSender, envelope);
        }
        else
        {
            _logger.LogWarning("message {Sequence} in the mailbox stream is not in this relay's format; skipped", sequence);
        }
    }

    /// <summary>A gap opened for <paramref name="recipient"/>: read after the gap wait unless the missing message arrives first.</summary>
    public void GapSeen(LiveRecipient recipient) => _gaps.Enqueue(recipient);

    /// <summary>Sends every recipient's removals (shutdown; the subscriptions go with the NATS connection).</summary>
    public ValueTask DisposeAsync()
    {
        List<LiveRecipient> all;
        lock (_membership)
        {
            all = [.. _recipients.Values];
            _recipients.Clear();
            Volatile.Write(ref _count, 0);
        }

        foreach (var recipient in all)
        {
            _removal.Flush(recipient, final: true);
        }

        return ValueTask.CompletedTask;
    }

    private void QueueRemoval(LiveRecipient recipient)
    {
        if (recipient.TryQueueRemoval())
        {
            _removals.Enqueue(recipient);
        }
    }

    // Subscribes first, then reads: a message stored after the read looked is republished to the
    // subscription, one stored before is found by the read (both: the second copy is ignored).
    private async Task SubscribeAndReadAsync(LiveRecipient recipient)
    {
        try
        {
            await _connection.AddSubAsync(recipient, _stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogInformation("subscribing for {Identity}: {Reason}; the read after NATS comes back covers it", recipient.Identity, ex.Message);
        }

        await ReadAsync(recipient).ConfigureAwait(false);
    }

    private void StartRead(LiveRecipient recipient)
    {
        if (recipient.TryBeginRead())
        {
            _ = ReadAsync(recipient);
        }
    }

    // Reads the recipient's held messages after the last one it has, oldest first, into the cache;
    // an unanswered read is tried again a second later while the recipient is here.
    private async Task ReadAsync(LiveRecipient recipient)
    {
        _metrics.ReadStarted();
        while (!recipient.IsClosed && !_stop.IsCancellationRequested)
        {
            var read = await _reads.NextAsync(recipient.Identity, recipient.Highest + 1).ConfigureAwait(false);
            if (read.Kind == HeldReadKind.None)
            {
                break;
            }

            if (read.Kind == HeldReadKind.Failed)
            {
                _logger.LogInformation("reading held messages of {Identity} got no answer; again in {Seconds} s", recipient.Identity, ReadRetry.TotalSeconds);
                try
                {
                    await Task.Delay(ReadRetry, _stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            try
            {
                if (!read.Recipient.Equals(recipient.Identity))
                {
                    _logger.LogWarning("a read for {Identity} answered with another mailbox's message; stopped", recipient.Identity);
                    break;
                }

                recipient.Read(read.Sequence, new ReadOnlySequence<byte>(read.Buffer!, 0, read.Length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(read.Buffer!);
            }
        }

        recipient.EndRead();
    }

    private async Task UnsubscribeAsync(LiveRecipient recipient)
    {
        try
        {
            await recipient.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or ObjectDisposedException)
        {
            // NATS is down: the subscription went with the connection.
        }
    }
}
