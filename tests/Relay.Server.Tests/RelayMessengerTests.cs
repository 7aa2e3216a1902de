using System.Text;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>The client library's E2E messaging: sealed sends, opened receives with automatic ACK, reconnect after a drop.</summary>
public sealed class RelayMessengerTests
{
    [Fact]
    public async Task Messengers_exchange_e2e_messages_and_survive_a_dropped_connection()
    {
        await using var relay = await TestRelay.StartAsync();
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        RelayClientConnection? bobConnection = null;
        var options = new E2eSessionOptions();
        await using var alice = new RelayMessenger(aliceKey, _ => relay.TcpAsync(aliceKey), options);
        await using var bob = new RelayMessenger(bobKey, async _ => bobConnection = await relay.WebSocketAsync(bobKey), options, new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), 20));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await alice.ConnectAsync(stop.Token);
        await bob.ConnectAsync(stop.Token);
        var aliceInbox = Collect(alice, 1, stop.Token);
        var bobInbox = Collect(bob, 3, stop.Token);

        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("one"), stop.Token)).Accepted);
        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("two"), stop.Token)).Accepted);
        await WaitUntil(() => bobInbox.Received.Count == 2, stop.Token);

        // Drop Bob's connection under him: the messenger reconnects and goes on.
        await bobConnection!.DisposeAsync();
        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("three"), stop.Token)).Accepted);
        Assert.True((await bob.SendAsync(alice.Identity, Encoding.UTF8.GetBytes("reply"), stop.Token)).Accepted);

        var bobGot = await bobInbox.Task.WaitAsync(stop.Token);
        var aliceGot = await aliceInbox.Task.WaitAsync(stop.Token);
        Assert.Equal(["one", "two", "three"], bobGot.ConvertAll(m => Encoding.UTF8.GetString(m.Plaintext)));
        Assert.All(bobGot, m => Assert.Equal(alice.Identity, m.Sender));
        Assert.Equal("reply", Encoding.UTF8.GetString(aliceGot[0].Plaintext));
        Assert.True(bob.Reconnects >= 1);
        await WaitUntil(() => relay.Server.Router.Held == 0, stop.Token);
    }

    [Fact]
    public async Task A_send_right_after_the_connection_drops_goes_out_on_the_new_connection()
    {
        await using var relay = await TestRelay.StartAsync();
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        RelayClientConnection? bobConnection = null;
        var options = new E2eSessionOptions();
        await using var alice = new RelayMessenger(aliceKey, _ => relay.TcpAsync(aliceKey), options);
        await using var bob = new RelayMessenger(bobKey, async _ => bobConnection = await relay.WebSocketAsync(bobKey), options, new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), 20));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await alice.ConnectAsync(stop.Token);
        await bob.ConnectAsync(stop.Token);
        var aliceInbox = Collect(alice, 1, stop.Token);
        _ = Drain(bob, stop.Token);

        // No pause between the drop and the send: the send meets the closed connection.
        await bobConnection!.DisposeAsync();
        var result = await bob.SendAsync(alice.Identity, Encoding.UTF8.GetBytes("after the drop"), stop.Token);

        Assert.True(result.Accepted);
        Assert.Equal("after the drop", Encoding.UTF8.GetString((await aliceInbox.Task.WaitAsync(stop.Token))[0].Plaintext));
        Assert.True(bob.Reconnects >= 1);
    }

    private static Inbox Collect(RelayMessenger messenger, int count, CancellationToken cancellationToken)
    {
        var inbox = new Inbox();
        inbox.Task = Task.Run(async () =>
        {
            await foreach (var message in messenger.ReceiveAllAsync(cancellationToken))
            {
                lock (inbox.Received)
                {
                    inbox.Received.Add(message);
                }

                if (inbox.Received.Count == count)
                {
                    // Keep reading (ACKs and send answers) until the test ends.
                    _ = Drain(messenger, cancellationToken);
                    return inbox.Received;
                }
            }

            return inbox.Received;
        }, cancellationToken);
        return inbox;
    }

    private static async Task Drain(RelayMessenger messenger, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in messenger.ReceiveAllAsync(cancellationToken))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private sealed class Inbox
    {
        public List<ReceivedMessage> Received { get; } = [];

        public Task<List<ReceivedMessage>> Task { get; set; } = null!;
    }
}
