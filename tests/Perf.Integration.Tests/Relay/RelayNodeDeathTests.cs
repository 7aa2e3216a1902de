using NATS.Client.Core;
using Perf.Testing;
using Perf.Testing.Folders;
using Perf.Testing.Nats;
using Perf.Testing.Processes;
using Perf.Testing.Relays;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Perf.Integration.Tests.Relay;

/// <summary>
/// A relay node (<c>perf relay --store nats://...</c>) killed with -9 while a recipient is
/// connected to it: its NATS connection dies with it, and with the connection every subscription
/// it held, so no presence is left pointing at a dead node; what is sent meanwhile waits in
/// JetStream and reaches the recipient on another node.
/// </summary>
public sealed class RelayNodeDeathTests : TempFolder
{
    [SkippableFact]
    public async Task A_killed_relay_nodes_presence_goes_with_it_and_its_recipient_gets_everything_on_another_node()
    {
        await using var nats = await JetStreamServer.StartAsync();
        await using var dying = await PerfBinary.StartRelayAsync("--key", Path.Combine(Folder, "relay.key"), "--store", nats.Url);
        using var relayKey = X25519KeyPair.Generate();
        await using var survivor = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        var live = MailboxStreamProbe.LiveSubject(bobKey.PublicKey);
        await using var observer = new NatsConnection(new NatsOpts { Url = nats.Url });
        await using var alice = await survivor.ConnectAsync(aliceKey);

        var bob = await RelayClientConnection.ConnectTcpAsync(dying.TcpEndPoint, bobKey, new RelayClientOptions { RelayKey = dying.RelayKey }, CancellationToken.None);
        var before = await alice.SendAsync(1, bobKey, [1]);
        Assert.Equal(before.RelayMessageId, (await bob.ExpectAsync(FrameType.Deliver)).RelayMessageId); // delivered, not ACKed
        Assert.True(await MailboxStreamProbe.HasInterestAsync(observer, live));

        await dying.KillAsync();
        await bob.DisposeAsync();
        await Eventually.TrueAsync(async () => !await MailboxStreamProbe.HasInterestAsync(observer, live), "NATS dropping the dead node's subscription");

        var sentMeanwhile = new List<ulong>();
        for (var i = 2UL; i <= 6; i++)
        {
            var answer = await alice.SendAsync(i, bobKey, [(byte)i]);
            Assert.Equal(FrameType.Accepted, answer.Type);
            sentMeanwhile.Add(answer.RelayMessageId);
        }

        await using var again = await survivor.ConnectAsync(bobKey);
        var delivered = new List<ulong>();
        while (delivered.Count < 6)
        {
            var frame = await again.ExpectAsync(FrameType.Deliver);
            delivered.Add(frame.RelayMessageId);
            again.Ack(frame.RelayMessageId);
        }

        Assert.Equal([before.RelayMessageId, .. sentMeanwhile], delivered); // the unACKed one again, then the rest, in order
        await again.ExpectNothingPendingAsync();
    }
}
