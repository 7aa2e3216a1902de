using System.Net;
using System.Net.WebSockets;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using static Relay.Server.Tests.Abuse.SourceBoundClients;

namespace Relay.Server.Tests.Abuse;

/// <summary>The cap on anonymous (sealed-sender) connections per source address, on both listeners.</summary>
public sealed class AnonymousCapTests
{
    [Fact]
    public async Task Past_the_cap_an_anonymous_connection_gets_error_11_or_http_429_while_authenticated_ones_and_other_sources_are_unaffected()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { MaxAnonymousConnectionsPerSource = 2 });
        using var probe = new CounterProbe(relay.Server);
        var source = Loopback(9);
        using var throwaway1 = X25519KeyPair.Generate();
        using var throwaway2 = X25519KeyPair.Generate();
        using var throwaway3 = X25519KeyPair.Generate();
        var first = await NoiseAsync(relay, source, throwaway1, anonymous: true);
        await using var second = await NoiseAsync(relay, source, throwaway2, anonymous: true);
        await first.ExpectNothingPendingAsync();
        await second.ExpectNothingPendingAsync();

        // The third finishes its handshake and is told why it is closed.
        await using (var third = await NoiseAsync(relay, source, throwaway3, anonymous: true))
        {
            var error = await third.ExpectAsync(FrameType.Error);
            Assert.Equal((byte)FrameError.SourceLimit, error.Code);
            Assert.Null(await third.ReadAsync());
        }

        // The gateway counts against the same cap: HTTP 429 before the upgrade.
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => WebSocketAsync(relay, source, token: null));
        Assert.Contains("429", refused.Message, StringComparison.Ordinal);

        // Authenticated connections from the source, and anonymous ones from another, are not capped.
        using var aliceKey = X25519KeyPair.Generate();
        await using var alice = await NoiseAsync(relay, source, aliceKey);
        await alice.ExpectNothingPendingAsync();
        await using var elsewhere = await RelayClientConnection.ConnectAnonymousTcpAsync(relay.Server.TcpEndPoint, relay.ClientOptions, CancellationToken.None);
        await elsewhere.ExpectNothingPendingAsync();
        using var elsewhereSocket = await WebSocketAsync(relay, IPAddress.Loopback, token: null);
        Assert.Equal(WebSocketState.Open, elsewhereSocket.State);
        Assert.Equal(2, probe.Sum("relay.connections.refused", "anonymous_limit"));

        // A slot frees when an anonymous connection closes.
        await first.DisposeAsync();
        var deadline = DateTime.UtcNow + RelayClientExpectations.Patience;
        while (true)
        {
            using var retryKey = X25519KeyPair.Generate();
            await using var retry = await NoiseAsync(relay, source, retryKey, anonymous: true);
            retry.Ping(7);
            await retry.FlushAsync();
            var answer = await retry.ExpectAnyAsync();
            if (answer.Type == FrameType.Pong)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the closed connection's slot was not freed");
            await Task.Delay(50); // the relay frees the slot once it has seen the close
        }
    }
}
