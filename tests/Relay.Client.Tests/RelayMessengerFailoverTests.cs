using System.Net;
using System.Text;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;

namespace Relay.Client.Tests;

/// <summary>The client library for a relay cluster: the next node when one is down or drops us, keep-alive PINGs, de-duplication by relay id.</summary>
public sealed class RelayMessengerFailoverTests
{
    [Fact]
    public async Task A_messenger_moves_to_the_next_node_when_its_node_is_down_or_goes_away()
    {
        var nodeA = await TestRelay.StartAsync();
        await using var nodeB = await TestRelay.StartAsync();
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var quick = new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), 20);
        // A dead address first: the messenger skips it.
        Func<CancellationToken, Task<RelayClientConnection>> dead = ct => RelayClientConnection.ConnectTcpAsync(new IPEndPoint(IPAddress.Loopback, 1), aliceKey, new RelayClientOptions(), ct);
        await using var alice = new RelayMessenger(aliceKey, [dead, _ => nodeA.TcpAsync(aliceKey), _ => nodeB.TcpAsync(aliceKey)], new E2eSessionOptions(), quick);
        await using var bob = new RelayMessenger(bobKey, [_ => nodeB.TcpAsync(bobKey)], new E2eSessionOptions(), quick);
        var bobInbox = Inbox(bob, stop.Token);
        _ = Inbox(alice, stop.Token);

        await alice.ConnectAsync(stop.Token);
        Assert.Equal(1, alice.CurrentNode);

        // Node A goes away: Alice's next connection is to node B, where Bob is.
        await nodeA.DisposeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (alice.CurrentNode != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the messenger did not move to node B");
            await Task.Delay(20);
        }

        Assert.True((await alice.SendAsync(bob.Identity, Encoding.UTF8.GetBytes("via B"), stop.Token)).Accepted);
        Assert.Equal("via B", Encoding.UTF8.GetString((await bobInbox.Reader.ReadAsync(stop.Token)).Plaintext));
    }

    [Fact]
    public async Task A_quiet_messenger_pings_below_the_idle_timeout_and_keeps_its_connection()
    {
        // Pings every 250 ms against a 4 s idle timeout: a 16x margin, so a busy CI machine
        // stalling the client for a second or two cannot pass for a missing keep-alive.
        await using var relay = await TestRelay.StartAsync(o => o with { IdleTimeout = TimeSpan.FromSeconds(4) });
        using var key = X25519KeyPair.Generate();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var quiet = new RelayMessenger(key, [_ => relay.TcpAsync(key)], new E2eSessionOptions(), keepAlive: TimeSpan.FromMilliseconds(250));
        _ = Inbox(quiet, stop.Token);
        await quiet.ConnectAsync(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(9), stop.Token);

        Assert.Equal(0, quiet.Reconnects);
    }

    [Fact]
    public void Recent_relay_ids_recognise_a_repeat_and_forget_the_oldest_past_their_capacity()
    {
        var recent = new RecentRelayIds(capacity: 3);
        Assert.True(recent.Add(10));
        Assert.False(recent.Add(10));
        Assert.True(recent.Add(11));
        Assert.True(recent.Add(12));
        Assert.True(recent.Add(13)); // 10 is forgotten
        Assert.True(recent.Add(10));
        Assert.False(recent.Add(13));
    }

    private static System.Threading.Channels.Channel<ReceivedMessage> Inbox(RelayMessenger messenger, CancellationToken cancellationToken)
    {
        var inbox = System.Threading.Channels.Channel.CreateUnbounded<ReceivedMessage>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in messenger.ReceiveAllAsync(cancellationToken))
                {
                    await inbox.Writer.WriteAsync(message, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or RelayClientException)
            {
                // The test ended.
            }
        }, CancellationToken.None);
        return inbox;
    }
}
