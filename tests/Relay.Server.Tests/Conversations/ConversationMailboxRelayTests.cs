using System.Security.Cryptography;
using System.Text.Json;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Perf.Testing;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests.Conversations;

/// <summary>
/// Conversation mailboxes through a real relay, frame by frame: a mailbox opened on one anonymous
/// connection receives what another anonymous connection sends with the mailbox's ticket, over
/// Noise/TCP and the WebSocket gateway, and the audit log names no identity for any of it; what
/// arrives while the owner is away waits for its next connection; and every refusal is the
/// documented REJECTED reason, with the connection left open.
/// </summary>
public sealed class ConversationMailboxRelayTests : IAsyncLifetime
{
    private readonly string _auditPath = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl");
    private TestRelay _relay = null!;

    public async Task InitializeAsync() => _relay = await TestRelay.StartAsync(o => o with { AuditLogPath = _auditPath });

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        File.Delete(_auditPath);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task A_mailbox_receives_what_its_ticket_holder_sends_and_the_log_names_no_identity(string transport)
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        await using var owner = await AnonymousAsync(transport);
        await using var peer = await AnonymousAsync(transport);
        await OpenAsync(owner, mailbox, 1, FrameType.Accepted);

        var envelope = RandomNumberGenerator.GetBytes(ConversationEnvelope.MinimumSize + 10);
        var answer = await MailboxSendAsync(peer, 2, mailbox.Ticket(), envelope);
        Assert.Equal(FrameType.Accepted, answer.Type);

        var deliver = await owner.ExpectAsync(FrameType.Deliver);
        Assert.Equal((answer.RelayMessageId, FrameCodec.SealedSenderFlag, default(Identity)), (deliver.RelayMessageId, deliver.Flags, deliver.Identity));
        Assert.Equal(envelope, System.Buffers.BuffersExtensions.ToArray(deliver.Envelope));
        owner.Ack(deliver.RelayMessageId);
        await owner.FlushAsync();
        await Eventually.TrueAsync(() => _relay.Server.Router.Depth(new Identity(mailbox.Address)) == 0, "the ACK to remove the message");

        var lines = await AuditAsync(l => l.TryGetProperty("id", out _) || l.GetProperty("event").GetString() == "open_mailbox", 2);
        var opened = lines.Single(l => l.TryGetProperty("event", out _));
        var message = lines.Single(l => l.TryGetProperty("id", out _));
        var address = Convert.ToBase64String(mailbox.Address);
        Assert.Equal(address, opened.GetProperty("mailbox").GetString());
        Assert.Equal(address, message.GetProperty("recipient").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, true, true), (message.GetProperty("conn_identity").ValueKind, message.GetProperty("sender").ValueKind, message.GetProperty("sealed").GetBoolean(), message.GetProperty("conversation").GetBoolean()));
        Assert.Equal(envelope.Length, message.GetProperty("bytes").GetInt32());
        var connects = await AuditAsync(l => l.TryGetProperty("event", out var e) && e.GetString() == "connect", 2);
        Assert.All(connects, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("conn_identity").ValueKind));
        var text = await File.ReadAllTextAsync(_auditPath);
        foreach (var secret in new[] { mailbox.Credential.ToArray(), mailbox.SendToken.ToArray(), mailbox.SealingKey.ToArray() })
        {
            Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task What_arrives_while_the_owner_is_away_waits_for_its_next_connection()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        await using var peer = await AnonymousAsync("tcp");
        for (var i = 0UL; i < 3; i++)
        {
            Assert.Equal(FrameType.Accepted, (await MailboxSendAsync(peer, i, mailbox.Ticket(), new byte[100 + (int)i])).Type);
        }

        Assert.Equal(3, _relay.Server.Router.Depth(new Identity(mailbox.Address)));
        await using (var first = await AnonymousAsync("tcp"))
        {
            await OpenAsync(first, mailbox, 9, FrameType.Accepted);
            var one = await first.ExpectAsync(FrameType.Deliver);
            Assert.Equal(100, (int)one.Envelope.Length);
            first.Ack(one.RelayMessageId);
            await first.FlushAsync();
            await Eventually.TrueAsync(() => _relay.Server.Router.Depth(new Identity(mailbox.Address)) == 2, "the ACK to remove the first message");
        }

        await using var second = await AnonymousAsync("ws");
        await OpenAsync(second, mailbox, 10, FrameType.Accepted);
        Assert.Equal(101, (int)(await second.ExpectAsync(FrameType.Deliver)).Envelope.Length);
        Assert.Equal(102, (int)(await second.ExpectAsync(FrameType.Deliver)).Envelope.Length);
    }

    [Fact]
    public async Task A_wrong_send_token_reaches_another_address_and_the_real_mailbox_sees_nothing()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        await using var owner = await AnonymousAsync("tcp");
        await OpenAsync(owner, mailbox, 1, FrameType.Accepted);
        await using var stranger = await AnonymousAsync("tcp");
        var forged = mailbox.Ticket();
        RandomNumberGenerator.Fill(forged.AsSpan(41, 16)); // the send token
        Assert.Equal(FrameType.Accepted, (await MailboxSendAsync(stranger, 1, forged, new byte[200])).Type);

        // The address is derived from the token: a wrong one names a mailbox nobody can open.
        await owner.ExpectNothingPendingAsync();
        Assert.Equal(0, _relay.Server.Router.Depth(new Identity(mailbox.Address)));
    }

    [Fact]
    public async Task Every_refusal_is_its_documented_reason_and_the_connection_stays_open()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        using var other = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        using var expired = new OwnedMailbox(DateTimeOffset.UtcNow.AddSeconds(-5));
        using var tooFar = new OwnedMailbox(DateTimeOffset.UtcNow + TimeSpan.FromDays(8));
        using var longGone = new OwnedMailbox(DateTimeOffset.UtcNow - TimeSpan.FromDays(8));
        using var identity = X25519KeyPair.Generate();
        await using var anonymous = await AnonymousAsync("tcp");
        await using var authenticated = await _relay.TcpAsync(identity);

        Assert.Equal(RejectReason.EnvelopeTooShort, await RejectedAsync(MailboxSendAsync(anonymous, 1, mailbox.Ticket(), [])));
        Assert.Equal(RejectReason.EnvelopeTooShort, await RejectedAsync(MailboxSendAsync(anonymous, 2, mailbox.Ticket(), new byte[ConversationEnvelope.MinimumSize - 1])));
        Assert.Equal(RejectReason.MailboxExpired, await RejectedAsync(MailboxSendAsync(anonymous, 3, expired.Ticket(), new byte[100])));
        Assert.Equal(RejectReason.AnonymousRequired, await RejectedAsync(MailboxSendAsync(authenticated, 4, mailbox.Ticket(), new byte[100])));
        await OpenAsync(authenticated, mailbox, 5, FrameType.Rejected, RejectReason.AnonymousRequired);
        await OpenAsync(anonymous, tooFar, 6, FrameType.Rejected, RejectReason.MailboxExpired);
        await OpenAsync(anonymous, longGone, 7, FrameType.Rejected, RejectReason.MailboxExpired);
        await OpenAsync(anonymous, expired, 8, FrameType.Accepted); // just expired: what it still holds can be fetched
        await OpenAsync(anonymous, expired, 9, FrameType.Accepted); // the same one again changes nothing
        await OpenAsync(anonymous, other, 10, FrameType.Rejected, RejectReason.AnonymousRequired); // one mailbox per connection
        Assert.Equal(FrameType.Accepted, (await MailboxSendAsync(anonymous, 11, mailbox.Ticket(), new byte[ConversationEnvelope.MinimumSize])).Type);
        await anonymous.ExpectNothingPendingAsync();
        await authenticated.ExpectNothingPendingAsync();
    }

    [Fact]
    public async Task An_empty_or_short_sealed_send_is_refused_as_too_short_before_its_token_is_looked_at()
    {
        await using var anonymous = await AnonymousAsync("tcp");
        var recipient = new Identity(RandomNumberGenerator.GetBytes(32));
        foreach (var (id, length) in new[] { (1UL, 0), (2UL, SealedSenderEnvelope.MinimumSize - 1) })
        {
            anonymous.SealedSend(id, recipient, default, new byte[length]);
            await anonymous.FlushAsync();
            var rejected = await anonymous.ExpectAsync(FrameType.Rejected);
            Assert.Equal((id, (byte)RejectReason.EnvelopeTooShort), (rejected.ClientMessageId, rejected.Code));
        }

        anonymous.SealedSend(3, recipient, default, new byte[SealedSenderEnvelope.MinimumSize]);
        await anonymous.FlushAsync();
        Assert.Equal((byte)RejectReason.DeliveryTokenInvalid, (await anonymous.ExpectAsync(FrameType.Rejected)).Code);
        Assert.Equal(0, _relay.Server.Router.Depth(recipient));
        var messages = await AuditAsync(l => l.TryGetProperty("id", out _), 0);
        Assert.Empty(messages);
    }

    private async Task<RelayClientConnection> AnonymousAsync(string transport) => transport == "tcp"
        ? await RelayClientConnection.ConnectAnonymousTcpAsync(_relay.Server.TcpEndPoint, _relay.ClientOptions, CancellationToken.None)
        : await RelayClientConnection.ConnectWebSocketAsync(_relay.WsUri, null, _relay.ClientOptions, CancellationToken.None);

    private static async Task OpenAsync(RelayClientConnection connection, OwnedMailbox mailbox, ulong id, FrameType expected, RejectReason reason = 0)
    {
        connection.OpenMailbox(id, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
        await connection.FlushAsync();
        var answer = await connection.ExpectAsync(expected);
        Assert.Equal(id, answer.ClientMessageId);
        if (expected == FrameType.Rejected)
        {
            Assert.Equal((byte)reason, answer.Code);
        }
    }

    private static async Task<RelayFrame> MailboxSendAsync(RelayClientConnection connection, ulong id, byte[] ticketBytes, byte[] envelope)
    {
        Assert.Equal(SealedSenderError.None, MailboxTicket.TryRead(ticketBytes, out var ticket));
        connection.MailboxSend(id, ticket.FetchVerifier, ticket.Expiry, new DeliveryToken(ticket.SendToken), envelope);
        await connection.FlushAsync();
        var answer = await connection.ExpectAnyAsync();
        Assert.Equal(id, answer.ClientMessageId);
        return answer;
    }

    private static async Task<RejectReason> RejectedAsync(Task<RelayFrame> answer)
    {
        var frame = await answer;
        Assert.Equal(FrameType.Rejected, frame.Type);
        return (RejectReason)frame.Code;
    }

    private Task<List<JsonElement>> AuditAsync(Func<JsonElement, bool> which, int atLeast) => AuditLines.ReadAsync(_relay, _auditPath, which, atLeast);
}
