using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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
/// plaintext is padded before sealing.
/// </summary>
public sealed class RelayTarget : ILoadTarget, ICallerPumpedTarget
{
    private readonly bool _webSocket;
    private readonly EndPoint _endPoint;
    private readonly byte[]? _relayKey;
    private readonly byte[]? _wsSecret;
    private readonly AeadAlgorithm _cipher;
    private readonly AeadBackend _backend;
    private readonly RelayTargetMode _mode;
    private readonly List<RelayClientConnection> _clients = [];
    private readonly List<Task> _receivers = [];
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
        _ring = new E2eRing(context.Connections, context.MessageSize, _cipher, _backend, _mode.Padding, _mode.SealedSender);
        var options = new RelayClientOptions { Cipher = _cipher, Backend = _backend, RelayKey = _relayKey };
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            RelayClientConnection client;
            RelayClientConnection? anonymous = null;
            try
            {
                client = _webSocket
                    ? await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{_endPoint}/ws"), RelayToken.Mint(new Identity(_ring.Identity(i)), DateTimeOffset.UtcNow.AddHours(24), _wsSecret), options, cancellationToken).ConfigureAwait(false)
                    : await DirectConnectAsync(_ring.KeyPair(i), anonymous: false, options, context.Connections, cancellationToken).ConfigureAwait(false);
                _clients.Add(client);
                if (_mode.SealedSender)
                {
                    await EnableSealedSenderAsync(client, i, cancellationToken).ConfigureAwait(false);
                    anonymous = _webSocket
                        ? await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{_endPoint}/ws"), null, options, cancellationToken).ConfigureAwait(false)
                        : await DirectConnectAnonymousAsync(options, context.Connections, cancellationToken).ConfigureAwait(false);
                    _clients.Add(anonymous);
                }
            }
            catch (RelayClientException ex)
            {
                throw new LoadTargetException(ex.Message, ex);
            }

            var recipient = _ring.RecipientOf(i);
            var connection = new RelayLoadConnection(client, anonymous, i, new Identity(_ring.Identity(recipient)), _mode.SealedSender ? _ring.TokenOf(recipient) : default, _ring, context);
            connections[i] = connection;
            _receivers.Add(Task.Run(() => connection.ReceiveAsync(client), CancellationToken.None));
            if (anonymous is not null)
            {
                _receivers.Add(Task.Run(() => connection.ReceiveAsync(anonymous), CancellationToken.None));
            }
        }

        return connections;
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
        return await DirectConnectAsync(throwaway, anonymous: true, options, connections, cancellationToken).ConfigureAwait(false);
    }

    // Noise/TCP over the generator's own sockets: sends from the scheduling thread, DELIVERs
    // opened on the one receive thread, as the echo floor's client does. Sealed sender holds two
    // sockets per identity (the authenticated one and the anonymous one).
    private async Task<RelayClientConnection> DirectConnectAsync(global::Relay.Crypto.KeyAgreement.X25519KeyPair identity, bool anonymous, RelayClientOptions options, int connections, CancellationToken cancellationToken)
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

        var pipe = new DirectPipe(_direct, socket);
        return await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, identity, anonymous, options, cancellationToken).ConfigureAwait(false);
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

    private sealed class RelayLoadConnection(RelayClientConnection client, RelayClientConnection? anonymous, int index, Identity recipient, DeliveryToken recipientToken, E2eRing ring, LoadTargetContext context) : ILoadConnection
    {
        // Whether each sequence (by its per-connection number) is in the measured window, for counting answers.
        private const int MeasuredMask = (1 << 16) - 1;
        private readonly bool[] _measured = new bool[MeasuredMask + 1];
        private readonly ConcurrentQueue<ulong> _acks = new();

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            _measured[(int)((sequence / context.Connections) & MeasuredMask)] = measured;
            var envelope = ring.Seal(index, sequence, intendedTicks, measured, context);
            if (anonymous is null)
            {
                client.Send((ulong)sequence, recipient, envelope);
            }
            else
            {
                anonymous.SealedSend((ulong)sequence, recipient, recipientToken, envelope);
            }
        }

        public ValueTask FlushAsync()
        {
            var acks = false;
            while (_acks.TryDequeue(out var relayId))
            {
                client.Ack(relayId);
                acks = true;
            }

            return anonymous is null ? client.FlushAsync() : FlushBothAsync(acks);
        }

        // Sealed: sends go on the anonymous connection, ACKs on the authenticated one.
        [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
        private async ValueTask FlushBothAsync(bool acks)
        {
            if (acks)
            {
                await client.FlushAsync().ConfigureAwait(false);
            }

            await anonymous!.FlushAsync().ConfigureAwait(false);
        }

        public async Task ReceiveAsync(RelayClientConnection from)
        {
            while (await from.ReadAsync().ConfigureAwait(false) is { } frame)
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
