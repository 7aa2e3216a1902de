using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>
/// Both of the relay's schedulings (<see cref="RelayOptions.InlineScheduling"/>) carry pipelined
/// traffic from several senders to one recipient whole and in order: with inline scheduling the
/// recipient's writer is woken at the end of each sender's read batch, on that sender's thread.
/// </summary>
public sealed class RelaySchedulingTests : IDisposable
{
    private const int Senders = 3;
    private const int PerSender = 300;
    private readonly X25519KeyPair _bob = X25519KeyPair.Generate();
    private readonly X25519KeyPair[] _senders = [.. Enumerable.Range(0, Senders).Select(_ => X25519KeyPair.Generate())];

    public void Dispose()
    {
        _bob.Dispose();
        foreach (var sender in _senders)
        {
            sender.Dispose();
        }
    }

    [Theory]
    [InlineData(true, "tcp")]
    [InlineData(true, "ws")]
    [InlineData(false, "tcp")]
    [InlineData(false, "ws")]
    public async Task Pipelined_sends_from_several_senders_all_arrive_in_order_and_are_all_answered(bool inline, string transport)
    {
        await using var relay = await TestRelay.StartAsync(options => options with { InlineScheduling = inline });
        await using var bob = await relay.TcpAsync(_bob);
        var connections = new RelayClientConnection[Senders];
        for (var s = 0; s < Senders; s++)
        {
            connections[s] = transport == "tcp" ? await relay.TcpAsync(_senders[s]) : await relay.WebSocketAsync(_senders[s]);
        }

        var sending = connections.Select((connection, s) => SendAllAndCountAnswersAsync(connection, s)).ToArray();
        var next = new int[Senders];
        for (var i = 0; i < Senders * PerSender; i++)
        {
            var delivered = await bob.ExpectDeliverAsync();
            var s = Array.FindIndex(_senders, k => new Identity(k.PublicKey) == delivered.Sender);
            Assert.Equal(next[s]++, BitConverter.ToInt32(delivered.Envelope));
            bob.Ack(delivered.RelayId);
            if (i % 100 == 99)
            {
                await bob.FlushAsync();
            }
        }

        Assert.All(await Task.WhenAll(sending), accepted => Assert.Equal(PerSender, accepted));
        await bob.ExpectNothingPendingAsync();
        Assert.Equal(Senders * PerSender, relay.Server.Router.Acknowledged);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    private async Task<int> SendAllAndCountAnswersAsync(RelayClientConnection connection, int sender)
    {
        for (var i = 0; i < PerSender; i++)
        {
            connection.Send((ulong)i, new Identity(_bob.PublicKey), BitConverter.GetBytes(i));
            if (i % 50 == 49)
            {
                await connection.FlushAsync();
            }
        }

        await connection.FlushAsync();
        var accepted = 0;
        while (accepted < PerSender)
        {
            var frame = await connection.ExpectAsync(FrameType.Accepted);
            Assert.Equal((ulong)accepted, frame.ClientMessageId);
            accepted++;
        }

        return accepted;
    }
}
