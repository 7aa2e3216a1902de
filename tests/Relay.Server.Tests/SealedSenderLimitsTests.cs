using System.Text.Json;
using Perf.Testing;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>
/// Sealed sender at its edges: a sealed message padded right up to the relay's envelope limit is
/// delivered (padding leaves room for the sealed layer), one byte more is refused by the client
/// before it reaches the relay; and a delivery-token verifier outlives its identity's empty
/// mailbox (sealed senders must reach an offline recipient) but not its lifetime.
/// </summary>
public sealed class SealedSenderLimitsTests
{
    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task A_sealed_message_padded_to_the_limit_is_delivered_and_padding_never_pushes_one_over_it(string transport)
    {
        var auditPath = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl");
        var relay = await TestRelay.StartAsync(o => o with { AuditLogPath = auditPath });
        try
        {
            await PadToTheLimitAsync(relay, auditPath, transport);
        }
        finally
        {
            await relay.DisposeAsync();
            File.Delete(auditPath);
        }
    }

    // Each case: a padding scheme, a plaintext length and the sealed envelope size the relay must log.
    // block:64742 pads a short message to the largest padded body (the limit exactly); block:64800
    // would pad past it (the old cap let it, and the sealed layer's 155 bytes took the frame over
    // the limit: ERROR 4 and a closed connection) and falls back to the exact length; Padmé at the
    // largest plaintext that fits falls back to the exact length, again the limit exactly.
    private static async Task PadToTheLimitAsync(TestRelay relay, string auditPath, string transport)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var bobKey = X25519KeyPair.Generate();
        await using var bob = relay.Messenger(bobKey, transport);
        var bobInbox = MessengerInbox.Start(bob, stop.Token);
        var token = await bob.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), stop.Token);
        var cases = new (PaddingScheme Scheme, int Length, int Logged)[]
        {
            (PaddingScheme.Block(PaddingScheme.MaxPaddedLength), 100, FrameLimits.Default.MaxEnvelopeBytes),
            (PaddingScheme.Block(64_800), 100, SealedSenderEnvelope.Overhead + E2eEnvelope.PrekeyHeaderSize + 101 + 16),
            (PaddingScheme.Padme, PaddingScheme.MaxPaddedLength - 1, FrameLimits.Default.MaxEnvelopeBytes),
        };
        foreach (var (scheme, length, _) in cases)
        {
            using var aliceKey = X25519KeyPair.Generate();
            await using var alice = relay.Messenger(aliceKey, transport, new E2eSessionOptions { Padding = scheme });
            _ = MessengerInbox.Start(alice, stop.Token);
            await alice.EnableSealedSenderAsync(DeliveryTokens.NewSecret(), stop.Token);
            var plaintext = new byte[length];
            plaintext[^1] = 0x5A;
            Assert.True((await alice.SendSealedAsync(bob.Identity, plaintext, token, stop.Token)).Accepted, scheme.Name);
            var received = await bobInbox.ReadAsync(stop.Token);
            Assert.Equal(plaintext, received.Plaintext);
            Assert.True(received.SealedSender);
            if (scheme == PaddingScheme.Padme)
            {
                await Assert.ThrowsAsync<ArgumentException>(() => alice.SendSealedAsync(bob.Identity, new byte[length + 1], token, stop.Token));
            }
        }

        await relay.Server.FlushAuditLogAsync();
        var logged = File.ReadAllLines(auditPath).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("id", out _)).Select(l => l.GetProperty("bytes").GetInt32());
        Assert.Equal(cases.Select(c => c.Logged), logged);
    }

    [Fact]
    public async Task A_delivery_verifier_outlives_its_empty_mailbox_but_not_its_lifetime()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { DeliveryVerifierLifetime = TimeSpan.FromSeconds(6), SweepInterval = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromSeconds(30) });
        using var bob = X25519KeyPair.Generate();
        var bobId = new Identity(bob.PublicKey);
        var secret = DeliveryTokens.NewSecret();
        var token = RelayMessenger.DeliveryTokenFor(bobId, secret);
        Span<byte> tokenBytes = stackalloc byte[16];
        token.CopyTo(tokenBytes);
        var verifier = new byte[32];
        DeliveryTokens.ComputeVerifier(tokenBytes, verifier);
        var registeredAt = DateTime.UtcNow;
        await using (var connection = await relay.TcpAsync(bob))
        {
            connection.SetDeliveryVerifier(1, verifier);
            await connection.FlushAsync();
            Assert.Equal(FrameType.Accepted, (await connection.ExpectAsync(FrameType.Accepted)).Type);
        }

        // Bob is gone and his mailbox is empty: the relay forgets the mailbox, not the verifier.
        await Eventually.TrueAsync(() => relay.Server.Router.Mailboxes == 0, "the sweep to forget Bob's empty mailbox");
        await using var sender = await RelayClientConnection.ConnectAnonymousTcpAsync(relay.Server.TcpEndPoint, relay.ClientOptions, CancellationToken.None);
        Assert.Equal(FrameType.Accepted, (await SealedSendAsync(sender, 1, bobId, token)).Type);
        // 6 s of lifetime: beside a full build, connecting twice and a sweep can take a few seconds.
        Assert.True(DateTime.UtcNow - registeredAt < TimeSpan.FromSeconds(6), "the first send came after the verifier's lifetime: the machine is too slow for this test");

        // Past its lifetime the sweep forgets it: the next sealed send is refused as for a stranger.
        ulong id = 2;
        await Eventually.TrueAsync(async () => (await SealedSendAsync(sender, id++, bobId, token)).Type == FrameType.Rejected, "the verifier to expire", seconds: 20);
        Assert.True(DateTime.UtcNow - registeredAt >= TimeSpan.FromSeconds(6));
        Assert.Equal((byte)RejectReason.DeliveryTokenInvalid, (await SealedSendAsync(sender, id, bobId, token)).Code);
    }

    private static async Task<RelayFrame> SealedSendAsync(RelayClientConnection connection, ulong id, Identity recipient, DeliveryToken token)
    {
        connection.SealedSend(id, recipient, token, new byte[SealedSenderEnvelope.MinimumSize]);
        await connection.FlushAsync();
        return await connection.ExpectAnyAsync();
    }
}
