using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Behaviours;
using Perf.Load.Net;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Targets.Relay;

/// <summary>
/// This project's relay, over Noise/TCP (<c>relay-tcp</c>) or the WebSocket gateway
/// (<c>relay-ws</c>): each connection is one identity sending E2E-sealed envelopes to the next
/// identity, counting ACCEPTED and REJECTED answers, opening DELIVERs and acknowledging them.
/// ACKs ride along with the next flush of sends on the same connection (one writer per connection).
/// With <see cref="RelayTargetMode.SealedSender"/> each identity also registers its delivery-token
/// verifier and takes a sender certificate over its authenticated connection, then sends every
/// message as SEALED_SEND over a second, anonymous connection (Noise with a throwaway key, or the
/// gateway without a token); the authenticated one only receives. With a padding scheme every
/// plaintext is padded before sealing. Over Noise/TCP, clients can churn (leave and come back as the
/// same identity, <see cref="IChurnableConnection"/>) and recipients can read slowly
/// (<see cref="ClientBehaviours"/>); a DELIVER seen before (redelivered after an ACK lost with a
/// connection) is opened as an E2E replay and counted as a duplicate.
/// </summary>
public sealed class RelayTarget : ILoadTarget, ICallerPumpedTarget, ISlowConsumerTarget
{
    private readonly bool _webSocket;
    private readonly EndPoint _endPoint;
    private readonly byte[]? _relayKey;
    private readonly byte[]? _wsSecret;
    private readonly AeadAlgorithm _cipher;
    private readonly AeadBackend _backend;
    private readonly RelayTargetMode _mode;
    private readonly List<RelayClientConnection> _clients = [];
    private readonly object _clientsLock = new();
    private readonly List<Task> _receivers = [];
    private readonly List<RelayLoadConnection> _connections = [];
    private readonly List<RelayLoadConnection> _slowConsumers = [];
    private LoadTargetContext? _context;
    private volatile bool _slowReleased;
    private E2eRing? _ring;
    private DirectSockets? _direct;

    /// <summary>A Noise/TCP target pinning <paramref name="relayKey"/>.</summary>
    public static RelayTarget Tcp(EndPoint endPoint, byte[] relayKey, AeadAlgorithm cipher, AeadBackend backend, RelayTargetMode? mode = null) => new(false, endPoint, relayKey, null, cipher, backend, mode);

    /// <summary>A WebSocket target minting tokens with <paramref name="secret"/> (the relay's --ws-secret).</summary>
    public static RelayTarget WebSocket(EndPoint endPoint, byte[] secret, AeadAlgorithm cipher, AeadBackend backend, RelayTargetMode? mode = null) => new(true, endPoint, null, secret, cipher, backend, mode);

    private RelayTarget(bool webSocket, EndPoint endPoint, byte[]? relayKey, byte[]? wsSecret, AeadAlgorithm cipher, AeadBackend backend, RelayTargetMode? mode)
    {
        _mode = mode ?? RelayTargetMode.Plain;
        _webSocket = webSocket;
        _endPoint = endPoint;
        _relayKey = relayKey;
        _wsSecret = wsSecret;
        _cipher = cipher;
        _backend = backend;
    }

    /// <inheritdoc />
    public string Name => _webSocket ? "relay-ws" : "relay-tcp";

    /// <inheritdoc />
    public DirectSockets? Sockets => _direct;

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _ring = new E2eRing(context.Connections, context.MessageSize, _cipher, _backend, _mode.Padding, _mode.SealedSender);
        var options = new RelayClientOptions { Cipher = _cipher, Backend = _backend, RelayKey = _relayKey };
        var behaviours = context.Behaviours;
        if ((_webSocket || _mode.SealedSender) && (behaviours.ChurnPercentPerMinute > 0 || behaviours.SlowConsumerPercent > 0))
        {
            throw new LoadTargetException("--churn and --slow-consumers act on relay-tcp's own sockets with plain SEND: not relay-ws, not --sealed-sender.");
        }

        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            RelayClientConnection client;
            RelayClientConnection? anonymous = null;
            DirectPipe? pipe = null;
            var readRate = behaviours.IsSlowConsumer(i, connections.Length) ? behaviours.SlowConsumerBytesPerSecond : 0;
            try
            {
                if (_webSocket)
                {
                    client = await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{_endPoint}/ws"), RelayToken.Mint(new Identity(_ring.Identity(i)), DateTimeOffset.UtcNow.AddHours(24), _wsSecret), options, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    (client, pipe) = await DirectConnectAsync(_ring.KeyPair(i), anonymous: false, options, context.Connections, readRate, cancellationToken).ConfigureAwait(false);
                }

                Keep(client);
                if (_mode.SealedSender)
                {
                    await EnableSealedSenderAsync(client, i, cancellationToken).ConfigureAwait(false);
                    anonymous = _webSocket
                        ? await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{_endPoint}/ws"), null, options, cancellationToken).ConfigureAwait(false)
                        : await DirectConnectAnonymousAsync(options, context.Connections, cancellationToken).ConfigureAwait(false);
                    Keep(anonymous);
                }
            }
            catch (RelayClientException ex)
            {
                throw new LoadTargetException(ex.Message, ex);
            }

            var recipient = _ring.RecipientOf(i);
            if (behaviours.IsSlowConsumer(recipient, connections.Length))
            {
                context.RecipientClasses?.MarkSendsToSlowConsumer(i);
            }

            var identity = _ring.KeyPair(i);
            Func<Task<(RelayClientConnection, DirectPipe)>>? reconnect = pipe is null ? null : async () =>
            {
                var session = await DirectConnectAsync(identity, anonymous: false, options, context.Connections, readRate, CancellationToken.None).ConfigureAwait(false);
                Keep(session.Client);
                return session;
            };
            // A sender to a slow consumer retries what its full mailbox refuses, as a phone's outbox does.
            var outbox = behaviours.IsSlowConsumer(recipient, connections.Length) ? new SenderOutbox(connections.Length) : null;
            var connection = new RelayLoadConnection(client, anonymous, pipe, reconnect, () => _slowReleased, i, new Identity(_ring.Identity(recipient)), _mode.SealedSender ? _ring.TokenOf(recipient) : default, _ring, outbox, context);
            connections[i] = connection;
            _connections.Add(connection);
            if (readRate > 0)
            {
                _slowConsumers.Add(connection);
            }

            _receivers.Add(Task.Run(() => connection.ReceiveAsync(client), CancellationToken.None));
            if (anonymous is not null)
            {
                _receivers.Add(Task.Run(() => connection.ReceiveAsync(anonymous), CancellationToken.None));
            }
        }

        return connections;
    }

    /// <inheritdoc />
    public void CloseOutboxes()
    {
        foreach (var connection in _connections)
        {
            connection.CloseOutbox();
        }
    }

    /// <inheritdoc />
    public async Task<SlowConsumerCatchUp> CatchUpAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        var context = _context ?? throw new InvalidOperationException("connect before catching up");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var deliveredBefore = context.Recorders.Delivered;

        // The flag first: a reconnection that lands after it reads at full speed too (see ReceiveAsync).
        _slowReleased = true;
        foreach (var slow in _slowConsumers)
        {
            slow.ReadAtFullSpeed();
        }

        // Every connection ACKs what it opens (the relay delivers at most its in-flight cap
        // unacknowledged, and holds the rest); once more at the end, so the relay holds nothing delivered.
        var flushes = new Task?[_connections.Count];
        while (true)
        {
            FlushAcks(flushes);
            if (done() || System.Diagnostics.Stopwatch.GetElapsedTime(started) >= timeout || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        FlushAcks(flushes);
        return new SlowConsumerCatchUp(seconds, done(), context.Recorders.Delivered - deliveredBefore);
    }

    // One ACK flush per connection whose last one has completed (a broken one stays out: its loss shows in the counts).
    private void FlushAcks(Task?[] flushes)
    {
        for (var i = 0; i < flushes.Length; i++)
        {
            if (flushes[i] is { IsCompleted: false } or { IsFaulted: true })
            {
                continue;
            }

            var flush = _connections[i].FlushAcksAsync();
            flushes[i] = flush.IsCompletedSuccessfully ? null : flush.AsTask();
        }
    }

    // Every client ever connected is closed at the end (a churned one's old connections were closed when it left: closing twice is harmless).
    private void Keep(RelayClientConnection client)
    {
        lock (_clientsLock)
        {
            _clients.Add(client);
        }
    }

    // Before the run, over the authenticated connection: the verifier, a certificate and the relay's signing key.
    private async Task EnableSealedSenderAsync(RelayClientConnection client, int index, CancellationToken cancellationToken)
    {
        var (certificate, signingKey) = await SealedSenderSetup.EnableAsync(client, _ring!.VerifierOf(index), cancellationToken).ConfigureAwait(false);
        _ring.UseCertificate(index, certificate, signingKey);
    }

    // An anonymous connection over the generator's own sockets: a throwaway key and the anonymous flag.
    private async Task<RelayClientConnection> DirectConnectAnonymousAsync(RelayClientOptions options, int connections, CancellationToken cancellationToken)
    {
        using var throwaway = global::Relay.Crypto.KeyAgreement.X25519KeyPair.Generate();
        return (await DirectConnectAsync(throwaway, anonymous: true, options, connections, 0, cancellationToken).ConfigureAwait(false)).Client;
    }

    // Noise/TCP over the generator's own sockets: sends from the scheduling thread, DELIVERs
    // opened on the one receive thread, as the echo floor's client does. Sealed sender holds two
    // sockets per identity (the authenticated one and the anonymous one). A slow consumer's socket
    // is read at readBytesPerSecond (0: no limit).
    private async Task<(RelayClientConnection Client, DirectPipe Pipe)> DirectConnectAsync(global::Relay.Crypto.KeyAgreement.X25519KeyPair identity, bool anonymous, RelayClientOptions options, int connections, double readBytesPerSecond, CancellationToken cancellationToken)
    {
        _direct ??= new DirectSockets(_mode.SealedSender ? connections * 2 : connections);
        _direct.Start();
        Socket socket;
        try
        {
            socket = await DirectSockets.ConnectAsync(_endPoint, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            throw new RelayClientException($"cannot connect to the relay at {_endPoint}: {ex.Message}", ex);
        }

        var pipe = new DirectPipe(_direct, socket, readBytesPerSecond);
        return (await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, identity, anonymous, options, cancellationToken).ConfigureAwait(false), pipe);
    }

    /// <summary>Closes every connection and wipes the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        RelayClientConnection[] clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
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
    }

    private sealed class RelayLoadConnection(
        RelayClientConnection client,
        RelayClientConnection? anonymous,
        DirectPipe? pipe,
        Func<Task<(RelayClientConnection, DirectPipe)>>? reconnect,
        Func<bool> readsAtFullSpeed,
        int index,
        Identity recipient,
        DeliveryToken recipientToken,
        E2eRing ring,
        SenderOutbox? outbox,
        LoadTargetContext context) : ILoadConnection, IChurnableConnection, IOutboxSender
    {
        // Whether each sequence (by its per-connection number) is in the measured window, for counting answers.
        private const int MeasuredMask = (1 << 16) - 1;
        private const int ReconnectAttempts = 5;
        private static readonly TimeSpan FirstRetryPause = TimeSpan.FromMilliseconds(200);
        private readonly bool[] _measured = new bool[MeasuredMask + 1];
        private readonly ConcurrentQueue<ulong> _acks = new();

        // The scheduler's thread writes to _client; the receive loop swaps it only while a churn
        // keeps the scheduler off this connection (its flush pending), and publishes it by
        // completing the churn's Back task.
        private RelayClientConnection _client = client;
        private DirectPipe? _pipe = pipe;
        private Churn? _asked;
        private Churn? _away;

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            if (outbox is null)
            {
                Send(sequence, intendedTicks, measured);
                return;
            }

            if (outbox.MustHold())
            {
                outbox.Hold(sequence, intendedTicks, measured);
            }
            else
            {
                Send(sequence, intendedTicks, measured);
            }

            outbox.Pump(this);
        }

        public void Send(long sequence, long intendedTicks, bool measured)
        {
            _measured[(int)((sequence / context.Connections) & MeasuredMask)] = measured;
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            if (anonymous is null)
            {
                _client.Send((ulong)sequence, recipient, envelope);
            }
            else
            {
                anonymous.SealedSend((ulong)sequence, recipient, recipientToken, envelope);
            }

            outbox?.Remember(sequence, envelope, intendedTicks, measured);
        }

        // Only senders to slow consumers have an outbox, and they send plain SEND (no sealed sender with behaviours).
        public void Resend(long sequence, ReadOnlySpan<byte> envelope)
        {
            _client.Send((ulong)sequence, recipient, envelope);
            context.RecipientClasses?.CountResent(index);
        }

        public void Dropped(long sequence, long intendedTicks, bool measured)
        {
            if (measured)
            {
                context.Rejected(index, intendedTicks);
            }
        }

        // The scheduler has stopped: what the outbox still holds counts as refused.
        public void CloseOutbox()
        {
            if (outbox is not null)
            {
                context.RecipientClasses?.CountHeldBySender(index, outbox.Close(this));
            }
        }

        public ValueTask FlushAsync()
        {
            var acks = WriteAcks();
            if (Volatile.Read(ref _asked) is { } churn && Interlocked.CompareExchange(ref _asked, null, churn) == churn)
            {
                return Leave(churn);
            }

            return anonymous is null ? _client.FlushAsync() : FlushBothAsync(acks);
        }

        // After the measured window: the ACKs of what arrived, with nothing else to send.
        public ValueTask FlushAcksAsync()
        {
            var acks = WriteAcks();
            try
            {
                return acks ? _client.FlushAsync() : ValueTask.CompletedTask;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or RelayClientException)
            {
                return ValueTask.FromException(ex);
            }
        }

        public void ReadAtFullSpeed() => Volatile.Read(ref _pipe)?.ReadAtFullSpeed();

        // Writes the ACK of everything opened since the last flush; true when there was any.
        private bool WriteAcks()
        {
            var acks = false;
            while (_acks.TryDequeue(out var relayId))
            {
                _client.Ack(relayId);
                acks = true;
            }

            return acks;
        }

        public Task<ChurnOutcome> ChurnAsync(TimeSpan away, CancellationToken stop)
        {
            if (reconnect is null)
            {
                throw new InvalidOperationException("only a Noise/TCP connection over the generator's own sockets can churn");
            }

            var churn = new Churn(away);
            if (Interlocked.CompareExchange(ref _asked, churn, null) is not null || Volatile.Read(ref _away) is not null)
            {
                Interlocked.CompareExchange(ref _asked, null, churn);
                return Task.FromResult(ChurnOutcome.Skipped); // already leaving or away
            }

            // Stopped before the scheduler took it: it never leaves.
            var registration = stop.Register(() =>
            {
                if (Interlocked.CompareExchange(ref _asked, null, churn) == churn)
                {
                    churn.Done.TrySetResult(ChurnOutcome.Skipped);
                }
            });
            _ = churn.Done.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return churn.Done.Task;
        }

        // On the scheduler's thread: what was written goes out, then a FIN; the flush stays pending
        // until the connection is back, so the scheduler holds this connection's sends meanwhile.
        private ValueTask Leave(Churn churn)
        {
            Volatile.Write(ref _away, churn);
            var flush = _client.FlushAsync();
            if (flush.IsCompletedSuccessfully)
            {
                _pipe!.CloseOutput();
            }
            else
            {
                _ = CloseOutputAfterAsync(flush, _pipe!);
            }

            return new ValueTask(churn.Back.Task);
        }

        private static async Task CloseOutputAfterAsync(ValueTask flush, DirectPipe pipe)
        {
            try
            {
                await flush.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The connection failed: the receive loop sees it end all the same.
            }

            pipe.CloseOutput();
        }

        // Sealed: sends go on the anonymous connection, ACKs on the authenticated one.
        [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
        private async ValueTask FlushBothAsync(bool acks)
        {
            if (acks)
            {
                await _client.FlushAsync().ConfigureAwait(false);
            }

            await anonymous!.FlushAsync().ConfigureAwait(false);
        }

        // Reads until the relay closes; a connection that left on purpose then comes back and reads on.
        public async Task ReceiveAsync(RelayClientConnection from)
        {
            var current = from;
            while (true)
            {
                await ReadUntilClosedAsync(current).ConfigureAwait(false);
                if (Volatile.Read(ref _away) is not { } churn || !ReferenceEquals(current, _client))
                {
                    return;
                }

                await current.DisposeAsync().ConfigureAwait(false);
                if (churn.Away > TimeSpan.Zero)
                {
                    await Task.Delay(churn.Away, CancellationToken.None).ConfigureAwait(false);
                }

                if (await ReconnectAsync().ConfigureAwait(false) is not { } back)
                {
                    // Gone for good: the scheduler's pending flush fails, and this connection's remaining messages count as lost.
                    Volatile.Write(ref _away, null);
                    churn.Back.TrySetException(new RelayClientException($"connection {index} could not reconnect after churning"));
                    churn.Done.TrySetResult(ChurnOutcome.Failed);
                    return;
                }

                (_client, _pipe) = back;
                if (readsAtFullSpeed())
                {
                    back.Pipe.ReadAtFullSpeed(); // came back after the catch-up began
                }

                current = back.Client;
                outbox?.OnReconnected();
                Volatile.Write(ref _away, null);
                churn.Back.TrySetResult();
                churn.Done.TrySetResult(ChurnOutcome.Reconnected);
            }
        }

        // A few tries with growing pauses (the relay may be busy, the network flaky).
        private async Task<(RelayClientConnection Client, DirectPipe Pipe)?> ReconnectAsync()
        {
            var pause = FirstRetryPause;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await reconnect!().ConfigureAwait(false);
                }
                catch (RelayClientException) when (attempt < ReconnectAttempts)
                {
                    await Task.Delay(pause, CancellationToken.None).ConfigureAwait(false);
                    pause *= 2;
                }
                catch (RelayClientException)
                {
                    return null;
                }
            }
        }

        private async Task ReadUntilClosedAsync(RelayClientConnection from)
        {
            while (await from.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                var received = LoadTargetContext.Now();
                switch (frame.Type)
                {
                    case FrameType.Deliver:
                        var envelope = frame.Envelope.IsSingleSegment ? frame.Envelope.FirstSpan : System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
                        if (ring.OpenAndReport(index, envelope, received, context, out _) == E2eError.Replay)
                        {
                            // Delivered before and its ACK lost with a connection that left: the relay held it and sent it again.
                            context.Recorders.CountDuplicate();
                        }

                        _acks.Enqueue(frame.RelayMessageId);
                        break;
                    case FrameType.Accepted:
                        outbox?.OnAccepted((long)frame.ClientMessageId);
                        if (IsMeasured(frame.ClientMessageId))
                        {
                            context.Accepted();
                        }

                        break;
                    case FrameType.Rejected when outbox is null || !outbox.OnRefused((long)frame.ClientMessageId):
                        if (IsMeasured(frame.ClientMessageId))
                        {
                            context.Rejected(index);
                        }

                        break;
                    case FrameType.Error:
                        return;
                }
            }
        }

        private bool IsMeasured(ulong sequence) => _measured[(int)(((long)sequence / context.Connections) & MeasuredMask)];

        // One leave-and-return: Back completes when the new connection is up (the scheduler resumes), Done with the outcome.
        private sealed class Churn(TimeSpan away)
        {
            public TimeSpan Away { get; } = away;

            public TaskCompletionSource Back { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource<ChurnOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}

/// <summary>How a relay target sends: plain or sealed sender, and the plaintext padding.</summary>
/// <param name="SealedSender">Send SEALED_SEND over anonymous connections with sender certificates and delivery tokens.</param>
/// <param name="Padding">The padding scheme of every plaintext.</param>
public sealed record RelayTargetMode(bool SealedSender, PaddingScheme Padding)
{
    /// <summary>Plain SEND, no padding: what the relay targets always did.</summary>
    public static RelayTargetMode Plain { get; } = new(false, PaddingScheme.None);

    /// <summary>A description for progress lines, e.g. <c>sealed sender, padding padme</c>.</summary>
    public override string ToString() => $"{(SealedSender ? "sealed sender" : "plain")}, padding {Padding.Name}";
}
