using System.Buffers;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Relay.Crypto.Aead;

namespace Perf.Load.Targets.JetStream;

/// <summary>
/// The durability floor, as <c>echo</c> is the network's: the cheapest NATS.Net loop that does
/// what the relay's durable path must for the same E2E-sealed messages on a <c>nats-server -js</c>.
/// Each message is published to its recipient's subject of a file-backed work-queue stream and
/// counted accepted once JetStream acknowledged it; one durable pull consumer over every subject
/// delivers it, the generator opens it as the recipient, and the consumer's ACK removes it (the
/// work-queue retention). One connection publishes for every client and one consumes: no relay,
/// no per-recipient state. Its <c>target</c> section is the server's CPU per message, the part of
/// the relay's durable path JetStream itself costs.
/// </summary>
public sealed class JetStreamFloorTarget : ILoadTarget
{
    private readonly string _url;
    private readonly AeadAlgorithm _algorithm;
    private readonly AeadBackend _backend;
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private readonly CancellationTokenSource _stop = new();
    private NatsConnection? _publisher;
    private NatsConnection? _consumer;
    private Task? _receiving;
    private E2eRing? _ring;

    /// <summary>A floor on the JetStream server at <paramref name="url"/> (nats://HOST:PORT).</summary>
    public JetStreamFloorTarget(string url, AeadAlgorithm algorithm, AeadBackend backend)
    {
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
        _publisher = await OpenAsync("perf-floor-publish").ConfigureAwait(false);
        _consumer = await OpenAsync("perf-floor-consume").ConfigureAwait(false);
        var js = new NatsJSContext(_publisher);
        INatsJSConsumer consumer;
        try
        {
            await js.CreateStreamAsync(new StreamConfig(Stream, [$"perf.floor.{_run}.*"])
            {
                Storage = StreamConfigStorage.File,
                Retention = StreamConfigRetention.Workqueue,
            }, cancellationToken).ConfigureAwait(false);
            consumer = await new NatsJSContext(_consumer).CreateOrUpdateConsumerAsync(Stream, new ConsumerConfig
            {
                Name = "floor",
                DurableName = "floor",
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                MaxAckPending = 100_000,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new LoadTargetException($"JetStream at {_url} refused the floor's stream or consumer (is nats-server running with -js?): {ex.Message}", ex);
        }

        _receiving = ReceiveAsync(consumer, context);
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new FloorConnection(js, Subject(_ring.RecipientOf(i)), i, _ring, context);
        }

        return connections;
    }

    /// <summary>Stops consuming, deletes the stream and closes both connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_receiving is not null)
        {
            await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_publisher is not null)
        {
            try
            {
                await new NatsJSContext(_publisher).DeleteStreamAsync(Stream, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NatsException)
            {
                // The server is going away with the run anyway.
            }

            await _publisher.DisposeAsync().ConfigureAwait(false);
        }

        if (_consumer is not null)
        {
            await _consumer.DisposeAsync().ConfigureAwait(false);
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

    // One consumer for every recipient: the subject's last token says whose message it is.
    private async Task ReceiveAsync(INatsJSConsumer consumer, LoadTargetContext context)
    {
        try
        {
            await foreach (var message in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: new NatsJSConsumeOpts { MaxMsgs = 1_000 }, cancellationToken: _stop.Token).ConfigureAwait(false))
            {
                var received = LoadTargetContext.Now();
                using (var data = message.Data)
                {
                    if (int.TryParse(message.Subject.AsSpan(message.Subject.LastIndexOf('.') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var recipient) && recipient < _ring!.Count)
                    {
                        _ring.OpenAndReport(recipient, data.Memory.Span, received, context);
                    }
                    else
                    {
                        context.Error();
                    }
                }

                await message.AckAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private sealed class FloorConnection(NatsJSContext js, string subject, int index, E2eRing ring, LoadTargetContext context) : ILoadConnection
    {
        public void Write(long sequence, long intendedTicks, bool measured)
        {
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            var buffer = ArrayPool<byte>.Shared.Rent(envelope.Length);
            envelope.CopyTo(buffer);
            _ = PublishAsync(buffer, envelope.Length, measured);
        }

        // NATS.Net's writer sends on its own; nothing waits here.
        public ValueTask FlushAsync() => ValueTask.CompletedTask;

        // Accepted once JetStream acknowledged the write, as the relay answers ACCEPTED.
        private async Task PublishAsync(byte[] buffer, int length, bool measured)
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
