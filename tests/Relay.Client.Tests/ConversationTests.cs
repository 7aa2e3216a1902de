using System.Text;
using System.Text.Json;
using Relay.Client.Conversations;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Client.Tests;

/// <summary>
/// Conversations through the client library and a real relay: one sealed set-up to the peer's
/// identity, then messages both ways through ephemeral mailboxes over anonymous connections, on
/// Noise/TCP and the WebSocket gateway; the relay's audit log names an identity for the set-up's
/// recipient only; mailboxes rotate by the policy without losing a message.
/// </summary>
public sealed class ConversationTests : IAsyncLifetime
{
    private readonly string _auditPath = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl");
    private readonly X25519KeyPair _aliceKey = X25519KeyPair.Generate();
    private readonly X25519KeyPair _bobKey = X25519KeyPair.Generate();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private TestRelay _relay = null!;

    public async Task InitializeAsync() => _relay = await TestRelay.StartAsync(o => o with { AuditLogPath = _auditPath });

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _relay.DisposeAsync();
        _aliceKey.Dispose();
        _bobKey.Dispose();
        File.Delete(_auditPath);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task After_one_sealed_set_up_the_relay_sees_no_identity_on_either_side(string transport)
    {
        await using var alice = Messenger(_aliceKey, transport, ConversationOptions.Default);
        await using var bob = Messenger(_bobKey, transport, ConversationOptions.Default);
        _ = MessengerInbox.Start(alice, _stop.Token);
        var bobInbox = MessengerInbox.Start(bob, _stop.Token);
        await alice.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), _stop.Token);
        var bobToken = await bob.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), _stop.Token);

        var atAlice = await alice.StartConversationAsync(bob.Identity, bobToken, "hello"u8.ToArray(), _stop.Token);
        var setup = await bobInbox.ReadAsync(_stop.Token);
        Assert.Equal(("hello", alice.Identity, true), (Encoding.UTF8.GetString(setup.Plaintext), setup.Sender, setup.SealedSender));
        var atBob = Assert.IsType<Conversation>(setup.Conversation);
        Assert.Same(atBob, bob.ConversationWith(alice.Identity));
        Assert.Equal(alice.Identity, atBob.Peer);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await atAlice.SendAsync(Encoding.UTF8.GetBytes($"a{i}"), _stop.Token)).Accepted);
            var got = await atBob.ReceiveAsync(_stop.Token);
            Assert.Equal(($"a{i}", alice.Identity), (Encoding.UTF8.GetString(got.Plaintext), got.Sender));
            Assert.True((await atBob.SendAsync(Encoding.UTF8.GetBytes($"b{i}"), _stop.Token)).Accepted);
            Assert.Equal($"b{i}", Encoding.UTF8.GetString((await atAlice.ReceiveAsync(_stop.Token)).Plaintext));
        }

        var log = await AuditAsync(minMessages: 8); // the set-up, Bob's ticket and six messages
        var identities = new[] { alice.Identity.ToString(), bob.Identity.ToString() };
        var messages = log.Where(l => l.TryGetProperty("id", out _)).ToList();
        var toIdentity = messages.Where(m => identities.Contains(m.GetProperty("recipient").GetString())).ToList();
        Assert.Equal(bob.Identity.ToString(), Assert.Single(toIdentity).GetProperty("recipient").GetString()); // the set-up only
        var conversation = messages.Where(m => m.GetProperty("conversation").GetBoolean()).ToList();
        Assert.Equal(messages.Count - 1, conversation.Count);
        Assert.All(conversation, m => Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (m.GetProperty("conn_identity").ValueKind, m.GetProperty("sender").ValueKind)));
        Assert.Equal(2, conversation.Select(m => m.GetProperty("recipient").GetString()).Distinct().Count()); // one mailbox per side
        var opened = log.Where(l => l.TryGetProperty("event", out var e) && e.GetString() == "open_mailbox").Select(l => l.GetProperty("mailbox").GetString()).ToHashSet();
        Assert.Contains(Convert.ToBase64String(atAlice.MailboxAddress.Span), opened);
        Assert.Contains(Convert.ToBase64String(atBob.MailboxAddress.Span), opened);
        var mailboxConnections = log.Where(l => l.TryGetProperty("event", out var e) && e.GetString() == "open_mailbox").Select(l => l.GetProperty("conn").GetInt64()).ToHashSet();
        Assert.All(log.Where(l => l.TryGetProperty("event", out var e) && e.GetString() == "connect" && mailboxConnections.Contains(l.GetProperty("conn").GetInt64())),
            l => Assert.Equal(JsonValueKind.Null, l.GetProperty("conn_identity").ValueKind));
        Assert.Equal(0, atAlice.Refused + atBob.Refused);
    }

    [Fact]
    public async Task Mailboxes_rotate_by_the_policy_and_no_message_is_lost()
    {
        var policy = ConversationOptions.Default with { RotateAfterMessages = 3, RotationGrace = TimeSpan.FromSeconds(1) };
        await using var alice = Messenger(_aliceKey, "tcp", policy);
        await using var bob = Messenger(_bobKey, "tcp", policy);
        _ = MessengerInbox.Start(alice, _stop.Token);
        var bobInbox = MessengerInbox.Start(bob, _stop.Token);
        await alice.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), _stop.Token);
        var bobToken = await bob.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), _stop.Token);
        var atAlice = await alice.StartConversationAsync(bob.Identity, bobToken, default, _stop.Token);
        var atBob = (await bobInbox.ReadAsync(_stop.Token)).Conversation!;

        // Three rounds of three messages: after each, Bob's side rotates and Alice learns the new ticket.
        var received = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await atAlice.SendAsync(Encoding.UTF8.GetBytes($"m{round}{i}"), _stop.Token)).Accepted);
                received.Add(Encoding.UTF8.GetString((await atBob.ReceiveAsync(_stop.Token)).Plaintext));
            }

            await Perf.Testing.Eventually.TrueAsync(() => atBob.Rotations == round + 1 && atAlice.PeerTickets == round + 2, $"rotation {round + 1} of Bob's mailbox to reach Alice");
        }

        Assert.True((await atAlice.SendAsync("on the fourth mailbox"u8.ToArray(), _stop.Token)).Accepted);
        received.Add(Encoding.UTF8.GetString((await atBob.ReceiveAsync(_stop.Token)).Plaintext));
        Assert.Equal([.. Enumerable.Range(0, 3).SelectMany(r => Enumerable.Range(0, 3).Select(i => $"m{r}{i}")), "on the fourth mailbox"], received);
        Assert.True((await atBob.SendAsync("after the rotations"u8.ToArray(), _stop.Token)).Accepted);
        Assert.Equal("after the rotations", Encoding.UTF8.GetString((await atAlice.ReceiveAsync(_stop.Token)).Plaintext));
        Assert.Equal(3, atBob.Rotations);

        var log = await AuditAsync(minMessages: 15); // set-up, Bob's ticket, 10 messages, 3 rotation tickets, the answer
        var mailboxes = log.Where(l => l.TryGetProperty("id", out _) && l.GetProperty("conversation").GetBoolean()).Select(l => l.GetProperty("recipient").GetString()).Distinct().Count();
        Assert.True(mailboxes >= 5, $"{mailboxes} mailboxes received messages"); // Bob's four, Alice's one (two once the tickets made her rotate too)
    }

    private RelayMessenger Messenger(X25519KeyPair key, string transport, ConversationOptions policy) => _relay.Messenger(key, transport, conversations: policy);

    // Every line, once the log holds at least minMessages message lines (it only grows).
    private async Task<List<JsonElement>> AuditAsync(int minMessages)
    {
        await AuditLines.ReadAsync(_relay, _auditPath, AuditLines.IsMessage, minMessages);
        return await AuditLines.ReadAsync(_relay, _auditPath, _ => true, 0);
    }
}
