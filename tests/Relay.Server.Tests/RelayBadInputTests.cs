using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Relay.Server.Tests;

/// <summary>Hostile and malformed input closes only the offending connection; everyone else keeps exchanging.</summary>
public sealed class RelayBadInputTests : IAsyncLifetime
{
    private readonly X25519KeyPair _alice = X25519KeyPair.Generate();
    private readonly X25519KeyPair _bob = X25519KeyPair.Generate();
    private readonly X25519KeyPair _mallory = X25519KeyPair.Generate();
    private TestRelay _relay = null!;
    private RelayClientConnection _aliceConnection = null!;
    private RelayClientConnection _bobConnection = null!;

    public async Task InitializeAsync()
    {
        _relay = await TestRelay.StartAsync();
        _aliceConnection = await _relay.TcpAsync(_alice);
        _bobConnection = await _relay.WebSocketAsync(_bob);
    }

    public async Task DisposeAsync()
    {
        await _aliceConnection.DisposeAsync();
        await _bobConnection.DisposeAsync();
        await _relay.DisposeAsync();
        _alice.Dispose();
        _bob.Dispose();
        _mallory.Dispose();
    }

    public static TheoryData<string, byte[], FrameError> BadFrames() => new()
    {
        { "unknown frame type", [0x99, 1, 2, 3], FrameError.UnknownType },
        { "truncated SEND", [0x01, 0, 0, 0, 0, 0, 0, 0, 1, 7, 7], FrameError.Truncated },
        { "envelope length over the limit", SendWithDeclaredLength(70_000), FrameError.EnvelopeTooLarge },
        { "a DELIVER from a client", Deliver(), FrameError.UnexpectedType },
        { "trailing bytes", [0x06, 0, 0, 0, 0, 0, 0, 0, 1, 0xEE], FrameError.TrailingBytes },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_bad_frame_over_tcp_gets_an_error_frame_and_a_close_and_others_are_unaffected(string what, byte[] frame, FrameError expected)
    {
        await using var mallory = await _relay.TcpAsync(_mallory);
        mallory.WriteRaw(frame);
        await mallory.FlushAsync();

        var error = await mallory.ExpectAsync(FrameType.Error);
        Assert.True((byte)expected == error.Code, $"{what}: got {(FrameError)error.Code}");
        Assert.Null(await mallory.ReadAsync());
        await AliceAndBobStillTalk();
    }

    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_that_socket_only()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_relay.Server.TcpEndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The relay closes without answering anything meaningful; the read ends with 0 bytes (or a reset).
        int read;
        try
        {
            read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        await AliceAndBobStillTalk();
    }

    [Fact]
    public async Task A_text_websocket_message_closes_that_websocket_with_invalid_message_type()
    {
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await MalloryWebSocketSendsAsync("hello"u8.ToArray(), WebSocketMessageType.Text));
        await AliceAndBobStillTalk();
    }

    [Fact]
    public async Task A_websocket_message_over_the_limit_closes_that_websocket_with_message_too_big()
    {
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await MalloryWebSocketSendsAsync(new byte[70_001], WebSocketMessageType.Binary));
        await AliceAndBobStillTalk();
    }

    // Mallory sends one raw message over an authenticated WebSocket; returns how the relay closed it.
    private async Task<WebSocketCloseStatus?> MalloryWebSocketSendsAsync(byte[] message, WebSocketMessageType type)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + RelayToken.Mint(new Identity(_mallory.PublicKey), DateTimeOffset.UtcNow.AddMinutes(1), _relay.Secret));
        await socket.ConnectAsync(_relay.WsUri, CancellationToken.None);
        await socket.SendAsync(message, type, true, CancellationToken.None);
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (result.MessageType != WebSocketMessageType.Close);

        return socket.CloseStatus;
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("bad signature")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task A_websocket_upgrade_without_a_valid_token_gets_401(string kind)
    {
        var identity = new Identity(_mallory.PublicKey);
        var token = kind switch
        {
            "missing" => string.Empty,
            "bad signature" => RelayToken.Mint(identity, DateTimeOffset.UtcNow.AddMinutes(1), new byte[32]),
            "expired" => RelayToken.Mint(identity, DateTimeOffset.UtcNow.AddMinutes(-1), _relay.Secret),
            _ => "not.a.token",
        };

        var ex = await Assert.ThrowsAsync<RelayClientException>(() => RelayClientConnection.ConnectWebSocketAsync(_relay.WsUri, token, _relay.ClientOptions, CancellationToken.None));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        await AliceAndBobStillTalk();
    }

    [Fact]
    public async Task A_client_pinning_another_relay_key_is_refused_before_revealing_itself()
    {
        using var other = X25519KeyPair.Generate();
        var ex = await Assert.ThrowsAsync<RelayClientException>(() =>
            RelayClientConnection.ConnectTcpAsync(_relay.Server.TcpEndPoint, _mallory, new RelayClientOptions { RelayKey = other.PublicKey.ToArray() }, CancellationToken.None));
        Assert.Contains("pinned", ex.Message, StringComparison.Ordinal);
    }

    private async Task AliceAndBobStillTalk()
    {
        var text = Encoding.UTF8.GetBytes($"still here {Guid.NewGuid()}");
        await _aliceConnection.SendAndExpectAcceptedAsync(1, _bob, text);
        var delivered = await _bobConnection.ExpectDeliverAsync();
        Assert.Equal(text, delivered.Envelope);
        _bobConnection.Ack(delivered.RelayId);
        await _bobConnection.FlushAsync();
    }

    private static byte[] SendWithDeclaredLength(int length)
    {
        var frame = new byte[FrameCodec.SendOverhead + 10];
        frame[0] = (byte)FrameType.Send;
        frame[9] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(41), (uint)length);
        return frame;
    }

    private static byte[] Deliver()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteDeliver(writer, 1, default, sealedSender: true, [1]);
        return writer.WrittenSpan.ToArray();
    }
}
