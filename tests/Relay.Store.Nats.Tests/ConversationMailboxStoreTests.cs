using System.Text;
using Perf.Testing;
using Perf.Testing.Nats;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// Conversation mailboxes on the JetStream store, with a real nats-server: a conversation's
/// messages wait durably on the mailbox address's subject (never on a subject named after either
/// identity) until the owner fetches and ACKs them; and a mailbox opened on one relay node receives
/// what is sent through another, because its address carries its proofs and no node keeps a registry.
/// </summary>
public sealed class ConversationMailboxStoreTests
{
    [SkippableFact]
    public async Task A_conversation_runs_on_the_jetstream_store_and_its_messages_wait_on_the_mailbox_subject()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var node = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var alice = Messenger(node, aliceKey);
        await using var bob = Messenger(node, bobKey);
        _ = MessengerInbox.Start(alice, stop.Token);
        var bobInbox = MessengerInbox.Start(bob, stop.Token);
        await alice.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), stop.Token);
        var bobToken = await bob.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), stop.Token);

        var atAlice = await alice.StartConversationAsync(bob.Identity, bobToken, "set up"u8.ToArray(), stop.Token);
        var atBob = (await bobInbox.ReadAsync(stop.Token)).Conversation!;
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await atAlice.SendAsync(Encoding.UTF8.GetBytes($"to bob {i}"), stop.Token)).Accepted);
            Assert.Equal($"to bob {i}", Encoding.UTF8.GetString((await atBob.ReceiveAsync(stop.Token)).Plaintext));
            Assert.True((await atBob.SendAsync(Encoding.UTF8.GetBytes($"to alice {i}"), stop.Token)).Accepted);
            Assert.Equal($"to alice {i}", Encoding.UTF8.GetString((await atAlice.ReceiveAsync(stop.Token)).Plaintext));
        }

        // Everything was ACKed: the mailbox subjects empty out (batched purges), and the identities'
        // subjects never held a conversation message (Bob's held the set-up, now removed too).
        foreach (var address in new[] { atAlice.MailboxAddress, atBob.MailboxAddress })
        {
            var subject = MailboxStreamProbe.MailboxSubject(address.Span);
            await Eventually.TrueAsync(async () => await MailboxStreamProbe.MessagesOnAsync(nats.Url, subject) == 0, $"{subject} to be purged");
        }

        Assert.Equal(0UL, await MailboxStreamProbe.MessagesOnAsync(nats.Url, MailboxStreamProbe.MailboxSubject(aliceKey.PublicKey)));
    }

    [SkippableFact]
    public async Task A_mailbox_opened_on_one_node_receives_what_is_sent_through_another_and_waits_durably_meanwhile()
    {
        await using var nats = await JetStreamServer.StartAsync();
        using var relayKey = X25519KeyPair.Generate();
        await using var nodeA = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        await using var nodeB = await JetStreamRelayNode.StartAsync(nats.Url, relayKey);
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var (fetchVerifier, expiry, token) = Ticket(mailbox);
        var options = new RelayClientOptions { RelayKey = relayKey.PublicKey.ToArray() };
        await using var sender = await RelayClientConnection.ConnectAnonymousTcpAsync(nodeB.Server.TcpEndPoint, options, CancellationToken.None);

        // Sent through node B before the owner is anywhere: held in the stream on the mailbox's subject.
        sender.MailboxSend(1, fetchVerifier, expiry, token, new byte[ConversationEnvelope.MinimumSize + 1]);
        await sender.FlushAsync();
        Assert.Equal(FrameType.Accepted, (await sender.ExpectAnyAsync()).Type);
        Assert.Equal(1UL, await MailboxStreamProbe.MessagesOnAsync(nats.Url, MailboxStreamProbe.MailboxSubject(mailbox.Address)));

        // The owner opens it on node A: the held one, then one sent live through node B.
        await using var owner = await RelayClientConnection.ConnectAnonymousTcpAsync(nodeA.Server.TcpEndPoint, options, CancellationToken.None);
        owner.OpenMailbox(7, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
        await owner.FlushAsync();
        Assert.Equal(7UL, (await owner.ExpectAsync(FrameType.Accepted)).ClientMessageId);
        var held = await owner.ExpectAsync(FrameType.Deliver);
        Assert.Equal(ConversationEnvelope.MinimumSize + 1, (int)held.Envelope.Length);
        sender.MailboxSend(2, fetchVerifier, expiry, token, new byte[ConversationEnvelope.MinimumSize + 2]);
        await sender.FlushAsync();
        Assert.Equal(FrameType.Accepted, (await sender.ExpectAnyAsync()).Type);
        var live = await owner.ExpectAsync(FrameType.Deliver);
        Assert.Equal((ConversationEnvelope.MinimumSize + 2, FrameCodec.SealedSenderFlag), ((int)live.Envelope.Length, live.Flags));
        owner.Ack(held.RelayMessageId);
        owner.Ack(live.RelayMessageId);
        await owner.FlushAsync();
        await Eventually.TrueAsync(async () => await MailboxStreamProbe.MessagesOnAsync(nats.Url, MailboxStreamProbe.MailboxSubject(mailbox.Address)) == 0, "the ACKed messages to be purged");
    }

    // What a MAILBOX_SEND names, from the mailbox's ticket.
    private static (byte[] FetchVerifier, ulong Expiry, DeliveryToken Token) Ticket(OwnedMailbox mailbox)
    {
        MailboxTicket.TryRead(mailbox.Ticket(), out var ticket);
        return (ticket.FetchVerifier.ToArray(), ticket.Expiry, new DeliveryToken(ticket.SendToken));
    }

    private static RelayMessenger Messenger(JetStreamRelayNode node, X25519KeyPair key)
    {
        var options = new RelayClientOptions { RelayKey = node.RelayKey };
        return new RelayMessenger(key, _ => node.ConnectAsync(key), new E2eSessionOptions(), connectAnonymous: ct => RelayClientConnection.ConnectAnonymousTcpAsync(node.Server.TcpEndPoint, options, ct));
    }
}
