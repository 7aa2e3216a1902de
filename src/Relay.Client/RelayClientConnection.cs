using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;
using Relay.Protocol.Transports;

namespace Relay.Client;

/// <summary>
/// One client connection to the relay, over Noise/TCP (the relay's key pinned; the client's
/// static key is its identity) or over the WebSocket gateway (a token names the identity).
/// Frames are written into a buffer and sent by <see cref="FlushAsync"/>; one writer and one
/// reader at a time. The frames <see cref="ReadAsync"/> returns are valid until the next read.
/// </summary>
public sealed class RelayClientConnection : IAsyncDisposable
{
    private readonly IFrameTransport _transport;
    private readonly ArrayBufferWriter<byte> _frame = new(1024);
    private readonly FrameLimits _limits;
    private readonly IAsyncDisposable _resource;
    private int _disposed;

    private RelayClientConnection(IFrameTransport transport, FrameLimits limits, IAsyncDisposable resource)
    {
        _transport = transport;
        _limits = limits;
        _resource = resource;
    }

    /// <summary>Connects over TCP and runs the Noise XX handshake as <paramref name="identity"/>.</summary>
    /// <exception cref="RelayClientException">The relay is unreachable, the handshake failed, or the relay's key is not the pinned one.</exception>
    public static Task<RelayClientConnection> ConnectTcpAsync(EndPoint relay, X25519KeyPair identity, RelayClientOptions options, CancellationToken cancellationToken) =>
        ConnectTcpAsync(relay, identity, anonymous: false, options, cancellationToken);

    /// <summary>
    /// Connects over TCP as an <em>anonymous</em> connection: a throwaway static key made for this
    /// connection and the anonymous flag in the handshake's encrypted final payload, so the relay
    /// knows no identity for it (it may send only SEALED_SEND, MAILBOX_SEND, OPEN_MAILBOX, ACK and
    /// PING). The relay's key is pinned
    /// as for <see cref="ConnectTcpAsync(EndPoint, X25519KeyPair, RelayClientOptions, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="RelayClientException">The relay is unreachable, the handshake failed, or the relay's key is not the pinned one.</exception>
    public static async Task<RelayClientConnection> ConnectAnonymousTcpAsync(EndPoint relay, RelayClientOptions options, CancellationToken cancellationToken)
    {
        var throwaway = X25519KeyPair.Generate();
        try
        {
            return await ConnectTcpAsync(relay, throwaway, anonymous: true, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The handshake is over: the private key is needed no more.
            throwaway.Dispose();
        }
    }

    private static async Task<RelayClientConnection> ConnectTcpAsync(EndPoint relay, X25519KeyPair identity, bool anonymous, RelayClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(relay, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new RelayClientException($"cannot connect to the relay at {relay}: {ex.Message}", ex);
        }

        var pipe = new ClientSocketPipe(socket);
        try
        {
            var channel = await NoiseChannel.ConnectAsync(pipe, HandshakeOptions(identity, anonymous, options), cancellationToken).ConfigureAwait(false);
            return new RelayClientConnection(new NoiseFrameTransport(channel, pipe), options.Frames, new PipeResources(channel, pipe));
        }
        catch (Exception ex) when (IsHandshakeFailure(ex))
        {
            await DisposeClosedAsync(pipe).ConfigureAwait(false);
            throw HandshakeFailed(ex, $"the relay at {relay}");
        }
    }

    private static NoiseChannelOptions HandshakeOptions(X25519KeyPair identity, bool anonymous, RelayClientOptions options) => new()
    {
        Protocol = NoiseProtocol.Xx(options.Cipher),
        Backend = options.Backend,
        StaticKey = identity,
        ExpectedRemoteStaticKey = options.RelayKey,
        HandshakeTimeout = options.ConnectTimeout,
        FinalHandshakePayload = anonymous ? AnonymousConnection.HandshakePayload : null,
    };

    private static bool IsHandshakeFailure(Exception ex) => ex is NoiseException or IOException or ConnectionAbortedException;

    // One wording for every way a handshake fails, whichever socket path carried it.
    private static RelayClientException HandshakeFailed(Exception ex, string relay) => new(ex switch
    {
        NoiseException { Error: NoiseError.RemoteKeyMismatch } => $"{relay} presented a different key than the pinned one: check --relay-key",
        NoiseException noise => $"the Noise handshake with {relay} failed: {noise.Error} ({noise.Message})",
        _ => $"{relay} closed the connection during the handshake (at its connection limit?): {ex.Message}",
    }, ex);

    /// <summary>
    /// Runs the Noise XX handshake as <paramref name="identity"/> over pipes the caller connected
    /// (the load generator's own socket pipes); disposing the connection disposes <paramref name="owner"/>.
    /// </summary>
    /// <exception cref="RelayClientException">The handshake failed, or the relay's key is not the pinned one.</exception>
    public static Task<RelayClientConnection> ConnectNoiseAsync(IDuplexPipe pipe, IAsyncDisposable owner, X25519KeyPair identity, RelayClientOptions options, CancellationToken cancellationToken) =>
        ConnectNoiseAsync(pipe, owner, identity, anonymous: false, options, cancellationToken);

    /// <summary>
    /// As <see cref="ConnectNoiseAsync(IDuplexPipe, IAsyncDisposable, X25519KeyPair, RelayClientOptions, CancellationToken)"/>;
    /// with <paramref name="anonymous"/>, the final handshake payload carries the anonymous flag
    /// (pass a throwaway key as <paramref name="identity"/>), so the relay knows no identity for it.
    /// </summary>
    /// <exception cref="RelayClientException">The handshake failed, or the relay's key is not the pinned one.</exception>
    public static async Task<RelayClientConnection> ConnectNoiseAsync(IDuplexPipe pipe, IAsyncDisposable owner, X25519KeyPair identity, bool anonymous, RelayClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var channel = await NoiseChannel.ConnectAsync(pipe, HandshakeOptions(identity, anonymous, options), cancellationToken).ConfigureAwait(false);
            return new RelayClientConnection(new NoiseFrameTransport(channel, pipe), options.Frames, new PipeResources(channel, owner));
        }
        catch (Exception ex) when (IsHandshakeFailure(ex))
        {
            await DisposeClosedAsync(owner).ConfigureAwait(false);
            throw HandshakeFailed(ex, "the relay");
        }
    }

    // The relay may have closed the socket before reading a byte (a refused source): flushing the
    // owner's pipes then meets a broken pipe, and the handshake failure is still the error to report.
    private static async ValueTask DisposeClosedAsync(IAsyncDisposable owner)
    {
        try
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
        }
    }

    /// <summary>
    /// Connects to the WebSocket gateway (<c>ws://HOST:PORT/ws</c>) with a bearer token; a
    /// <c>null</c> token sends no credentials at all, which the relay takes as an anonymous
    /// connection (sealed sender).
    /// </summary>
    /// <exception cref="RelayClientException">Unreachable, or the relay refused the token (HTTP 401).</exception>
    public static async Task<RelayClientConnection> ConnectWebSocketAsync(Uri uri, string? token, RelayClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new ClientWebSocket();
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new RelayClientException(status == HttpStatusCode.Unauthorized
                ? $"the relay at {uri} refused the token (401): mint one with `perf token` and the relay's --ws-secret"
                : $"cannot connect to the relay at {uri}: {ex.Message}", ex);
        }

        return new RelayClientConnection(new WebSocketFrameTransport(socket, options.MaxWebSocketMessageBytes), options.Frames, new WebSocketResources(socket));
    }

    /// <summary>Queues a SEND of <paramref name="envelope"/> to <paramref name="recipient"/>.</summary>
    public void Send(ulong clientMessageId, Identity recipient, ReadOnlySpan<byte> envelope)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteSend(_frame, clientMessageId, recipient, envelope);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues a SEALED_SEND of a sealed-sender envelope to <paramref name="recipient"/> with its delivery token.</summary>
    public void SealedSend(ulong clientMessageId, Identity recipient, DeliveryToken token, ReadOnlySpan<byte> sealedEnvelope)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteSealedSend(_frame, clientMessageId, recipient, token, sealedEnvelope);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>
    /// Queues an OPEN_MAILBOX (anonymous connections): from the relay's ACCEPTED on, this connection
    /// receives the conversation mailbox's messages (DELIVER, sealed flag) and ACKs them.
    /// </summary>
    public void OpenMailbox(ulong requestId, ReadOnlySpan<byte> fetchCredential, ReadOnlySpan<byte> sendVerifier, ulong expiry)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteOpenMailbox(_frame, requestId, fetchCredential, sendVerifier, expiry);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues a MAILBOX_SEND (anonymous connections) of a conversation envelope to the mailbox a ticket names.</summary>
    public void MailboxSend(ulong clientMessageId, ReadOnlySpan<byte> fetchVerifier, ulong expiry, DeliveryToken sendToken, ReadOnlySpan<byte> conversationEnvelope)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteMailboxSend(_frame, clientMessageId, fetchVerifier, expiry, sendToken, conversationEnvelope);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues a CERTIFICATE_REQUEST (authenticated connections); the relay answers CERTIFICATE with the same id.</summary>
    public void RequestCertificate(ulong requestId)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteCertificateRequest(_frame, requestId);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues a SET_DELIVERY_VERIFIER (authenticated connections); the relay answers ACCEPTED with the same id.</summary>
    public void SetDeliveryVerifier(ulong clientMessageId, ReadOnlySpan<byte> verifier)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteSetDeliveryVerifier(_frame, clientMessageId, verifier);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues an ACK of a delivered message.</summary>
    public void Ack(ulong relayMessageId)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WriteAck(_frame, relayMessageId);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues a PING.</summary>
    public void Ping(ulong value)
    {
        _frame.ResetWrittenCount();
        FrameCodec.WritePing(_frame, value);
        _transport.Write(_frame.WrittenSpan);
    }

    /// <summary>Queues raw bytes as one frame (tests of the relay's bad-input handling).</summary>
    public void WriteRaw(ReadOnlySpan<byte> frame) => _transport.Write(frame);

    /// <summary>Sends what was queued.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _transport.FlushAsync(cancellationToken);

    /// <summary>Reads the next frame from the relay; <c>null</c> when the relay closed the connection.</summary>
    /// <exception cref="RelayClientException">The relay sent a malformed frame.</exception>
    /// <remarks>Its state machine is pooled: a receive loop waits here between frames, and a fresh one per wait was ~200 bytes per message.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RelayFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        (ReadOnlySequence<byte> Frame, bool IsCompleted) read;
        try
        {
            read = await _transport.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NoiseException or WebSocketException or IOException or ConnectionResetException)
        {
            return null;
        }

        if (read.IsCompleted)
        {
            return null;
        }

        var error = FrameCodec.TryRead(read.Frame, _limits, out var frame);
        return error == FrameError.None ? frame : throw new RelayClientException($"the relay sent a malformed frame ({error})");
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _transport.CloseAsync(FrameError.None, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Already closed by the other side.
        }

        await _resource.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class PipeResources(NoiseChannel channel, IAsyncDisposable owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            await owner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class WebSocketResources(ClientWebSocket socket) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Finish the close handshake (reading and dropping what the relay still sends) before
            // dropping the socket: closing it with unread data would make the OS answer with a
            // reset, and a reset makes the relay lose the frames that had not yet been read.
            if (socket.State == WebSocketState.CloseSent)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    // The relay went first, or did not answer in time.
                }
            }

            socket.Dispose();
        }
    }
}

/// <summary>A client could not connect or the relay broke the protocol; the message says what to fix.</summary>
public sealed class RelayClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RelayClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RelayClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
