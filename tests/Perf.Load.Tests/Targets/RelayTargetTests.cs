using System.Net;
using System.Security.Cryptography;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Load.Targets;
using Perf.Load.Targets.Relay;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Server;

namespace Perf.Load.Tests.Targets;

/// <summary>The generator against a real relay on loopback, over Noise/TCP and WebSocket.</summary>
public sealed class RelayTargetTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_short_run_through_the_relay_accounts_for_every_message(bool webSocket)
    {
        using var key = X25519KeyPair.Generate();
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var relay = await RelayServer.StartAsync(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            StaticKey = key,
            WebSocketSecret = secret,
        });
        await using var target = webSocket
            ? RelayTarget.WebSocket(relay.WebSocketEndPoint!, secret, AeadAlgorithm.Aes256Gcm, AeadBackend.Auto)
            : RelayTarget.Tcp(relay.TcpEndPoint, key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        var scenario = new LoadScenario { Connections = 4, RatePerSecond = 400, MessageSize = 256, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromMilliseconds(500) };

        var result = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        var r = result.Recorders;

        Assert.True(r.Sent >= 790, $"sent {r.Sent}");
        Assert.Equal(r.Sent, r.Delivered + r.Rejected + result.Lost);
        Assert.Equal(0, result.Lost);
        Assert.Equal(r.Sent, r.Accepted);
        Assert.Equal(0, r.Errors);
        Assert.Equal(r.Delivered, r.Total(LoadStage.Open).TotalCount);
        Assert.Equal(r.Delivered, r.Total(LoadStage.Forward).TotalCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sealed_padded_load_is_logged_without_senders_and_nothing_is_lost(bool webSocket)
    {
        using var key = X25519KeyPair.Generate();
        var secret = RandomNumberGenerator.GetBytes(32);
        var audit = Path.GetTempFileName();
        try
        {
            var scenario = new LoadScenario { Connections = 4, RatePerSecond = 200, MessageSize = 200, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromMilliseconds(500) };
            LoadRunResult result;
            long accepted;
            await using (var relay = await RelayServer.StartAsync(new RelayOptions
            {
                TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                StaticKey = key,
                WebSocketSecret = secret,
                AuditLogPath = audit,
            }))
            {
                var mode = new RelayTargetMode(true, PaddingScheme.Padme);
                await using var target = webSocket
                    ? RelayTarget.WebSocket(relay.WebSocketEndPoint!, secret, AeadAlgorithm.Aes256Gcm, AeadBackend.Auto, mode)
                    : RelayTarget.Tcp(relay.TcpEndPoint, key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto, mode);
                result = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
                accepted = relay.Router.Accepted;
            }

            var r = result.Recorders;
            Assert.True(r.Sent >= 390, $"sent {r.Sent}");
            Assert.Equal((r.Sent, 0L, 0L), (r.Delivered, result.Lost, r.Errors));
            // Message lines only: the log also has a line per connection opened and closed.
            var lines = File.ReadAllLines(audit).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("id", out _)).ToList();
            Assert.Equal(accepted, lines.Count);
            Assert.All(lines, l =>
            {
                Assert.True(l.GetProperty("sealed").GetBoolean());
                Assert.Equal(System.Text.Json.JsonValueKind.Null, l.GetProperty("sender").ValueKind);
                Assert.Equal(System.Text.Json.JsonValueKind.Null, l.GetProperty("conn_identity").ValueKind);
            });

            // 200-byte plaintexts padded by Padmé: one envelope size, the sealed layer's 155 bytes on top.
            var size = SealedSenderEnvelope.Overhead + E2eEnvelope.BaseHeaderSize + PaddingScheme.Padme.PaddedLength(200) + 16;
            Assert.All(lines, l => Assert.Equal(size, l.GetProperty("bytes").GetInt32()));
        }
        finally
        {
            File.Delete(audit);
        }
    }

    [Fact]
    public async Task A_wrong_relay_key_is_a_target_error_saying_what_to_check()
    {
        using var key = X25519KeyPair.Generate();
        using var other = X25519KeyPair.Generate();
        await using var relay = await RelayServer.StartAsync(new RelayOptions { TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0), WebSocketEndPoint = null, StaticKey = key });
        await using var target = RelayTarget.Tcp(relay.TcpEndPoint, other.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);

        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => new OpenLoopRunner(new LoadScenario { Connections = 1 }).RunAsync(target, null, CancellationToken.None));

        Assert.Contains("--relay-key", ex.Message, StringComparison.Ordinal);
    }
}
