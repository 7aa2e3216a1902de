using Perf.Testing.Processes;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Cli.Tests.Relay;

/// <summary><c>perf relay --max-mailbox-lifetime</c> and <c>--delivery-verifier-lifetime</c> reach the relay they start.</summary>
public sealed class RelayLifetimeOptionsTests
{
    [Fact]
    public async Task A_mailbox_expiring_past_the_lifetime_asked_is_refused_and_one_within_it_opens()
    {
        await using var relay = await PerfBinary.StartRelayAsync("--max-mailbox-lifetime", "1h", "--delivery-verifier-lifetime", "30m");
        var options = new RelayClientOptions { Cipher = AeadAlgorithm.Aes256Gcm, Backend = AeadBackend.Auto, RelayKey = relay.RelayKey };

        // The default (7 days) would take a mailbox of 2 h; this relay allows 1 h.
        Assert.Equal((FrameType.Rejected, (byte)RejectReason.MailboxExpired), await OpenAsync(relay.TcpEndPoint, options, TimeSpan.FromHours(2)));
        Assert.Equal(FrameType.Accepted, (await OpenAsync(relay.TcpEndPoint, options, TimeSpan.FromMinutes(30))).Type);
    }

    private static async Task<(FrameType Type, byte Reason)> OpenAsync(System.Net.EndPoint relay, RelayClientOptions options, TimeSpan expiresIn)
    {
        await using var connection = await RelayClientConnection.ConnectAnonymousTcpAsync(relay, options, CancellationToken.None);
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow + expiresIn);
        connection.OpenMailbox(1, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
        await connection.FlushAsync();
        var answer = await connection.ReadAsync() ?? throw new InvalidOperationException("the relay closed the connection");
        return (answer.Type, answer.Type == FrameType.Rejected ? answer.Code : (byte)0);
    }
}
