using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Store.Nats.Live;
using Relay.Store.Nats.Publishing;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats;

/// <summary>
/// Mailboxes in NATS JetStream, shared by every relay node on the same NATS: one stream (file
/// storage, replicas as configured), one subject per recipient, a per-subject count limit with
/// "discard new" (a full mailbox answers REJECTED <c>MailboxFull</c>), an age limit, and
/// JetStream's republish of every stored message to a per-recipient live subject.
/// <list type="bullet">
/// <item>SEND: published to the recipient's subject; ACCEPTED only once JetStream acknowledged the
/// write, with the stream sequence as relay id (unique across nodes and restarts). Publishes are
/// pipelined and answered on one wildcard subscription (no request object or JSON parser per
/// SEND). NATS down or no acknowledgement within the publish timeout: REJECTED <c>StoreUnavailable</c>.</item>
/// <item>Delivery: while a recipient has a live connection on this node, the node subscribes to its
/// live subject (a plain NATS subscription: no consumer, no heartbeat, nothing while idle) and
/// reads its held messages once; JetStream's republished copy of each newly stored message then
/// reaches every node subscribed for it, whichever node stored it (<see cref="LiveRecipients"/>).</item>
/// <item>ACK: removes the message from the stream in batches: one purge of the recipient's subject
/// below its oldest unacknowledged message (<see cref="AckRemoval"/>).</item>
/// </list>
/// </summary>
public sealed class JetStreamMailboxStore : IMailboxStore
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly JetStreamStoreOptions _options;
    private readonly ILogger _logger;
    private readonly MemoryMailboxStore _cache;
    private readonly MailboxSubjects _subjects;
    private readonly PendingPublishes _publishes;
    private readonly PublishBatcher? _batcher;
    private readonly HeldMessageReads _reads;
    private readonly LiveRecipients _live;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<HandlerSubscription> _subscriptions = [];
    private readonly Action<RequestSlot<SendOutcome>, Exception> _refuse;
    private Task _housekeeping = Task.CompletedTask;
    private int _disconnected;
    private long _disconnects;

    private JetStreamMailboxStore(NatsConnection connection, JetStreamStoreOptions options, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
        _js = new NatsJSContext(connection); // requests time out after the connection's RequestTimeout (the publish timeout)
        _cache = new MemoryMailboxStore(options.Limits with { MaxMessages = int.MaxValue, MaxBytes = long.MaxValue });
        _subjects = new MailboxSubjects(options.SubjectPrefix, options.Stream);
        Metrics = new JetStreamMetrics(() => _live!.Count);
        var node = Guid.NewGuid().ToString("N")[..16];
        _publishes = new PendingPublishes("_RA." + node, Metrics);
        _reads = new HeldMessageReads(connection, _subjects, options.Stream, "_RR." + node);
        _live = new LiveRecipients(connection, _subjects, new StreamRequests(_js, options.Stream), _reads, _cache, Metrics, logger, _stop.Token);
        _refuse = Refuse;
        _batcher = options.PublishWindow > TimeSpan.Zero ? new PublishBatcher(connection, options.PublishWindow, _refuse) : null;
        connection.ConnectionDisconnected += OnDisconnectedAsync;
        connection.ConnectionOpened += OnReconnectedAsync;
    }

    /// <summary>The store's meter (<see cref="JetStreamMetrics.MeterName"/>).</summary>
    public JetStreamMetrics Metrics { get; }

    /// <inheritdoc />
    public long Held => _cache.Held;

    /// <inheritdoc />
    public int Mailboxes => _cache.Mailboxes;

    /// <summary>Whether the NATS connection is up right now.</summary>
    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>The name of the NATS server this node is connected to now (tests kill it).</summary>
    internal string? ServerName => _connection.ServerInfo?.Name;

    /// <summary>How often the NATS connection dropped so far.</summary>
    internal long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Publishes sent in batches and how many batches, with a publish window (tests); zeros without one.</summary>
    internal (long Publishes, long Batches) Batched => _batcher?.Sent ?? default;

    /// <summary>The subjects this store uses (tests forge republished copies on them).</summary>
    internal MailboxSubjects Subjects => _subjects;

    /// <summary>Connects to NATS, checks JetStream, creates (or updates) the stream and subscribes for publish answers.</summary>
    /// <exception cref="MailboxStoreException">NATS is unreachable, JetStream is off, or the stream cannot be made; the message is one line.</exception>
    public static async Task<JetStreamMailboxStore> ConnectAsync(JetStreamStoreOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new NatsConnection(new NatsOpts
        {
            Url = options.Url,
            Name = "relay",
            ConnectTimeout = options.ConnectTimeout,
            RequestTimeout = options.PublishTimeout,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(1),
        });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MailboxStoreException($"cannot reach NATS at {options.Url}: {ex.Message}", ex);
        }

        var store = new JetStreamMailboxStore(connection, options, logger ?? NullLogger.Instance);
        try
        {
            await store.CreateStreamAsync(cancellationToken).ConfigureAwait(false);
            await store.SubscribeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new MailboxStoreException($"JetStream at {options.Url} refused the stream {options.Stream} (is nats-server running with -js? replicas {options.Replicas} need as many servers; a stream made by an older relay without republish must be deleted or another --store-stream used): {ex.Message}", ex);
        }

        store._housekeeping = store.HousekeepAsync();
        return store;
    }

    /// <inheritdoc />
    public ValueTask<SendOutcome> HoldAsync(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender)
    {
        // Nothing is ACCEPTED that is not stored: say so at once rather than queue behind a reconnect.
        var slot = _connection.ConnectionState == NatsConnectionState.Open ? _publishes.Reserve() : null;
        if (slot is null)
        {
            Metrics.Unavailable.Add(1);
            return new ValueTask<SendOutcome>(SendOutcome.Refused(RejectReason.StoreUnavailable));
        }

        // Copied before returning: the caller's buffer is reused for its next frame.
        var length = StoredMessage.HeaderLength + (int)envelope.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        StoredMessage.Write(buffer, sender, sealedSender, envelope);
        var answer = slot.Task;
        if (_batcher is null)
        {
            PooledPublish.Send(_connection, _subjects.Mailbox(recipient), buffer, length, slot, _refuse);
        }
        else
        {
            _batcher.Enqueue(_subjects.Mailbox(recipient), buffer, length, slot);
        }

        return answer;
    }

    /// <inheritdoc />
    public void Attach(Identity identity, ISubscriber subscriber)
    {
        _cache.Attach(identity, subscriber);
        _live.Attach(identity);
    }

    /// <inheritdoc />
    public void Detach(Identity identity, ISubscriber subscriber)
    {
        _cache.Detach(identity, subscriber);
        _live.Detach(identity);
    }

    /// <inheritdoc />
    public int TakePending(Identity identity, ulong afterRelayId, int maxInFlight, Span<HeldMessage?> into, out bool capped) =>
        _cache.TakePending(identity, afterRelayId, maxInFlight, into, out capped);

    /// <inheritdoc />
    public bool Ack(Identity identity, ulong relayMessageId)
    {
        // Only a message this identity holds here (so delivered to it) can be removed by it.
        if (!_cache.Ack(identity, relayMessageId))
        {
            return false;
        }

        _live.Acked(identity, relayMessageId);
        return true;
    }

    /// <inheritdoc />
    public int Depth(Identity identity) => _cache.Depth(identity);

    /// <inheritdoc />
    public int Sweep() => _cache.Sweep(); // JetStream expires the stored copies itself (MaxAge)

    /// <summary>Sends the batched removals (waiting up to 2 s for their answers) and closes the NATS connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _connection.ConnectionDisconnected -= OnDisconnectedAsync;
        _connection.ConnectionOpened -= OnReconnectedAsync;
        await _live.DisposeAsync().ConfigureAwait(false);
        var waited = Stopwatch.StartNew();
        while (Metrics.PendingRemovals > 0 && IsConnected && waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _housekeeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _batcher?.Dispose();
        _publishes.AbandonAll();
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        await _cache.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
        _stop.Dispose();
    }

    // A NATS cluster that just formed, or is busy, may not answer within one request timeout: ask
    // again for up to three connect timeouts before giving up.
    private async Task CreateStreamAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await _js.CreateOrUpdateStreamAsync(StreamConfig(), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NatsJSApiNoResponseException or NatsNoRespondersException && Stopwatch.GetElapsedTime(started) < 3 * _options.ConnectTimeout)
            {
                _logger.LogInformation("JetStream did not answer the stream request yet ({Reason}); asking again", ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private StreamConfig StreamConfig() =>
        new(_options.Stream, [_subjects.StreamSubjects])
        {
            Storage = StreamConfigStorage.File,
            NumReplicas = _options.Replicas,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.New,
            DiscardNewPerSubject = true,
            MaxMsgsPerSubject = _options.Limits.MaxMessages,
            MaxAge = _options.Limits.MaxAge,
            MaxBytes = _options.MaxStreamBytes,
            MaxMsgSize = StoredMessage.HeaderLength + _options.MaxEnvelopeBytes,
            Republish = new Republish { Src = _subjects.StreamSubjects, Dest = _subjects.RepublishDestination },
        };

    // Publish and read answers on this node's inboxes; a new stream leader (it may have lost republished
    // copies in the change) makes every live recipient read what it may have missed.
    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var answers = new HandlerSubscription(_connection, _publishes.Inbox + ".>", OnAnswer);
        var reads = new HandlerSubscription(_connection, _reads.Inbox + ".>", OnRead);
        var leaders = new HandlerSubscription(_connection, $"$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.{_options.Stream}", (_, _, in _) => _live.ReadAllAgain());
        foreach (var subscription in (HandlerSubscription[])[answers, reads, leaders])
        {
            await _connection.AddSubAsync(subscription, cancellationToken).ConfigureAwait(false);
            _subscriptions.Add(subscription);
        }

        await _connection.PingAsync(cancellationToken).ConfigureAwait(false); // all three are registered before the first SEND
    }

    private void OnAnswer(string subject, string? replyTo, in ReadOnlySequence<byte> payload) => _publishes.Answer(subject, payload);

    private void OnRead(string subject, string? replyTo, in ReadOnlySequence<byte> payload) => _reads.Answer(subject, payload);

    private async Task HousekeepAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        var phases = Math.Max(1, (int)Math.Round(_options.RemovalInterval / Tick));
        var tick = 0;
        var timeout = (long)(_options.PublishTimeout.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                _reads.AbandonOlderThan(now - timeout);
                var abandoned = _publishes.AbandonOlderThan(now - timeout);
                if (abandoned > 0)
                {
                    Metrics.Unavailable.Add(abandoned);
                    _logger.LogWarning("JetStream did not acknowledge {Count} message(s) within {Timeout}", abandoned, _options.PublishTimeout);
                }

                _live.Tick(_options.GapWait, tick, phases);
                tick = (tick + 1) % phases;
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Refuse(RequestSlot<SendOutcome> slot, Exception ex)
    {
        _publishes.Abandon(slot);
        Metrics.Unavailable.Add(1);
        _logger.LogWarning("JetStream did not store a message: {Reason}", ex.Message);
    }

    // Publishes awaiting an answer are refused at once, and reads tried again: the connection that carried them is gone.
    private ValueTask OnDisconnectedAsync(object? sender, NatsEventArgs args)
    {
        Volatile.Write(ref _disconnected, 1);
        Interlocked.Increment(ref _disconnects);
        _reads.AbandonOlderThan(long.MaxValue);
        var abandoned = _publishes.AbandonAll();
        if (abandoned > 0)
        {
            Metrics.Unavailable.Add(abandoned);
        }

        return ValueTask.CompletedTask;
    }

    // Republished copies sent while the connection was down are lost: every live recipient reads what it missed.
    private ValueTask OnReconnectedAsync(object? sender, NatsEventArgs args)
    {
        if (Interlocked.Exchange(ref _disconnected, 0) == 1)
        {
            _live.ReadAllAgain();
        }

        return ValueTask.CompletedTask;
    }
}
