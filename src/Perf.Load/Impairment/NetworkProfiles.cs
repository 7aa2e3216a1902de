namespace Perf.Load.Impairment;

/// <summary>
/// The named profiles <c>--network</c> knows, and where their numbers come from. Latencies are
/// one way: a round trip through the proxy adds both directions' (mobile's 75 ms each way is the
/// source's 150 ms round trip).
/// <list type="table">
/// <item><term><c>none</c></term><description>Forwards only: the proxy's own cost, the floor beside any impaired run.</description></item>
/// <item><term><c>mobile</c></term><description>Lighthouse's default mobile throttling, <c>mobileSlow4G</c> ("Slow 4G", formerly "Fast 3G"; the same as WebPageTest's "Mobile 3G - Fast"): 150 ms round trip, 1.6 Mbit/s (1638.4 kbit/s) down, 750 kbit/s up, no loss. Lighthouse's docs/throttling.md calls it roughly the bottom quarter of 4G connections and the top quarter of 3G ones.</description></item>
/// <item><term><c>3g</c></term><description>Lighthouse's <c>mobileRegular3G</c> (aligned with the Chrome UX Report's 3G class, HTTP round trips of 300–1400 ms and under 700 kbit/s): 300 ms round trip, 700 kbit/s each way.</description></item>
/// <item><term><c>lossy</c></term><description><c>mobile</c> plus ±10 ms jitter each way and 1 % of chunks held by a 200 ms retransmission delay (Linux's minimum RTO). The jitter and loss are this project's choice, not measured figures.</description></item>
/// <item><term><c>flaky</c></term><description><c>lossy</c> plus a 2 s outage per connection every minute and a reset (RST) per connection about every 8 minutes (0.002/s). Chosen to exercise stalls and resets, not measured.</description></item>
/// </list>
/// </summary>
public static class NetworkProfiles
{
    private const string LighthouseSlow4G = "Lighthouse mobileSlow4G (= WebPageTest \"Mobile 3G - Fast\"): 150 ms RTT, 1.6 Mbit/s down (1638.4 kbit/s), 750 kbit/s up, no loss; github.com/GoogleChrome/lighthouse docs/throttling.md and core/config/constants.js";

    private static readonly LinkImpairment MobileUp = new(TimeSpan.FromMilliseconds(75), TimeSpan.Zero, 750_000, 0);
    private static readonly LinkImpairment MobileDown = new(TimeSpan.FromMilliseconds(75), TimeSpan.Zero, 1_638_400, 0);
    private static readonly TimeSpan LossyJitter = TimeSpan.FromMilliseconds(10);

    /// <summary>The names, in the order the docs list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "mobile", "3g", "lossy", "flaky"];

    /// <summary>The profile called <paramref name="name"/> (case-insensitive), or <c>null</c>.</summary>
    public static NetworkProfile? Find(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => new NetworkProfile { Name = "none" },
        "mobile" => new NetworkProfile { Name = "mobile", Up = MobileUp, Down = MobileDown },
        "3g" => new NetworkProfile
        {
            Name = "3g",
            Up = new LinkImpairment(TimeSpan.FromMilliseconds(150), TimeSpan.Zero, 700_000, 0),
            Down = new LinkImpairment(TimeSpan.FromMilliseconds(150), TimeSpan.Zero, 700_000, 0),
        },
        "lossy" => Lossy("lossy"),
        "flaky" => Lossy("flaky") with
        {
            Stall = new StallPlan(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), 0),
            ResetPerSecond = 0.002,
        },
        _ => null,
    };

    /// <summary>Where the named profile's numbers come from, for the result file.</summary>
    public static string? SourceOf(string name) => name switch
    {
        "none" => "no impairment: the proxy's own cost",
        "mobile" => LighthouseSlow4G,
        "3g" => "Lighthouse mobileRegular3G (Chrome UX Report 3G: HTTP RTT 300-1400 ms, < 700 kbit/s): 300 ms RTT, 700 kbit/s each way; github.com/GoogleChrome/lighthouse core/config/constants.js",
        "lossy" => "mobile (" + LighthouseSlow4G + ") plus 10 ms jitter and 1% of chunks held 200 ms (Linux's minimum RTO): jitter and loss chosen by this project, not measured",
        "flaky" => "lossy plus a 2 s outage per connection every minute and a reset about every 8 minutes per connection: chosen by this project to exercise stalls and resets, not measured",
        _ => null,
    };

    private static NetworkProfile Lossy(string name) => new()
    {
        Name = name,
        Up = MobileUp with { Jitter = LossyJitter, Loss = 0.01 },
        Down = MobileDown with { Jitter = LossyJitter, Loss = 0.01 },
    };
}
