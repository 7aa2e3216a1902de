using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Relay.Server.Tests.Abuse;

/// <summary>
/// Clients from a chosen loopback source address (the whole of 127/8 is loopback on Linux), so a
/// hostile source and legitimate clients are different sources to the relay's per-source limits.
/// </summary>
internal static class SourceBoundClients
{
    /// <summary>127.0.0.<paramref name="last"/>.</summary>
    public static IPAddress Loopback(int last) => new([127, 0, 0, (byte)last]);

    /// <summary>A TCP socket from <paramref name="source"/> connected to <paramref name="target"/>.</summary>
    public static async Task<Socket> ConnectAsync(IPAddress source, EndPoint target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(target);
        return socket;
    }

    /// <summary>A Noise client of <paramref name="relay"/> from <paramref name="source"/>.</summary>
    public static async Task<RelayClientConnection> NoiseAsync(TestRelay relay, IPAddress source, X25519KeyPair identity, bool anonymous = false)
    {
        var pipe = new SocketPipe(await ConnectAsync(source, relay.Server.TcpEndPoint));
        return await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, identity, anonymous, relay.ClientOptions, CancellationToken.None);
    }

    /// <summary>A WebSocket to <paramref name="relay"/>'s gateway from <paramref name="source"/>; <c>null</c> <paramref name="token"/> for an anonymous one.</summary>
    public static async Task<ClientWebSocket> WebSocketAsync(TestRelay relay, IPAddress source, string? token)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, _) => new NetworkStream(await ConnectAsync(source, relay.Server.WebSocketEndPoint!), ownsSocket: true),
        };
        using var invoker = new HttpMessageInvoker(handler);
        await socket.ConnectAsync(relay.WsUri, invoker, CancellationToken.None);
        return socket;
    }

    /// <summary>XX message 1 framed for TCP: a fresh ephemeral key and an empty payload, as any client's first message.</summary>
    public static byte[] FirstHandshakeMessage()
    {
        using var identity = X25519KeyPair.Generate();
        using var handshake = new HandshakeState(NoiseProtocol.XxAesGcm, initiator: true, "relay/1"u8, identity, default, AeadBackend.Auto);
        var message = new byte[2 + handshake.MaxMessageSize(0)];
        var length = handshake.WriteMessage(default, message.AsSpan(2));
        message[0] = (byte)(length >> 8);
        message[1] = (byte)length;
        return message[..(2 + length)];
    }

    /// <summary>
    /// Sends a valid first handshake message from <paramref name="source"/> and waits for the relay's
    /// answer; returns the socket (left open, silent: an abandoned handshake) and the bytes of the
    /// answer, 0 when the relay closed without a byte: refused before any Diffie-Hellman work.
    /// </summary>
    public static async Task<(Socket Socket, int Answered)> AbandonedHandshakeAsync(IPAddress source, EndPoint relay)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        try
        {
            // A refusal can reset the connection before the connect has even been reported done.
            await socket.ConnectAsync(relay);
            await socket.SendAsync(FirstHandshakeMessage());
        }
        catch (SocketException)
        {
            return (socket, 0); // refused so fast that the send met the reset
        }

        using var timeout = new CancellationTokenSource(RelayClientExpectations.Patience);
        var buffer = new byte[512];
        try
        {
            return (socket, await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        }
        catch (SocketException)
        {
            return (socket, 0);
        }
    }

    /// <summary>Reads <paramref name="socket"/> to its end: true when the relay closed it (an end or a reset) within <see cref="RelayClientExpectations.Patience"/>.</summary>
    public static async Task<bool> ClosedByRelayAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(RelayClientExpectations.Patience);
        var buffer = new byte[512];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails after <see cref="RelayClientExpectations.Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + RelayClientExpectations.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Pipes over a connected socket, owned (disposed) with it.</summary>
    private sealed class SocketPipe(Socket socket) : IDuplexPipe, IAsyncDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);

        public PipeReader Input { get; } = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));

        public PipeWriter Output { get; } = PipeWriter.Create(new NetworkStream(socket, ownsSocket: false));

        public async ValueTask DisposeAsync()
        {
            await Input.CompleteAsync();
            await Output.CompleteAsync();
            await _stream.DisposeAsync();
        }
    }
}
