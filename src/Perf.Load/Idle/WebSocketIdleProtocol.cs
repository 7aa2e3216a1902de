using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Idle;

/// <summary>
/// An idle relay client over the WebSocket gateway: the HTTP/1.1 upgrade to <c>/ws</c> with a
/// bearer token for identity number <c>client</c>, then one PING frame answered by a PONG,
/// which proves the relay has attached the identity. Written by hand over the socket (RFC 6455:
/// client frames masked) so that an idle client holds nothing but its socket.
/// </summary>
public sealed class WebSocketIdleProtocol : IdleProtocol
{
    private readonly string _host;
    private readonly byte[] _secret;
    private readonly byte[] _identitySeed = RandomNumberGenerator.GetBytes(32);

    /// <summary>Creates the protocol for the gateway at <paramref name="endPoint"/>, minting tokens with <paramref name="secret"/>.</summary>
    public WebSocketIdleProtocol(IPEndPoint endPoint, byte[] secret)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _host = endPoint.ToString();
        _secret = secret ?? throw new ArgumentNullException(nameof(secret));
    }

    /// <inheritdoc />
    public override async Task<object?> OpenAsync(Socket socket, int client, CancellationToken cancellationToken)
    {
        var identity = new byte[Identity.Size];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _identitySeed, identity, default, BitConverter.GetBytes(client));
        var token = RelayToken.Mint(new Identity(identity), DateTimeOffset.UtcNow.AddHours(24), _secret);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = Encoding.ASCII.GetBytes(
            $"GET /ws HTTP/1.1\r\nHost: {_host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n");
        await SendAllAsync(socket, request, cancellationToken).ConfigureAwait(false);
        await ReadUpgradeAsync(socket, cancellationToken).ConfigureAwait(false);
        await SendAllAsync(socket, PingFrame((ulong)client), cancellationToken).ConfigureAwait(false);
        await ReadPongAsync(socket, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <inheritdoc />
    public override bool AnswersKeepAlive => true;

    /// <inheritdoc />
    public override void KeepAlive(Socket socket, object? state)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.Send(PingFrame(0));
    }

    private static async Task ReadUpgradeAsync(Socket socket, CancellationToken cancellationToken)
    {
        // Byte by byte up to the blank line: the response is short, and nothing after it may be consumed.
        var header = new StringBuilder();
        var one = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await ReceiveExactlyAsync(socket, one, cancellationToken).ConfigureAwait(false);
            header.Append((char)one[0]);
            if (header.Length > 4096)
            {
                throw new IdleConnectionException("the gateway's upgrade response is over 4 KiB");
            }
        }

        var status = header.ToString();
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IdleConnectionException($"the gateway refused the upgrade: {status[..status.IndexOf('\r', StringComparison.Ordinal)]}");
        }
    }

    // A relay PING frame in a masked binary WebSocket frame (RFC 6455: clients mask).
    private static byte[] PingFrame(ulong value)
    {
        var ping = new ArrayBufferWriter<byte>(16);
        FrameCodec.WritePing(ping, value);
        var payload = ping.WrittenSpan;
        var frame = new byte[6 + payload.Length];
        frame[0] = 0x82; // FIN, binary
        frame[1] = (byte)(0x80 | payload.Length); // masked, short length
        RandomNumberGenerator.Fill(frame.AsSpan(2, 4));
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ frame[2 + (i % 4)]);
        }

        return frame;
    }

    private static async Task ReadPongAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = new byte[2];
        var body = new byte[125];
        while (true)
        {
            await ReceiveExactlyAsync(socket, head, cancellationToken).ConfigureAwait(false);
            var length = head[1] & 0x7F;
            if ((head[1] & 0x80) != 0 || length > 125)
            {
                throw new IdleConnectionException("the gateway sent an unexpected frame where a PONG was expected");
            }

            await ReceiveExactlyAsync(socket, body.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if ((head[0] & 0x0F) == 0x8)
            {
                throw new IdleConnectionException("the gateway closed the WebSocket instead of answering the PING");
            }

            if ((head[0] & 0x0F) == 0x2 && FrameCodec.TryRead(new ReadOnlySequence<byte>(body, 0, length), FrameLimits.Default, out var answer) == FrameError.None && answer.Type == FrameType.Pong)
            {
                return;
            }
        }
    }
}
