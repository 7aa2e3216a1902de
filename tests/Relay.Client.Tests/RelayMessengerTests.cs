using System.Text;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Client.Tests;

/// <summary>The client library's E2E messaging: sealed sends, opened receives with automatic ACK, reconnect after a drop.</summary>
public sealed class RelayMessengerTests
{
    [Fact]
    public async Task Messengers_exchange_e2e_messages_and_survive_a_dropped_connection()
    {
        await using var rig = await Rig.StartAsync();
        var (alice, bob, stop) = (rig.Alice, rig.Bob, rig.Stop.Token);
        var aliceInbox = Collect(alice, 1, stop);
        var bobInbox = Collect(bob, 3, stop);

        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("one"), stop)).Accepted);
        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("two"), stop)).Accepted);
        await WaitUntil(() => bobInbox.Received.Count == 2, stop);

        // Drop Bob's connection under him: the messenger reconnects and goes on.
        await rig.BobConnection!.DisposeAsync();
        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("three"), stop)).Accepted);
        Assert.True((await bob.SendAsync(alice.Identity, Encoding.UTF8.GetBytes("reply"), stop)).Accepted);

        var bobGot = await bobInbox.Task.WaitAsync(stop);
        var aliceGot = await aliceInbox.Task.WaitAsync(stop);
        Assert.Equal(["one", "two", "three"], bobGot.ConvertAll(m => Encoding.UTF8.GetString(m.Plaintext)));
        Assert.All(bobGot, m => Assert.Equal(alice.Identity, m.Sender));
        Assert.Equal("reply", Encoding.UTF8.GetString(aliceGot[0].Plaintext));
        Assert.True(bob.Reconnects >= 1);
        await WaitUntil(() => rig.Relay.Server.Router.Held == 0, stop);
    }

    [Fact]
    public async Task A_send_right_after_the_connection_drops_goes_out_on_the_new_connection()
    {
        await using var rig = await Rig.StartAsync();
        var (alice, bob, stop) = (rig.Alice, rig.Bob, rig.Stop.Token);
        var aliceInbox = Collect(alice, 1, stop);
        _ = Drain(bob, stop);

        // No pause between the drop and the send: the send meets the closed connection.
        await rig.BobConnection!.DisposeAsync();
        var result = await bob.SendAsync(alice.Identity, Encoding.UTF8.GetBytes("after the drop"), stop);

        Assert.True(result.Accepted);
        Assert.Equal("after the drop", Encoding.UTF8.GetString((await aliceInbox.Task.WaitAsync(stop))[0].Plaintext));
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

    /// <summary>A relay, Alice's messenger over TCP and Bob's over WebSocket (quick reconnects), both connected.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly X25519KeyPair _aliceKey = X25519KeyPair.Generate();
        private readonly X25519KeyPair _bobKey = X25519KeyPair.Generate();

        private Rig(TestRelay relay)
        {
            Relay = relay;
            var options = new E2eSessionOptions();
            Alice = new RelayMessenger(_aliceKey, _ => relay.TcpAsync(_aliceKey), options);
            Bob = new RelayMessenger(_bobKey, async _ => BobConnection = await relay.WebSocketAsync(_bobKey), options, new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), 20));
        }

        public TestRelay Relay { get; }

        public RelayMessenger Alice { get; }

        public RelayMessenger Bob { get; }

        /// <summary>Bob's current connection, to drop it under him.</summary>
        public RelayClientConnection? BobConnection { get; private set; }

        public CancellationTokenSource Stop { get; } = new(TimeSpan.FromSeconds(30));

        public static async Task<Rig> StartAsync()
        {
            var rig = new Rig(await TestRelay.StartAsync());
            await rig.Alice.ConnectAsync(rig.Stop.Token);
            await rig.Bob.ConnectAsync(rig.Stop.Token);
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            await Relay.DisposeAsync();
            _aliceKey.Dispose();
            _bobKey.Dispose();
            Stop.Dispose();
        }
    }

    private sealed class Inbox
    {
        public List<ReceivedMessage> Received { get; } = [];

        public Task<List<ReceivedMessage>> Task { get; set; } = null!;
    }
}
