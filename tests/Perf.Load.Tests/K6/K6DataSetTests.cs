using System.Text;
using Perf.Load.K6;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Tests.K6;

/// <summary>What perf k6 prepare writes: usable tokens and sessions that really talk to each other.</summary>
public sealed class K6DataSetTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("k6-test-secret-0123456789");

    [Theory]
    [InlineData(K6Pairing.Ring, 5)]
    [InlineData(K6Pairing.Pairs, 4)]
    public void Every_sender_reaches_its_recipient_through_the_exported_sessions(K6Pairing pairing, int users)
    {
        var data = K6DataFile.Parse(K6DataSetBuilder.Create(users, pairing, Secret, DateTimeOffset.UtcNow.AddHours(1)).ToJson());

        Assert.Equal(users, data.Users.Count);
        foreach (var user in data.Users)
        {
            var recipient = data.Users[user.SendsTo];
            Assert.NotEqual(user.Index, recipient.Index);
            var sending = Assert.Single(user.Sessions, s => s.RemoteIdentity == recipient.Identity);
            var receiving = Assert.Single(recipient.Sessions, s => s.SessionId == sending.SessionId);
            Assert.False(sending.PrekeyPending);

            using var sender = E2eSession.ImportState(sending, new E2eSessionOptions());
            using var receiver = E2eSession.ImportState(receiving, new E2eSessionOptions());
            var message = Encoding.UTF8.GetBytes($"from {user.Index}");
            var envelope = new byte[sender.GetEnvelopeSize(message.Length)];
            var sealedLength = sender.Seal(message, envelope);
            Assert.Equal(23 + message.Length + 16, sealedLength); // steady-state header: no prekey fields
            var opened = new byte[sealedLength];
            Assert.Equal(E2eError.None, receiver.TryOpen(envelope.AsSpan(0, sealedLength), opened, out var written));
            Assert.Equal(message, opened[..written]);

            Assert.Equal(TokenCheck.Valid, RelayToken.Verify(user.Token, Secret, DateTimeOffset.UtcNow, out var identity));
            Assert.Equal(Convert.FromBase64String(user.Identity), identity.ToArray());
        }
    }

    [Fact]
    public void Pairs_use_one_session_both_ways()
    {
        var data = K6DataSetBuilder.Create(2, K6Pairing.Pairs, Secret, DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal(1, data.Users[0].SendsTo);
        Assert.Equal(0, data.Users[1].SendsTo);
        Assert.Equal(data.Users[0].Sessions[0].SessionId, Assert.Single(data.Users[1].Sessions).SessionId);
        Assert.True(data.Users[0].Sessions[0].IsInitiator);
        Assert.False(data.Users[1].Sessions[0].IsInitiator);
    }

    [Theory]
    [InlineData(1, K6Pairing.Ring)]
    [InlineData(3, K6Pairing.Pairs)]
    [InlineData(K6DataSetBuilder.MaxUsers + 1, K6Pairing.Ring)]
    public void Unusable_user_counts_are_refused(int users, K6Pairing pairing)
    {
        Assert.Throws<ArgumentException>(() => K6DataSetBuilder.Create(users, pairing, Secret, DateTimeOffset.UtcNow.AddHours(1)));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"format\":\"other/1\",\"algorithm\":\"aes-256-gcm\",\"pairs\":\"ring\",\"token_expires_at\":\"2026-01-01T00:00:00Z\",\"users\":[]}")]
    [InlineData("{\"format\":\"perf-k6-data/1\",\"algorithm\":\"aes-256-gcm\",\"pairs\":\"ring\",\"token_expires_at\":\"2026-01-01T00:00:00Z\",\"users\":[{\"index\":0,\"identity\":\"\",\"token\":\"\",\"sends_to\":5,\"sessions\":[]}]}")]
    [InlineData("{\"format\":\"perf-k6-data/1\",\"algorithm\":\"aes-256-gcm\",\"pairs\":\"ring\",\"token_expires_at\":\"2026-01-01T00:00:00Z\",\"users\":[{\"index\":0,\"identity\":\"\",\"token\":\"\",\"sends_to\":0,\"sessions\":[null]}]}")]
    public void A_file_that_is_not_a_data_set_is_a_format_error(string json)
    {
        Assert.Throws<FormatException>(() => K6DataFile.Parse(json));
    }

    [Fact]
    public void The_file_holds_no_private_identity_key()
    {
        var json = K6DataSetBuilder.Create(2, K6Pairing.Ring, Secret, DateTimeOffset.UtcNow.AddHours(1)).ToJson();

        Assert.DoesNotContain("private", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Identity.Size, Convert.FromBase64String(K6DataFile.Parse(json).Users[0].Identity).Length);
    }
}
