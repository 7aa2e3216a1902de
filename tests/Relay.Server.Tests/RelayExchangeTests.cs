using System.Text;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>Messages between identities through a real relay: over TCP, WebSocket and mixed; offline; redelivery; isolation.</summary>
public sealed class RelayExchangeTests : IAsyncLifetime
{
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
    [InlineData("tcp", "tcp")]
    [InlineData("ws", "ws")]
    [InlineData("tcp", "ws")]
    [InlineData("ws", "tcp")]
    public async Task Two_clients_exchange_messages_both_ways_with_the_sender_stamped_by_the_relay(string aliceTransport, string bobTransport)
    {
        await using var alice = await Connect(aliceTransport, _alice);
        await using var bob = await Connect(bobTransport, _bob);

        await alice.SendAndExpectAcceptedAsync(1, _bob, Encoding.UTF8.GetBytes("hi bob"));
        var toBob = await bob.ExpectDeliverAsync();
        await bob.SendAndExpectAcceptedAsync(1, _alice, Encoding.UTF8.GetBytes("hi alice"));
        var toAlice = await alice.ExpectDeliverAsync();

        Assert.Equal("hi bob", Encoding.UTF8.GetString(toBob.Envelope));
        Assert.Equal(new Identity(_alice.PublicKey), toBob.Sender);
        Assert.Equal("hi alice", Encoding.UTF8.GetString(toAlice.Envelope));
        Assert.Equal(new Identity(_bob.PublicKey), toAlice.Sender);
    }

    [Fact]
    public async Task An_envelope_at_the_size_limit_crosses_the_websocket_gateway_both_ways_intact()
    {
        await using var alice = await Connect("ws", _alice);
        await using var bob = await Connect("ws", _bob);
        var envelope = new byte[FrameLimits.Default.MaxEnvelopeBytes];
        new Random(7).NextBytes(envelope);

        // The gateway's receive buffer starts small and grows while such a message arrives.
        await alice.SendAndExpectAcceptedAsync(1, _bob, envelope);
        var delivered = await bob.ExpectDeliverAsync();
        await bob.SendAndExpectAcceptedAsync(1, _alice, delivered.Envelope);

        Assert.Equal(envelope, delivered.Envelope);
        Assert.Equal(envelope, (await alice.ExpectDeliverAsync()).Envelope);
    }

    [Fact]
    public async Task An_offline_recipient_gets_the_message_when_it_connects()
    {
        await using (var alice = await _relay.TcpAsync(_alice))
        {
            await alice.SendAndExpectAcceptedAsync(7, _bob, [1, 2, 3]);
        }

        await using var bob = await _relay.TcpAsync(_bob);
        var delivered = await bob.ExpectDeliverAsync();
        Assert.Equal(new byte[] { 1, 2, 3 }, delivered.Envelope);
    }

    [Fact]
    public async Task A_message_not_acked_before_a_drop_is_delivered_again_and_an_acked_one_is_not()
    {
        await using var alice = await _relay.TcpAsync(_alice);
        await alice.SendAndExpectAcceptedAsync(1, _bob, [42]);
        ulong relayId;
        await using (var bob = await _relay.TcpAsync(_bob))
        {
            relayId = (await bob.ExpectDeliverAsync()).RelayId;
        }

        await using (var bob = await _relay.WebSocketAsync(_bob))
        {
            var again = await bob.ExpectDeliverAsync();
            Assert.Equal(relayId, again.RelayId);
            bob.Ack(relayId);
            await bob.ExpectNothingPendingAsync();
        }

        await using var bob3 = await _relay.TcpAsync(_bob);
        await bob3.ExpectNothingPendingAsync();
        Assert.Equal(0, _relay.Server.Router.Held);
    }

    [Fact]
    public async Task A_client_receives_only_what_is_addressed_to_its_identity()
    {
        using var carolKey = X25519KeyPair.Generate();
        await using var carol = await _relay.TcpAsync(carolKey);
        await using var alice = await _relay.TcpAsync(_alice);
        await alice.SendAndExpectAcceptedAsync(1, _bob, [9]);

        await carol.ExpectNothingPendingAsync();
        // Carol cannot ACK Bob's message away either.
        carol.Ack(1);
        await carol.FlushAsync();
        await carol.ExpectNothingPendingAsync();
        Assert.Equal(1, _relay.Server.Router.Depth(new Identity(_bob.PublicKey)));
    }

    [Fact]
    public async Task A_full_mailbox_answers_rejected_with_its_reason()
    {
        await using var small = await TestRelay.StartAsync(o => o with { Mailbox = new() { MaxMessages = 2 } });
        await using var alice = await small.TcpAsync(_alice);
        await alice.SendAndExpectAcceptedAsync(1, _bob, [1]);
        await alice.SendAndExpectAcceptedAsync(2, _bob, [2]);
        alice.Send(3, new Identity(_bob.PublicKey), [3]);
        await alice.FlushAsync();

        var rejected = await alice.ExpectAsync(FrameType.Rejected);

        Assert.Equal(3UL, rejected.ClientMessageId);
        Assert.Equal((byte)RejectReason.MailboxFull, rejected.Code);
    }

    private Task<RelayClientConnection> Connect(string transport, X25519KeyPair identity) =>
        transport == "tcp" ? _relay.TcpAsync(identity) : _relay.WebSocketAsync(identity);
}
