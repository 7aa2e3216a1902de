using System.Net;
using Perf.Load.Behaviours;
using Perf.Load.Engine;
using Perf.Load.Idle;
using Perf.Load.Impairment;
using Perf.Load.Processes;
using Perf.Load.Recording;
using Perf.Load.Targets.Relay;
using Perf.Testing.Relays;
using Relay.Crypto.Aead;
using Relay.Protocol.Routing;

namespace Perf.Load.Tests.Behaviours;

/// <summary>
/// Client behaviours against a real relay on loopback, with a one-second "minute": churned clients
/// come back as the same identity and lose nothing, slow consumers stay within the relay's limits
/// without holding the others up, vanished clients are reclaimed by the relay's idle timeout.
/// </summary>
public sealed class RelayBehaviourTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0, null)]
    [InlineData(300, null)]
    [InlineData(200, "mobile")] // --network mobile: each return is a new connection through the proxy, 75 ms each way
    public async Task Churned_clients_come_back_as_the_same_identity_and_nothing_is_lost(int awayMs, string? network)
    {
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 0 });
        await using var proxy = Proxy(network, relay);
        await using var target = RelayTarget.Tcp(proxy?.EndPoint ?? relay.Server.TcpEndPoint, relay.Key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        var scenario = new LoadScenario
        {
            Connections = 6,
            RatePerSecond = 300,
            MessageSize = 128,
            Duration = TimeSpan.FromSeconds(4),
            Warmup = TimeSpan.FromMilliseconds(500),
            // Half the clients leave each second.
            Behaviours = new ClientBehaviours { ChurnPercentPerMinute = 50, ChurnAway = TimeSpan.FromMilliseconds(awayMs), Minute = Second },
        };

        var run = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        var r = run.Recorders;

        // Three a second for four seconds; a churn the schedule's end cut short is skipped.
        Assert.InRange(run.Churn!.Reconnected, 6, 12);
        Assert.Equal(0, run.Churn.Failed);
        Assert.Equal(0, run.Lost);
        Assert.Equal(r.Sent, r.Delivered);
        Assert.Equal(0, r.Errors);
        Assert.InRange(r.Sent, 1200 - 6, 1200 + 6);
        if (proxy is not null)
        {
            // The first six connections and each return went through the proxy; none failed or was reset there.
            var counters = proxy.Counters;
            Assert.True(counters.Connections >= 6 + run.Churn.Reconnected, $"proxy: {counters}");
            Assert.Equal((0L, 0L, 0L), (counters.Resets, counters.PeerResets, counters.UpstreamFailures));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mobile")]
    public async Task A_slow_consumer_is_held_to_its_mailbox_bound_the_others_get_everything_and_what_the_relay_held_is_delivered_when_it_catches_up(string? network)
    {
        const int mailbox = 150;
        const int inFlight = 200;
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 0, MaxDeliversInFlight = inFlight, Mailbox = new MailboxLimits { MaxMessages = mailbox } });
        await using var proxy = Proxy(network, relay);
        await using var target = RelayTarget.Tcp(proxy?.EndPoint ?? relay.Server.TcpEndPoint, relay.Key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        long mostHeld = 0;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                mostHeld = Math.Max(mostHeld, relay.Server.Router.Held);
                await Task.Delay(20);
            }
        });

        var run = await new OpenLoopRunner(SlowConsumerScenario(TimeSpan.FromMinutes(1))).RunAsync(target, null, CancellationToken.None);
        await stop.CancelAsync();
        await watch;
        var classes = run.RecipientClasses!;

        Assert.Equal(1, classes.SlowRecipients);
        Assert.Equal(classes.Others.Sent, classes.Others.Delivered);
        Assert.Equal(0, classes.Others.Rejected);
        // The slow one's mailbox filled: the relay refused the rest (mailbox full) instead of holding more.
        Assert.True(classes.Slow.Rejected > 0, $"slow: sent {classes.Slow.Sent}, delivered {classes.Slow.Delivered}");
        // The slow one's mailbox at its bound; beside it only the others' few DELIVERs awaiting an
        // ACK (each rides on its recipient's next send, every 10 ms). Behind the proxy (up to 1 MiB
        // a direction) DELIVERs up to the in-flight cap wait there unacknowledged, and the others'
        // ACKs take a 150 ms round trip (~100 a second each). How many of the others' wait depends
        // on the machine (334 held direct under five builds, 442 behind the proxy in CI, ~160
        // alone), so the bound is the structural one: every recipient's mailbox at its cap. What
        // shows the slow one bounded is its refused sends, above.
        Assert.InRange(mostHeld, mailbox / 2, run.Scenario.Connections * mailbox);

        // After the window it read at full speed: everything the relay held was delivered (held,
        // not lost), and with the last ACKs the relay holds nothing.
        var catchUp = run.SlowConsumerCatchUp!;
        Assert.True(catchUp.Completed, $"caught up in {catchUp.Seconds:F1} s: slow sent {classes.Slow.Sent}, delivered {classes.Slow.Delivered}, rejected {classes.Slow.Rejected}");
        Assert.InRange(catchUp.Delivered, mailbox / 2, run.Recorders.Delivered);
        Assert.Equal((classes.Slow.Sent, 0L), (classes.Slow.Delivered + classes.Slow.Rejected, run.Lost));
        Assert.True(await Poll.UntilAsync(_ => Task.FromResult(relay.Server.Router.Held == 0), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20), CancellationToken.None), $"the relay still holds {relay.Server.Router.Held}");

        Assert.Equal(classes.Slow.Sent + classes.Others.Sent, run.Recorders.Sent);
        Assert.Equal(classes.Slow.EndToEnd.TotalCount, classes.Slow.Delivered);
        // The run's own end-to-end latency is the others' alone: the slow one's is reported apart.
        Assert.Equal(classes.Others.Delivered, run.Recorders.Total(LoadStage.EndToEnd).TotalCount);
    }

    [Fact]
    public async Task Without_the_catch_up_what_the_relay_held_for_a_slow_consumer_is_counted_undelivered()
    {
        const int mailbox = 150;
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 0, MaxDeliversInFlight = 200, Mailbox = new MailboxLimits { MaxMessages = mailbox } });
        await using var target = RelayTarget.Tcp(relay.Server.TcpEndPoint, relay.Key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);

        var run = await new OpenLoopRunner(SlowConsumerScenario(TimeSpan.Zero)).RunAsync(target, null, CancellationToken.None);

        Assert.Null(run.SlowConsumerCatchUp);
        var slow = run.RecipientClasses!.Slow;
        Assert.True(slow.Undelivered > 0, $"slow: sent {slow.Sent}, delivered {slow.Delivered}, rejected {slow.Rejected}");
        Assert.Equal(slow.Undelivered, run.Lost);
        // They were held: the relay still has them (with its others' unacknowledged few).
        Assert.True(relay.Server.Router.Held >= slow.Undelivered, $"held {relay.Server.Router.Held}, undelivered {slow.Undelivered}");
    }

    [Fact]
    public async Task More_refusals_in_a_row_than_the_E2E_skip_window_lose_nothing_because_the_sender_retries_and_holds_what_follows()
    {
        // 300 a second to a recipient that reads 100 bytes a second (a message every ~4 s): once
        // its mailbox is full, each slot it frees is taken by a message over 1,000 past the last
        // one taken, beyond the session's skipped keys. Dropped after sealing, the refused ones
        // left that gap, and the message after it failed to open (too_far_ahead: 2 of them when
        // this test ran without the outbox); the sender's outbox sends them again and holds what
        // follows. The mailbox leaves the others (their ACKs ride on their next send) room at this rate.
        const int mailbox = 400;
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 0, MaxDeliversInFlight = 200, Mailbox = new MailboxLimits { MaxMessages = mailbox } });
        await using var target = RelayTarget.Tcp(relay.Server.TcpEndPoint, relay.Key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);

        var run = await new OpenLoopRunner(SlowConsumerScenario(TimeSpan.Zero) with { RatePerSecond = 1200, Duration = TimeSpan.FromSeconds(10), Behaviours = new ClientBehaviours { SlowConsumerPercent = 25, SlowConsumerBytesPerSecond = 100, SlowConsumerDrain = TimeSpan.FromMinutes(1) } }).RunAsync(target, null, CancellationToken.None);

        var slow = run.RecipientClasses!.Slow;
        var others = run.RecipientClasses.Others;
        var detail = $"slow: sent {slow.Sent}, delivered {slow.Delivered}, rejected {slow.Rejected}, resent {slow.Resent}, held by sender {slow.HeldBySender}; errors {string.Join(", ", run.Recorders.ErrorReasons)}";
        Assert.True(slow.Rejected > 1000, detail);
        Assert.True(slow.Resent > 0, detail);
        Assert.InRange(slow.HeldBySender, 1, slow.Rejected);
        // Refused beyond what the outboxes held: only answers that came after they closed, at most
        // a window of them; an envelope whose slot was reused before its refusal came would add more.
        Assert.InRange(slow.Rejected - slow.HeldBySender, 0, SenderOutbox.Window);
        Assert.Equal(0, run.Recorders.Errors);
        Assert.Equal((0L, slow.Sent), (run.Lost, slow.Delivered + slow.Rejected));
        Assert.True(run.SlowConsumerCatchUp!.Completed, detail);
        // The others' senders keep no outbox; on a loaded machine their ACKs can lag enough for a
        // few refusals of their own (262 once, with a build beside), which they count and drop.
        Assert.Equal((others.Sent, 0L), (others.Delivered + others.Rejected, others.Resent));
    }

    // Four connections at 100 a second each (~40 KB/s to each recipient, ten times what the slow one reads), one slow.
    private static LoadScenario SlowConsumerScenario(TimeSpan catchUp) => new()
    {
        Connections = 4,
        RatePerSecond = 400,
        MessageSize = 256,
        Duration = TimeSpan.FromSeconds(4),
        Warmup = TimeSpan.FromMilliseconds(500),
        Behaviours = new ClientBehaviours { SlowConsumerPercent = 25, SlowConsumerBytesPerSecond = 4096, SlowConsumerDrain = catchUp },
    };

    [SkippableFact]
    public async Task Vanished_clients_are_reclaimed_by_the_idle_timeout_and_come_back()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "a vanished client's close is read from TCP_INFO (Linux)");
        var idleTimeout = TimeSpan.FromSeconds(1.5);
        await using var relay = await TestRelay.StartAsync(o => o with { IdleTimeout = idleTimeout });
        var protocol = new NoiseIdleProtocol(relay.Key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        await using var pool = new IdleConnectionPool(relay.Server.TcpEndPoint, protocol, 10, inFlight: 10, keepAliveInterval: TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, await pool.OpenAsync(10, null, CancellationToken.None));
        // Four clients vanish every four seconds, one a second.
        var driver = new VanishingDriver(pool, new ChurnSchedule(10, 40, TimeSpan.FromSeconds(4), seed: 1));
        using var stop = new CancellationTokenSource();

        var running = driver.RunAsync(new LoadRunWindow([], null!), stop.Token);
        await WaitUntilAsync(() => driver.Counters.ReturnedCount >= 4, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running;
        var counters = driver.Counters;

        Assert.True(counters.ReturnedCount >= 4, $"{counters.VanishedCount} vanished, {counters.ReclaimedCount} reclaimed, {counters.ReturnedCount} back");
        Assert.Equal(counters.VanishedCount, counters.ReclaimedCount + counters.StillVanishedCount);
        Assert.Equal(counters.ReclaimedCount, counters.ReturnedCount);
        // Not before the relay's idle timeout: nothing but its timeout closes a silent client.
        Assert.True(counters.MinReclaim >= idleTimeout - TimeSpan.FromMilliseconds(50), $"reclaimed after {counters.MinReclaim}");
        // The others kept the relay's timeout off with their keep-alives; the returned are open again.
        Assert.True(pool.CountOpen() >= 10 - counters.StillVanishedCount, $"{pool.CountOpen()} open");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    // The impairment proxy --network puts between the run's connections and the relay, or none.
    private static ImpairmentProxy? Proxy(string? network, TestRelay relay) =>
        network is null ? null : ImpairmentProxy.Start(NetworkProfile.Parse(network), new IPEndPoint(IPAddress.Loopback, 0), relay.Server.TcpEndPoint);
}
