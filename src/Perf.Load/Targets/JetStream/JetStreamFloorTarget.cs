using System.Buffers;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Relay.Crypto.Aead;
using Relay.Protocol.Threading;

namespace Perf.Load.Targets.JetStream;

/// <summary>
/// The durability floor, as <c>echo</c> is the network's: the cheapest NATS.Net loop that does
/// what the relay's durable path must for the same E2E-sealed messages on a <c>nats-server -js</c>.
/// Each message is published to its recipient's subject of a file-backed stream and counted
/// accepted once JetStream acknowledged the write; JetStream republishes the stored message
/// (stream <c>RePublish</c>) to the recipient's live subject, where one plain subscription over
/// every recipient takes it and the generator opens it as the recipient; every 100 ms each
/// recipient's received messages are removed with one purge of its subject below the next
/// sequence. One connection publishes for every client and receives, as a relay node's does: no
/// relay, no per-recipient state beyond the highest sequence. A durable pull consumer with an explicit ACK
/// per message (a work-queue stream) costs nats-server more per message, which is why neither the
/// relay nor this floor uses one. Its <c>target</c> section is the server's CPU per message, the
/// part of the relay's durable path JetStream itself costs.
/// </summary>
public sealed class JetStreamFloorTarget : ILoadTarget
{
    private static readonly TimeSpan RemovalInterval = TimeSpan.FromMilliseconds(100);
    private readonly string _url;
    private readonly AeadAlgorithm _algorithm;
    private readonly AeadBackend _backend;
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _publishWindow;
    private SendWindow<FloorPublish>? _window;
    private NatsConnection? _nats;
    private Task? _receiving;
    private Task? _removing;
    private E2eRing? _ring;
    private long[] _received = [];
    private long[] _removed = [];

    /// <summary>
    /// A floor on the JetStream server at <paramref name="url"/> (nats://HOST:PORT); with a
    /// <paramref name="publishWindow"/>, publishes wait that long to leave together, as the relay's
    /// with <c>--store-publish-window</c>.
    /// </summary>
    public JetStreamFloorTarget(string url, AeadAlgorithm algorithm, AeadBackend backend, TimeSpan publishWindow = default)
    {
        _publishWindow = publishWindow;
        _url = url ?? throw new ArgumentNullException(nameof(url));
        _algorithm = algorithm ?? throw new ArgumentNullException(nameof(algorithm));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
    }

    /// <inheritdoc />
    public string Name => "jetstream";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    private string Stream => $"PERF_FLOOR_{_run}";

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ring = new E2eRing(context.Connections, context.MessageSize, _algorithm, _backend);
        _received = new long[_ring.Count];
        _removed = new long[_ring.Count];
        // One connection publishes and receives, as a relay node's does: the answer and the
        // republished copy of a message reach it in one write from nats-server.
        _nats = await OpenAsync("perf-floor").ConfigureAwait(false);
        var js = new NatsJSContext(_nats);
        INatsSub<NatsMemoryOwner<byte>> live;
        try
        {
            await js.CreateStreamAsync(new StreamConfig(Stream, [$"perf.floor.{_run}.*"])
            {
                Storage = StreamConfigStorage.File,
                Retention = StreamConfigRetention.Limits,
                Republish = new Republish { Src = $"perf.floor.{_run}.>", Dest = $"perf.floorlive.{_run}.>" },
            }, cancellationToken).ConfigureAwait(false);
            live = await _nats.SubscribeCoreAsync<NatsMemoryOwner<byte>>($"perf.floorlive.{_run}.*", cancellationToken: cancellationToken).ConfigureAwait(false);
            await _nats.PingAsync(cancellationToken).ConfigureAwait(false); // subscribed before the first publish
        }
        catch (NatsException ex)
        {
            throw new LoadTargetException($"JetStream at {_url} refused the floor's stream (is nats-server 2.9 or later running with -js?): {ex.Message}", ex);
        }

        _window = _publishWindow > TimeSpan.Zero ? new SendWindow<FloorPublish>(_publishWindow, FloorPublish.Send, FloorPublish.Refuse, "floor-publish-window") : null;
        _receiving = ReceiveAsync(live, context);
        _removing = RemoveAsync(js, context);
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new FloorConnection(js, Subject(_ring.RecipientOf(i)), i, _ring, context, _window);
        }

        return connections;
    }

    /// <summary>Stops receiving and removing, deletes the stream and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _window?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in (Task?[])[_receiving, _removing])
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (_nats is not null)
        {
            try
            {
                await new NatsJSContext(_nats).DeleteStreamAsync(Stream, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NatsException)
            {
                // The server is going away with the run anyway.
            }

            await _nats.DisposeAsync().ConfigureAwait(false);
        }

        _ring?.Dispose();
        _stop.Dispose();
    }

    private async Task<NatsConnection> OpenAsync(string name)
    {
        var nats = new NatsConnection(new NatsOpts { Url = _url, Name = name, ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(10) });
        try
        {
            await nats.ConnectAsync().ConfigureAwait(false);
            return nats;
        }
        catch (NatsException ex)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            throw new LoadTargetException($"cannot connect to {_url}: {ex.Message}. Use the bare target name `jetstream` to start a nats-server -js for the run.", ex);
        }
    }

    private string Subject(int recipient) => $"perf.floor.{_run}.{recipient.ToString(CultureInfo.InvariantCulture)}";

    // One subscription for every recipient: the subject's last token says whose message it is, the
    // Nats-Sequence header its stream sequence (what the next purge removes below).
    private async Task ReceiveAsync(INatsSub<NatsMemoryOwner<byte>> live, LoadTargetContext context)
    {
        try
        {
            await foreach (var message in live.Msgs.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var received = LoadTargetContext.Now();
                using var data = message.Data;
                if (int.TryParse(message.Subject.AsSpan(message.Subject.LastIndexOf('.') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var recipient) && recipient < _ring!.Count
                    && message.Headers is { } headers && headers.TryGetLastValue("Nats-Sequence", out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                {
                    _ring.OpenAndReport(recipient, data.Memory.Span, received, context);
                    if (sequence > _received[recipient])
                    {
                        Volatile.Write(ref _received[recipient], sequence); // this loop is the only writer
                    }
                }
                else
                {
                    context.Error("unreadable_message");
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            await live.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The relay's batched removal: per recipient with something new received, one purge of its
    // subject below the next sequence, every RemovalInterval; a purge JetStream refuses counts as
    // an error in the result (a floor that stopped removing would look cheaper than it is).
    private async Task RemoveAsync(NatsJSContext js, LoadTargetContext context)
    {
        using var timer = new PeriodicTimer(RemovalInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                for (var recipient = 0; recipient < _received.Length; recipient++)
                {
                    var highest = Volatile.Read(ref _received[recipient]);
                    if (highest <= _removed[recipient])
                    {
                        continue;
                    }

                    try
                    {
                        await js.PurgeStreamAsync(Stream, new StreamPurgeRequest { Filter = Subject(recipient), Seq = (ulong)highest + 1 }, _stop.Token).ConfigureAwait(false);
                        _removed[recipient] = highest;
                    }
                    catch (NatsException)
                    {
                        context.Error("purge_failed");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    // A publish waiting in the floor's window.
    private readonly record struct FloorPublish(FloorConnection Connection, byte[] Buffer, int Length, bool Measured)
    {
        public static bool Send(FloorPublish publish)
        {
            _ = publish.Connection.PublishAsync(publish.Buffer, publish.Length, publish.Measured);
            return true;
        }

        public static void Refuse(FloorPublish publish) => publish.Connection.Refuse(publish.Buffer, publish.Measured);
    }

    private sealed class FloorConnection(NatsJSContext js, string subject, int index, E2eRing ring, LoadTargetContext context, SendWindow<FloorPublish>? window) : ILoadConnection
    {
        public void Write(long sequence, long intendedTicks, bool measured)
        {
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            var buffer = ArrayPool<byte>.Shared.Rent(envelope.Length);
            envelope.CopyTo(buffer);
            if (window is null)
            {
                _ = PublishAsync(buffer, envelope.Length, measured);
            }
            else
            {
                window.Enqueue(new FloorPublish(this, buffer, envelope.Length, measured));
            }
        }

        // NATS.Net's writer sends on its own; nothing waits here.
        public ValueTask FlushAsync() => ValueTask.CompletedTask;

        // Still in the window when the run ended: never stored.
        public void Refuse(byte[] buffer, bool measured)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (measured)
            {
                context.Rejected();
            }
        }

        // Accepted once JetStream acknowledged the write, as the relay answers ACCEPTED.
        public async Task PublishAsync(byte[] buffer, int length, bool measured)
        {
            try
            {
                var ack = await js.PublishAsync<ReadOnlyMemory<byte>>(subject, buffer.AsMemory(0, length)).ConfigureAwait(false);
                if (measured)
                {
                    if (ack.Error is null)
                    {
                        context.Accepted();
                    }
                    else
                    {
                        context.Rejected();
                    }
                }
            }
            catch (NatsException)
            {
                if (measured)
                {
                    context.Rejected();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
