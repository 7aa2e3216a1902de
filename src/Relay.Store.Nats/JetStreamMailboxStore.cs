using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats;

/// <summary>
/// Mailboxes in NATS JetStream, shared by every relay node on the same NATS: one stream (file
/// storage, replicas as configured), one subject per recipient, a per-subject count limit with
/// "discard new" (a full mailbox answers REJECTED <c>MailboxFull</c>) and an age limit.
/// <list type="bullet">
/// <item>SEND: published to the recipient's subject; ACCEPTED only once JetStream acknowledged the
/// write, with the stream sequence as relay id (unique across nodes and restarts). Publishes are
/// pipelined: a connection does not wait for one acknowledgement before the next SEND. NATS down
/// or no acknowledgement within the publish timeout: REJECTED <c>StoreUnavailable</c>.</item>
/// <item>Delivery: while a recipient has a live connection on this node, one ephemeral consumer
/// filtered on its subject streams its held messages, oldest first, then new ones as any node stores them,
/// into a per-node cache the connections pull from. So a message sent through any node reaches a
/// live connection on any other without polling, and held messages come again on each new connection.</item>
/// <item>ACK: deletes the message from the stream (only a message held for the ACKing identity).</item>
/// </list>
/// </summary>
public sealed class JetStreamMailboxStore : IMailboxStore
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly JetStreamStoreOptions _options;
    private readonly ILogger _logger;
    private readonly MemoryMailboxStore _cache;
    private readonly Dictionary<Identity, Watch> _watches = [];
    private readonly CancellationTokenSource _stop = new();
    private int _watchCount;

    private JetStreamMailboxStore(NatsConnection connection, JetStreamStoreOptions options, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
        _js = new NatsJSContext(connection); // requests time out after the connection's RequestTimeout (the publish timeout)
        _cache = new MemoryMailboxStore(options.Limits with { MaxMessages = int.MaxValue, MaxBytes = long.MaxValue });
        Metrics = new JetStreamMetrics(() => Volatile.Read(ref _watchCount));
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

    /// <summary>Connects to NATS, checks JetStream and creates (or updates) the stream.</summary>
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
            await store._js.CreateOrUpdateStreamAsync(new StreamConfig(options.Stream, [options.SubjectPrefix + ".>"])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = options.Replicas,
                Retention = StreamConfigRetention.Limits,
                Discard = StreamConfigDiscard.New,
                DiscardNewPerSubject = true,
                MaxMsgsPerSubject = options.Limits.MaxMessages,
                MaxAge = options.Limits.MaxAge,
                MaxBytes = options.MaxStreamBytes,
                MaxMsgSize = StoredMessage.HeaderLength + options.MaxEnvelopeBytes,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new MailboxStoreException($"JetStream at {options.Url} refused the stream {options.Stream} (is nats-server running with -js? replicas {options.Replicas} need as many servers): {ex.Message}", ex);
        }

        return store;
    }

    /// <inheritdoc />
    public ValueTask<SendOutcome> HoldAsync(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            // Nothing is ACCEPTED that is not stored: say so at once rather than queue behind a reconnect.
            Metrics.Unavailable.Add(1);
            return new ValueTask<SendOutcome>(SendOutcome.Refused(RejectReason.StoreUnavailable));
        }

        // Copied before returning: the caller's buffer is reused for its next frame.
        var length = StoredMessage.HeaderLength + (int)envelope.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        StoredMessage.Write(buffer, sender, sealedSender, envelope);
        return PublishAsync(Subject(recipient), buffer, length);
    }

    private async ValueTask<SendOutcome> PublishAsync(string subject, byte[] buffer, int length)
    {
        var started = Metrics.PublishStarted();
        var stored = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_options.PublishTimeout);
            var ack = await _js.PublishAsync<ReadOnlyMemory<byte>>(subject, buffer.AsMemory(0, length), cancellationToken: timeout.Token).ConfigureAwait(false);
            ack.EnsureSuccess();
            stored = true;
            return SendOutcome.Held(ack.Seq);
        }
        catch (NatsJSApiException ex) when (IsFull(ex.Error))
        {
            return SendOutcome.Refused(RejectReason.MailboxFull);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            Metrics.Unavailable.Add(1);
            _logger.LogWarning("JetStream did not store a message: {Reason}", ex.Message);
            return SendOutcome.Refused(RejectReason.StoreUnavailable);
        }
        finally
        {
            Metrics.PublishEnded(started, stored);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // "maximum messages per subject exceeded", "maximum messages exceeded", "maximum bytes exceeded".
    private static bool IsFull(ApiError error) =>
        error.Description?.Contains("maximum messages", StringComparison.OrdinalIgnoreCase) == true ||
        error.Description?.Contains("maximum bytes", StringComparison.OrdinalIgnoreCase) == true;

    /// <inheritdoc />
    public void Attach(Identity identity, ISubscriber subscriber)
    {
        _cache.Attach(identity, subscriber);
        lock (_watches)
        {
            if (!_watches.TryGetValue(identity, out var watch))
            {
                watch = new Watch(CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
                _watches[identity] = watch;
                Interlocked.Increment(ref _watchCount);
                watch.Loop = WatchAsync(identity, watch);
            }

            watch.Subscribers++;
        }
    }

    /// <inheritdoc />
    public void Detach(Identity identity, ISubscriber subscriber)
    {
        _cache.Detach(identity, subscriber);
        lock (_watches)
        {
            if (_watches.TryGetValue(identity, out var watch) && --watch.Subscribers == 0)
            {
                _watches.Remove(identity);
                Interlocked.Decrement(ref _watchCount);
                watch.Stop.Cancel();
            }
        }
    }

    // Streams the recipient's held messages, then new ones, into the cache until the last
    // connection of the identity on this node leaves: an ephemeral consumer filtered on its subject
    // (one subject: nats-server 2.9 knows no multi-subject filters), no acks (an ACK deletes the
    // message instead). If the consumer fails (NATS restarted, the consumer vanished), a new one
    // resumes after the last sequence seen, after a second's pause on errors.
    private async Task WatchAsync(Identity identity, Watch watch)
    {
        var subject = Subject(identity);
        ulong lastSeen = 0;
        try
        {
            while (!watch.Stop.IsCancellationRequested)
            {
                INatsJSConsumer? consumer = null;
                using var round = CancellationTokenSource.CreateLinkedTokenSource(watch.Stop.Token);
                watch.Round = round;
                try
                {
                    consumer = await _js.CreateOrUpdateConsumerAsync(_options.Stream, new ConsumerConfig
                    {
                        // Named (not durable): with a name the client sends the create request in the
                        // form nats-server 2.9 parses (an unnamed one with a filter is refused there).
                        Name = "watch-" + Guid.NewGuid().ToString("N"),
                        FilterSubject = subject,
                        DeliverPolicy = lastSeen == 0 ? ConsumerConfigDeliverPolicy.All : ConsumerConfigDeliverPolicy.ByStartSequence,
                        OptStartSeq = lastSeen == 0 ? 0 : lastSeen + 1,
                        AckPolicy = ConsumerConfigAckPolicy.None,
                        InactiveThreshold = TimeSpan.FromSeconds(30), // a crashed node's consumers go by themselves
                        MemStorage = true,
                    }, round.Token).ConfigureAwait(false);
                    await foreach (var message in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: ConsumeOptionsFor(round), cancellationToken: round.Token).ConfigureAwait(false))
                    {
                        using var data = message.Data;
                        // Belt and braces: only this identity's subject reaches its cache.
                        if (message.Subject == subject && message.Metadata is { } metadata && StoredMessage.TryRead(data.Memory, out var sender, out var sealedSender, out var envelope))
                        {
                            lastSeen = metadata.Sequence.Stream;
                            _cache.HoldStored(identity, lastSeen, sender, sealedSender, new ReadOnlySequence<byte>(envelope));
                        }
                    }
                }
                catch (OperationCanceledException) when (!watch.Stop.IsCancellationRequested)
                {
                    // NATS came back (a restarted server forgot the consumer): a new one resumes after lastSeen.
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException && !watch.Stop.IsCancellationRequested)
                {
                    _logger.LogInformation("watching {Identity} in JetStream: {Reason}; again in 1 s", identity, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), watch.Stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    if (consumer is not null)
                    {
                        _ = DeleteConsumerAsync(consumer.Info.Name);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The last connection of this identity on this node left.
        }
        finally
        {
            lock (_watches)
            {
                // A new connection may have started a new watch meanwhile: it keeps the cache.
                if (!_watches.ContainsKey(identity))
                {
                    _cache.Forget(identity);
                }
            }

            watch.Stop.Dispose();
        }
    }

    // After a reconnect every watch starts a new consumer: the old one may be gone with the server.
    private ValueTask OnReconnectedAsync(object? sender, NatsEventArgs args)
    {
        lock (_watches)
        {
            foreach (var watch in _watches.Values)
            {
                try
                {
                    watch.Round?.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // That round just ended.
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    // The consumer is ephemeral and lives on one NATS node. When that node dies while this relay's
    // own NATS connection (to another node) stays up, no reconnect says so: the missing heartbeats
    // do (or pulls that no one answers). Then this round ends and a new consumer resumes after the
    // last sequence seen, within a few seconds instead of never.
    private static NatsJSConsumeOpts ConsumeOptionsFor(CancellationTokenSource round) => new()
    {
        MaxMsgs = 256,
        Expires = TimeSpan.FromSeconds(30),
        IdleHeartbeat = TimeSpan.FromSeconds(1),
        NotificationHandler = (notification, _) =>
        {
            if (notification is NatsJSTimeoutNotification or NatsJSNoRespondersNotification)
            {
                try
                {
                    round.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // That round just ended.
                }
            }

            return Task.CompletedTask;
        },
    };

    private async Task DeleteConsumerAsync(string name)
    {
        try
        {
            await _js.DeleteConsumerAsync(_options.Stream, name, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // Gone already, or NATS is down: the inactivity threshold removes it.
        }
    }

    /// <inheritdoc />
    public int TakePending(Identity identity, ulong afterRelayId, int maxInFlight, Span<HeldMessage?> into, out bool capped) =>
        _cache.TakePending(identity, afterRelayId, maxInFlight, into, out capped);

    /// <inheritdoc />
    public bool Ack(Identity identity, ulong relayMessageId)
    {
        // Only a message this identity holds here (so delivered to it) can be deleted by it.
        if (!_cache.Ack(identity, relayMessageId))
        {
            return false;
        }

        _ = DeleteAsync(relayMessageId);
        return true;
    }

    private async Task DeleteAsync(ulong sequence)
    {
        Metrics.DeleteStarted();
        try
        {
            await _js.DeleteMessageAsync(_options.Stream, new StreamMsgDeleteRequest { Seq = sequence, NoErase = true }, _stop.Token).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == 10037 || ex.Error.Description?.Contains("no message found", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Already gone: another node's connection of the same identity ACKed it, or it expired.
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // At least once: it comes again on the recipient's next connection, and clients de-duplicate by relay id.
            Metrics.DeleteFailures.Add(1);
            _logger.LogInformation("JetStream did not delete message {Sequence}: {Reason}", sequence, ex.Message);
        }
        finally
        {
            Metrics.DeleteEnded();
        }
    }

    /// <inheritdoc />
    public int Depth(Identity identity) => _cache.Depth(identity);

    /// <inheritdoc />
    public int Sweep() => _cache.Sweep(); // JetStream expires the stored copies itself (MaxAge)

    /// <summary>Stops every watch and closes the NATS connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _connection.ConnectionOpened -= OnReconnectedAsync;
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] loops;
        lock (_watches)
        {
            loops = [.. _watches.Values.Select(w => w.Loop!)];
            _watches.Clear();
        }

        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _cache.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
    }

    private string Subject(Identity identity)
    {
        Span<byte> bytes = stackalloc byte[Identity.Size];
        identity.CopyTo(bytes);
        return string.Concat(_options.SubjectPrefix, ".", Convert.ToHexStringLower(bytes));
    }

    private sealed class Watch(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;

        public int Subscribers { get; set; }

        public Task? Loop { get; set; }

        // The current consumer's lifetime, cancelled to replace it after a reconnect.
        public volatile CancellationTokenSource? Round;
    }
}
