using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>Frames written just before a close are applied: SENDs held and delivered, ACKs honoured; a stopping relay answers what it received.</summary>
public sealed class RelayCloseTests : IAsyncLifetime
{
    private const int Count = 5;
    private readonly X25519KeyPair _alice = X25519KeyPair.Generate();
    private readonly X25519KeyPair _bob = X25519KeyPair.Generate();
    private TestRelay _relay = null!;

    public async Task InitializeAsync() => _relay = await TestRelay.StartAsync();

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _alice.Dispose();
        _bob.Dispose();
    }

    [Theory]
    [InlineData("tcp", Count)]
    [InlineData("ws", Count)]
    [InlineData("tcp", 1000)] // enough that the close is seen while frames are still unread
    [InlineData("ws", 1000)]
    public async Task Sends_written_then_an_immediate_close_are_all_delivered(string transport, int count)
    {
        await WriteThenCloseAsync(transport, _alice, writer =>
        {
            for (var i = 0; i < count; i++)
            {
                writer.Send((ulong)i, new Identity(_bob.PublicKey), BitConverter.GetBytes(i));
            }
        });

        await using var bob = await _relay.TcpAsync(_bob);
        var envelopes = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var delivered = await bob.ExpectDeliverAsync();
            envelopes.Add(BitConverter.ToInt32(delivered.Envelope));
            bob.Ack(delivered.RelayId);
            if (i % 100 == 99)
            {
                await bob.FlushAsync(); // ACKs keep the relay under its in-flight cap
            }
        }

        Assert.Equal(Enumerable.Range(0, count), envelopes);
        await bob.ExpectNothingPendingAsync();
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Acks_written_then_an_immediate_close_are_applied(string transport)
    {
        await using (var alice = await _relay.TcpAsync(_alice))
        {
            for (var i = 0; i < Count; i++)
            {
                await alice.SendAndExpectAcceptedAsync((ulong)i, _bob, [(byte)i]);
            }
        }

        var ids = new List<ulong>();
        await WriteThenCloseAsync(transport, _bob, writer => ids.ForEach(writer.Ack), async reader =>
        {
            for (var i = 0; i < Count; i++)
            {
                ids.Add((await reader.ExpectDeliverAsync()).RelayId);
            }
        });

        await WaitUntilAsync(() => _relay.Server.Router.Held == 0);
        await using var bob = await _relay.TcpAsync(_bob);
        await bob.ExpectNothingPendingAsync();
        Assert.Equal(Count, _relay.Server.Router.Acknowledged);
    }

    [Fact]
    public async Task A_stopping_relay_answers_every_send_it_accepted_then_says_it_is_shutting_down()
    {
        var relay = await TestRelay.StartAsync();
        await using var alice = await relay.TcpAsync(_alice);
        for (var i = 0; i < 50; i++)
        {
            alice.Send((ulong)i, new Identity(_bob.PublicKey), new byte[100]);
        }

        await alice.FlushAsync();
        var stopping = relay.DisposeAsync().AsTask();
        var answered = 0;
        RelayFrame? frame;
        while ((frame = await alice.ReadAsync()) is { Type: FrameType.Accepted })
        {
            answered++;
        }

        await stopping;
        Assert.NotNull(frame);
        Assert.Equal(FrameType.Error, frame.Value.Type);
        Assert.Equal((byte)FrameError.ShuttingDown, frame.Value.Code);
        Assert.Equal(relay.Server.Router.Accepted, answered);
    }

    // Opens a connection as `identity`, lets `read` consume what arrives, queues the frames `write`
    // writes, flushes and closes at once (TCP: FIN right after the last frame; WebSocket: the close
    // frame right after the last message, then the socket is dropped).
    private async Task WriteThenCloseAsync(string transport, X25519KeyPair identity, Action<RelayClientConnection> write, Func<RelayClientConnection, Task>? read = null)
    {
        var connection = transport == "tcp" ? await _relay.TcpAsync(identity) : await _relay.WebSocketAsync(identity);
        if (read is not null)
        {
            await read(connection);
        }

        write(connection);
        await connection.FlushAsync();
        await connection.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + RelayClientExpectations.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the relay");
            await Task.Delay(20);
        }
    }
}
