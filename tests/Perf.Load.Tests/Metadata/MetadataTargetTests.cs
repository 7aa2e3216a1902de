using System.Net;
using System.Security.Cryptography;
using Perf.Load.Engine;
using Perf.Load.Metadata;
using Perf.Load.Recording;
using Perf.Results.Metadata;
using Relay.Crypto.KeyAgreement;
using Relay.Server;

namespace Perf.Load.Tests.Metadata;

/// <summary>The metadata workload on the load engine, against a real relay on loopback with its audit log.</summary>
public sealed class MetadataTargetTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("sealed")]
    [InlineData("conversations")]
    public async Task Receipts_and_replies_go_through_the_scheduler_and_every_message_is_accounted_for(string modeName)
    {
        var mode = MetadataMode.All.Single(m => m.Name == modeName);
        var options = new MetadataWorkloadOptions { Users = 8, Rate = 200, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromMilliseconds(500) };
        var (run, target, trail) = await RunAsync(mode, options);
        var r = run.Recorders;

        // The schedule offers only the conversations' starts; receipts and replies double it and more.
        var scheduled = MetadataTarget.Scenario(options, mode).RatePerSecond * options.Duration.TotalSeconds;
        Assert.True(r.Sent > scheduled * 1.8, $"sent {r.Sent}, scheduled about {scheduled}");
        Assert.Equal(0, run.Lost);
        Assert.Equal(0, r.Errors);
        Assert.Equal(r.Sent, r.Accepted);
        Assert.Equal(r.Delivered, r.Total(LoadStage.Open).TotalCount);
        Assert.Equal(r.Delivered, r.Total(LoadStage.EndToEnd).TotalCount);
        Assert.Equal(r.Delivered, r.Total(LoadStage.Forward).TotalCount); // every follow-up stamped at hand-off too
        Assert.Equal(r.Sent, r.Total(LoadStage.Seal).TotalCount);
        Assert.Equal(target.Accepted.Count, trail.Messages.Count);
        Assert.Contains(target.Accepted, m => m.Reply);
    }

    [Fact]
    public async Task Each_conversation_is_set_up_once_through_the_relay_and_those_are_its_only_messages_to_an_identity()
    {
        var mode = MetadataMode.All.Single(m => m.Name == "conversations");
        var options = new MetadataWorkloadOptions { Users = 8, Rate = 200, Duration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromMilliseconds(500) };
        var (_, target, trail) = await RunAsync(mode, options);

        // Eight pairs on the ring, each talking many times in 2.5 s: one set-up each, sealed, without a sender.
        Assert.Equal(8, target.Setups);
        var identities = target.Identities.Select(Convert.ToBase64String).ToHashSet();
        var toIdentities = trail.Messages.Where(m => identities.Contains(m.Recipient)).ToList();
        Assert.Equal(8, toIdentities.Count);
        Assert.All(toIdentities, m => Assert.True(m.Sealed && !m.Conversation && m.Sender is null));
        Assert.All(trail.Messages.Except(toIdentities), m => Assert.True(m.Conversation));
        var row = MetadataAnalysis.Compute(mode.Name, trail, target.Accepted, target.Identities, (new HdrHistogram.LongHistogram(1, 1000, 3), new HdrHistogram.LongHistogram(1, 1000, 3), new HdrHistogram.LongHistogram(1, 1000, 3)), (0, 0), target.Delivered);
        Assert.Equal(Math.Round(8.0 / trail.Messages.Count, 4), row.RecipientKnownFraction);
    }

    // What the target knew, read before it wipes its keys.
    private sealed record Outcome(IReadOnlyList<SentMessage> Accepted, IReadOnlyList<byte[]> Identities, long Setups, long Delivered);

    private static async Task<(LoadRunResult Run, Outcome Target, AuditTrail Trail)> RunAsync(MetadataMode mode, MetadataWorkloadOptions options)
    {
        using var key = X25519KeyPair.Generate();
        var audit = Path.GetTempFileName();
        try
        {
            await using var relay = await RelayServer.StartAsync(new RelayOptions
            {
                TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                WebSocketSecret = RandomNumberGenerator.GetBytes(32),
                StaticKey = key,
                AuditLogPath = audit,
                SendRatePerConnection = 0,
                MaxAnonymousConnectionsPerSource = 0,
            });
            var target = new MetadataTarget(relay.TcpEndPoint, key.PublicKey.ToArray(), mode, options);
            await using (target)
            {
                var run = await new OpenLoopRunner(MetadataTarget.Scenario(options, mode)).RunAsync(target, null, CancellationToken.None);
                await target.WaitForAnswersAsync(CancellationToken.None);
                var expected = target.Accepted.Count;
                var deadline = DateTime.UtcNow.AddSeconds(10);
                AuditTrail trail;
                while ((trail = AuditTrail.Read(audit)).Messages.Count < expected && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }

                return (run, new Outcome(target.Accepted, target.Identities, target.Setups, target.Delivered), trail);
            }
        }
        finally
        {
            File.Delete(audit);
        }
    }
}
