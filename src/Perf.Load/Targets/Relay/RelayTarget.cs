using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Net;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Targets.Relay;

/// <summary>
/// This project's relay, over Noise/TCP (<c>relay-tcp</c>) or the WebSocket gateway
/// (<c>relay-ws</c>): each connection is one identity sending E2E-sealed envelopes to the next
/// identity, counting ACCEPTED and REJECTED answers, opening DELIVERs and acknowledging them.
/// ACKs ride along with the next flush of sends on the same connection (one writer per connection).
/// </summary>
public sealed class RelayTarget : ILoadTarget, ICallerPumpedTarget
{
    private readonly bool _webSocket;
    private readonly EndPoint _endPoint;
    private readonly byte[]? _relayKey;
    private readonly byte[]? _wsSecret;
    private readonly AeadAlgorithm _cipher;
    private readonly AeadBackend _backend;
    private readonly List<RelayClientConnection> _clients = [];
    private readonly List<Task> _receivers = [];
    private E2eRing? _ring;
    private DirectSockets? _direct;

    /// <summary>A Noise/TCP target pinning <paramref name="relayKey"/>.</summary>
    public static RelayTarget Tcp(EndPoint endPoint, byte[] relayKey, AeadAlgorithm cipher, AeadBackend backend) => new(false, endPoint, relayKey, null, cipher, backend);

    /// <summary>A WebSocket target minting tokens with <paramref name="secret"/> (the relay's --ws-secret).</summary>
    public static RelayTarget WebSocket(EndPoint endPoint, byte[] secret, AeadAlgorithm cipher, AeadBackend backend) => new(true, endPoint, null, secret, cipher, backend);

    private RelayTarget(bool webSocket, EndPoint endPoint, byte[]? relayKey, byte[]? wsSecret, AeadAlgorithm cipher, AeadBackend backend)
    {
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
        _ring = new E2eRing(context.Connections, context.MessageSize, _cipher, _backend);
        var options = new RelayClientOptions { Cipher = _cipher, Backend = _backend, RelayKey = _relayKey };
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            RelayClientConnection client;
            try
            {
                client = _webSocket
                    ? await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{_endPoint}/ws"), RelayToken.Mint(new Identity(_ring.Identity(i)), DateTimeOffset.UtcNow.AddHours(24), _wsSecret), options, cancellationToken).ConfigureAwait(false)
                    : await DirectConnectAsync(_ring.KeyPair(i), options, context.Connections, cancellationToken).ConfigureAwait(false);
            }
            catch (RelayClientException ex)
            {
                throw new LoadTargetException(ex.Message, ex);
            }

            _clients.Add(client);
            var connection = new RelayLoadConnection(client, i, new Identity(_ring.Identity(_ring.RecipientOf(i))), _ring, context);
            connections[i] = connection;
            _receivers.Add(Task.Run(() => connection.ReceiveAsync(), CancellationToken.None));
        }

        return connections;
    }

    // Noise/TCP over the generator's own sockets: sends from the scheduling thread, DELIVERs
    // opened on the one receive thread, as the echo floor's client does.
    private async Task<RelayClientConnection> DirectConnectAsync(global::Relay.Crypto.KeyAgreement.X25519KeyPair identity, RelayClientOptions options, int connections, CancellationToken cancellationToken)
    {
        _direct ??= new DirectSockets(connections);
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

        var pipe = new DirectPipe(_direct, socket);
        return await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, identity, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes every connection and wipes the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
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

    private sealed class RelayLoadConnection(RelayClientConnection client, int index, Identity recipient, E2eRing ring, LoadTargetContext context) : ILoadConnection
    {
        // Whether each sequence (by its per-connection number) is in the measured window, for counting answers.
        private const int MeasuredMask = (1 << 16) - 1;
        private readonly bool[] _measured = new bool[MeasuredMask + 1];
        private readonly ConcurrentQueue<ulong> _acks = new();

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            _measured[(int)((sequence / context.Connections) & MeasuredMask)] = measured;
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            client.Send((ulong)sequence, recipient, envelope);
        }

        public ValueTask FlushAsync()
        {
            while (_acks.TryDequeue(out var relayId))
            {
                client.Ack(relayId);
            }

            return client.FlushAsync();
        }

        public async Task ReceiveAsync()
        {
            while (await client.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                var received = LoadTargetContext.Now();
                switch (frame.Type)
                {
                    case FrameType.Deliver:
                        ring.OpenAndReport(index, frame.Envelope.IsSingleSegment ? frame.Envelope.FirstSpan : System.Buffers.BuffersExtensions.ToArray(frame.Envelope), received, context);
                        _acks.Enqueue(frame.RelayMessageId);
                        break;
                    case FrameType.Accepted when IsMeasured(frame.ClientMessageId):
                        context.Accepted();
                        break;
                    case FrameType.Rejected when IsMeasured(frame.ClientMessageId):
                        context.Rejected();
                        break;
                    case FrameType.Error:
                        return;
                }
            }
        }

        private bool IsMeasured(ulong sequence) => _measured[(int)(((long)sequence / context.Connections) & MeasuredMask)];
    }
}
