using System.Text;
using System.Text.Json;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>
/// Sealed sender through a real relay: the recipient learns the sender from the certificate, the
/// relay (and its audit log) learns none; delivery tokens keep strangers out; anonymous
/// connections can do nothing but SEALED_SEND; and every bad sealed envelope is refused by name
/// at the recipient while the relay carries on.
/// </summary>
public sealed class SealedSenderRelayTests : IAsyncLifetime
{
    private readonly string _auditPath = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl");
    private readonly X25519KeyPair _aliceKey = X25519KeyPair.Generate();
    private readonly X25519KeyPair _bobKey = X25519KeyPair.Generate();
    private readonly byte[] _aliceSecret = DeliveryTokens.NewSecret();
    private readonly byte[] _bobSecret = DeliveryTokens.NewSecret();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private TestRelay _relay = null!;

    private Identity AliceId => new(_aliceKey.PublicKey);

    private Identity BobId => new(_bobKey.PublicKey);

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
    public async Task Sealed_messages_arrive_with_their_sender_while_the_relay_logs_none(string transport)
    {
        await using var alice = Messenger(_aliceKey, transport);
        await using var bob = Messenger(_bobKey, transport);
        var aliceInbox = Receive(alice);
        var bobInbox = Receive(bob);
        await alice.EnableSealedSenderAsync(_aliceSecret, _stop.Token);
        await bob.EnableSealedSenderAsync(_bobSecret, _stop.Token);
        Assert.Equal(_relay.Server.SenderCertificateKey.ToArray(), alice.RelaySigningKey.ToArray());

        var sent = await alice.SendSealedAsync(BobId, "hello, sealed"u8.ToArray(), RelayMessenger.DeliveryTokenFor(BobId, _bobSecret), _stop.Token);
        Assert.True(sent.Accepted);
        var atBob = await bobInbox.NextAsync(_stop.Token);
        Assert.Equal(("hello, sealed", AliceId, true), (Encoding.UTF8.GetString(atBob.Plaintext), atBob.Sender, atBob.SealedSender));

        var reply = await bob.SendSealedAsync(AliceId, "sealed reply"u8.ToArray(), RelayMessenger.DeliveryTokenFor(AliceId, _aliceSecret), _stop.Token);
        Assert.True(reply.Accepted);
        var atAlice = await aliceInbox.NextAsync(_stop.Token);
        Assert.Equal(("sealed reply", BobId, true), (Encoding.UTF8.GetString(atAlice.Plaintext), atAlice.Sender, atAlice.SealedSender));

        Assert.True((await alice.SendAsync(BobId, "plain"u8.ToArray(), _stop.Token)).Accepted);
        Assert.False((await bobInbox.NextAsync(_stop.Token)).SealedSender);

        var lines = await AuditLinesAsync(3);
        Assert.Equal([(true, true), (true, true), (false, false)], lines.ConvertAll(l => (l.GetProperty("sealed").GetBoolean(), l.GetProperty("sender").ValueKind == JsonValueKind.Null)));
        Assert.All(lines[..2], l => Assert.Equal(JsonValueKind.Null, l.GetProperty("conn_identity").ValueKind));
        Assert.Equal(BobId.ToString(), lines[0].GetProperty("recipient").GetString());
        Assert.Equal(sent.RelayMessageId, lines[0].GetProperty("id").GetUInt64());
        Assert.Equal(AliceId.ToString(), lines[2].GetProperty("sender").GetString());
        Assert.Equal(AliceId.ToString(), lines[2].GetProperty("conn_identity").GetString());
        Assert.Equal(SealedSenderEnvelope.Overhead + E2eEnvelope.PrekeyHeaderSize + "hello, sealed".Length + 16, lines[0].GetProperty("bytes").GetInt32());
        Assert.NotEqual(lines[0].GetProperty("conn").GetInt64(), lines[2].GetProperty("conn").GetInt64());
        var text = await File.ReadAllTextAsync(_auditPath);
        Assert.DoesNotContain(Convert.ToBase64String(_bobSecret), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_or_missing_delivery_token_is_rejected_and_nothing_is_held()
    {
        await using var bob = Messenger(_bobKey, "tcp");
        _ = Receive(bob);
        await bob.EnableSealedSenderAsync(_bobSecret, _stop.Token);
        await using var stranger = await RelayClientConnection.ConnectAnonymousTcpAsync(_relay.Server.TcpEndPoint, _relay.ClientOptions, _stop.Token);
        using var carol = X25519KeyPair.Generate();

        stranger.SealedSend(1, BobId, RelayMessenger.DeliveryTokenFor(BobId, DeliveryTokens.NewSecret()), new byte[300]);
        stranger.SealedSend(2, new Identity(carol.PublicKey), RelayMessenger.DeliveryTokenFor(new Identity(carol.PublicKey), _bobSecret), new byte[300]);
        stranger.SealedSend(3, BobId, RelayMessenger.DeliveryTokenFor(AliceId, _bobSecret), new byte[300]);
        await stranger.FlushAsync();

        for (var id = 1UL; id <= 3; id++)
        {
            var rejected = await stranger.ExpectAsync(FrameType.Rejected);
            Assert.Equal((id, (byte)RejectReason.DeliveryTokenInvalid), (rejected.ClientMessageId, rejected.Code));
        }

        Assert.Equal(0, _relay.Server.Router.Depth(BobId));
        Assert.Equal(0, _relay.Server.Router.Depth(new Identity(carol.PublicKey)));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task An_anonymous_connection_can_neither_send_as_anyone_nor_get_a_certificate(string transport)
    {
        await using var anonymous = transport == "tcp"
            ? await RelayClientConnection.ConnectAnonymousTcpAsync(_relay.Server.TcpEndPoint, _relay.ClientOptions, _stop.Token)
            : await RelayClientConnection.ConnectWebSocketAsync(_relay.WsUri, null, _relay.ClientOptions, _stop.Token);

        anonymous.Send(1, BobId, new byte[50]);
        anonymous.RequestCertificate(2);
        anonymous.SetDeliveryVerifier(3, new byte[32]);
        await anonymous.FlushAsync();

        for (var id = 1UL; id <= 3; id++)
        {
            var rejected = await anonymous.ExpectAsync(FrameType.Rejected);
            Assert.Equal((id, (byte)RejectReason.AuthenticationRequired), (rejected.ClientMessageId, rejected.Code));
        }

        Assert.Equal(0, _relay.Server.Router.Depth(BobId));
    }

    [Fact]
    public async Task The_recipient_refuses_bad_sealed_envelopes_by_name_and_the_relay_carries_on()
    {
        await using var bob = Messenger(_bobKey, "tcp");
        var bobInbox = Receive(bob);
        var token = await bob.EnableSealedSenderAsync(_bobSecret, _stop.Token);
        using var relayIssuer = SenderCertificateIssuer.FromRelayKey(_relay.Key); // what the relay signs with
        using var otherIssuer = SenderCertificateIssuer.Generate();
        using var mallory = X25519KeyPair.Generate();
        using var sealer = new SealedSenderEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        using var aliceSession = E2eSession.Initiate(_aliceKey, _bobKey.PublicKey, new E2eSessionOptions());
        var valid = Sealed(sealer, Certificate(relayIssuer, _aliceKey, TimeSpan.FromHours(1)), aliceSession, "the good one");
        var sends = new[]
        {
            Sealed(sealer, Certificate(otherIssuer, _aliceKey, TimeSpan.FromHours(1)), aliceSession, "forged"),       // CertificateForged
            Sealed(sealer, Certificate(relayIssuer, _aliceKey, TimeSpan.FromHours(-1)), aliceSession, "expired"),     // CertificateExpired
            Sealed(sealer, Certificate(relayIssuer, mallory, TimeSpan.FromHours(1)), aliceSession, "not mallory's"),  // CertificateIdentityMismatch
            valid,
            valid,                                                                                                    // Replay
        };

        await using var anonymous = await RelayClientConnection.ConnectAnonymousTcpAsync(_relay.Server.TcpEndPoint, _relay.ClientOptions, _stop.Token);
        for (var i = 0; i < sends.Length; i++)
        {
            anonymous.SealedSend((ulong)i, BobId, token, sends[i]);
        }

        var garbage = System.Security.Cryptography.RandomNumberGenerator.GetBytes(SealedSenderEnvelope.MinimumSize); // long enough for the relay, not for Bob
        (garbage[0], garbage[1]) = (SealedSenderEnvelope.Version, 2);
        anonymous.SealedSend((ulong)sends.Length, BobId, token, garbage);
        await anonymous.FlushAsync();
        for (var i = 0; i <= sends.Length; i++)
        {
            Assert.Equal(FrameType.Accepted, (await anonymous.ExpectAnyAsync()).Type); // the relay cannot tell: it only forwards
        }

        var good = await bobInbox.NextAsync(_stop.Token);
        Assert.Equal(("the good one", AliceId), (Encoding.UTF8.GetString(good.Plaintext), good.Sender));
        while (bob.SealedRefusals.Count < 5)
        {
            await Task.Delay(20, _stop.Token);
        }

        Assert.Equal(
            [SealedSenderError.CertificateForged, SealedSenderError.CertificateExpired, SealedSenderError.CertificateIdentityMismatch, SealedSenderError.Replay, SealedSenderError.AuthenticationFailed],
            bob.SealedRefusals.ToArray());

        // The replay was acknowledged (it had been opened); the refused ones stay held, the relay is fine.
        await using var alice = Messenger(_aliceKey, "tcp");
        _ = Receive(alice);
        Assert.True((await alice.SendAsync(BobId, "still talking"u8.ToArray(), _stop.Token)).Accepted);
        Assert.Equal("still talking", Encoding.UTF8.GetString((await bobInbox.NextAsync(_stop.Token)).Plaintext));
        var lines = await AuditLinesAsync(sends.Length + 2);
        Assert.All(lines[..(sends.Length + 1)], l => Assert.Equal(JsonValueKind.Null, l.GetProperty("sender").ValueKind));
    }

    private static byte[] Certificate(SenderCertificateIssuer issuer, X25519KeyPair holder, TimeSpan lifetime)
    {
        var certificate = new byte[SenderCertificate.Size];
        issuer.Issue(holder.PublicKey, DateTimeOffset.UtcNow + lifetime, certificate);
        return certificate;
    }

    private byte[] Sealed(SealedSenderEnvelope sealer, byte[] certificate, E2eSession session, string text)
    {
        var plaintext = Encoding.UTF8.GetBytes(text);
        var inner = new byte[session.GetEnvelopeSize(plaintext.Length)];
        session.Seal(plaintext, inner);
        var output = new byte[SealedSenderEnvelope.SealedSize(inner.Length)];
        sealer.Seal(_bobKey.PublicKey, certificate, inner, output);
        return output;
    }

    private RelayMessenger Messenger(X25519KeyPair key, string transport) => _relay.Messenger(key, transport);

    private Inbox Receive(RelayMessenger messenger)
    {
        var inbox = new Inbox();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in messenger.ReceiveAllAsync(_stop.Token))
                {
                    await inbox.Messages.Writer.WriteAsync(message);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return inbox;
    }

    // Exactly count message lines (the log also has a line per connection opened and closed).
    private async Task<List<JsonElement>> AuditLinesAsync(int count)
    {
        var lines = await AuditLines.ReadAsync(_relay, _auditPath, AuditLines.IsMessage, count);
        Assert.Equal(count, lines.Count);
        return lines;
    }

    private sealed class Inbox
    {
        public System.Threading.Channels.Channel<ReceivedMessage> Messages { get; } = System.Threading.Channels.Channel.CreateUnbounded<ReceivedMessage>();

        public async Task<ReceivedMessage> NextAsync(CancellationToken cancellationToken) => await Messages.Reader.ReadAsync(cancellationToken);
    }
}
