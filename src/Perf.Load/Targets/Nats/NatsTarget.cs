using System.Buffers;
using NATS.Client.Core;
using Relay.Crypto.Aead;

namespace Perf.Load.Targets.Nats;

/// <summary>
/// A real NATS server as the peer a user would otherwise pick: each connection subscribes to a
/// subject of its own and publishes E2E-sealed envelopes (the same sessions and payloads as the
/// relay targets) to its recipient's subject. NATS neither holds messages for offline
/// recipients nor confirms them, so nothing is counted as accepted.
/// </summary>
public sealed class NatsTarget : ILoadTarget
{
    private readonly string _url;
    private readonly AeadAlgorithm _algorithm;
    private readonly AeadBackend _backend;
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private readonly List<NatsConnection> _connections = [];
    private readonly List<Task> _receivers = [];
    private readonly CancellationTokenSource _stop = new();
    private E2eRing? _ring;

    /// <summary>Creates a target for the NATS server at <paramref name="url"/> (nats://HOST:PORT).</summary>
    public NatsTarget(string url, AeadAlgorithm algorithm, AeadBackend backend)
    {
        _url = url ?? throw new ArgumentNullException(nameof(url));
        _algorithm = algorithm ?? throw new ArgumentNullException(nameof(algorithm));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
    }

    /// <inheritdoc />
    public string Name => "nats";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ring = new E2eRing(context.Connections, context.MessageSize, _algorithm, _backend);
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            var nats = new NatsConnection(new NatsOpts { Url = _url, Name = $"perf-load-{i}", ConnectTimeout = TimeSpan.FromSeconds(5) });
            _connections.Add(nats);
            try
            {
                await nats.ConnectAsync().ConfigureAwait(false);
            }
            catch (NatsException ex)
            {
                throw new LoadTargetException($"cannot connect to {_url}: {ex.Message}. Start nats-server there, or use the bare target name `nats` to start one embedded.", ex);
            }

            var subscription = await nats.SubscribeCoreAsync<NatsMemoryOwner<byte>>(Subject(i), cancellationToken: cancellationToken).ConfigureAwait(false);
            _receivers.Add(ReceiveAsync(subscription, i, context));
        }

        // A round trip per connection guarantees the server has registered every subscription.
        foreach (var nats in _connections)
        {
            await nats.PingAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new NatsLoadConnection(_connections[i], Subject(_ring.RecipientOf(i)), i, _ring, context);
        }

        return connections;
    }

    /// <summary>Unsubscribes, closes the connections and wipes the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var nats in _connections)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_receivers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ending the subscriptions ends the loops.
        }

        _ring?.Dispose();
        _stop.Dispose();
    }

    private string Subject(int index) => $"perf.load.{_run}.{index}";

    private async Task ReceiveAsync(INatsSub<NatsMemoryOwner<byte>> subscription, int index, LoadTargetContext context)
    {
        await using var sub = subscription.ConfigureAwait(false);
        var reader = subscription.Msgs;
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                var received = LoadTargetContext.Now();
                using var owner = message.Data;
                _ring!.OpenAndReport(index, owner.Memory.Span, received, context);
            }
        }
    }

    private sealed class NatsLoadConnection(NatsConnection nats, string subject, int index, E2eRing ring, LoadTargetContext context) : ILoadConnection
    {
        private readonly List<(ValueTask Publish, byte[] Buffer)> _pending = [];

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            var buffer = ArrayPool<byte>.Shared.Rent(envelope.Length);
            envelope.CopyTo(buffer);
            var publish = nats.PublishAsync<ReadOnlyMemory<byte>>(subject, buffer.AsMemory(0, envelope.Length));
            if (publish.IsCompletedSuccessfully)
            {
                // The client copied the message into its send buffer.
                ArrayPool<byte>.Shared.Return(buffer);
            }
            else
            {
                _pending.Add((publish, buffer));
            }
        }

        public async ValueTask FlushAsync()
        {
            // NATS.Net's writer loop sends buffered publishes on its own; only wait for those it could not take yet.
            foreach (var (publish, buffer) in _pending)
            {
                await publish.ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _pending.Clear();
        }
    }
}
