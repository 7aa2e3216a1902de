using Perf.Results.Model;

namespace Perf.Testing.Results;

/// <summary>A complete, valid load result with round numbers, for tests to vary with <c>with</c>.</summary>
public static class ResultFixture
{
    public static LatencyMetric Latency(double p50, double p99, double p999) => new()
    {
        Count = 100_000, Mean = p50 * 1.1, P50 = p50, P90 = p50 * 1.5, P99 = p99, P999 = p999, P9999 = p999 * 2, Max = p999 * 4,
    };

    public static PerfResult Load(double p99 = 900, double maxRate = 40_000) => new()
    {
        Tool = "perf",
        Command = "perf load --target relay-tcp --connections 1000 --rate 20000 --size 256 --find-max --slo p99=50ms",
        Scenario = new Scenario
        {
            Target = "relay-tcp", Connections = 1000, Rate = 20_000, Size = 256, DurationS = 30, WarmupS = 5,
            Arrival = "poisson", Cipher = "chacha20poly1305", Backend = "libsodium",
        },
        Environment = new EnvironmentInfo
        {
            CpuModel = "Synthetic CPU @ 3.0GHz", Cores = 2, Os = "Linux", DotnetVersion = ".NET 10.0.0",
            GcServer = false, GcConcurrent = true, Backend = "libsodium", Cipher = "chacha20poly1305",
            GitCommit = "0123456789abcdef0123456789abcdef01234567", MemoryBytes = 8_000_000_000,
        },
        StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Metrics = new LoadMetrics
        {
            SealUs = Latency(3, 8, 20),
            OpenUs = Latency(3, 9, 21),
            EndToEndUs = Latency(200, p99, 2_000),
            GeneratorLagUs = Latency(1, 5, 40),
            Sent = 600_000, Accepted = 600_000, Delivered = 599_990, Rejected = 0, Lost = 10, ThroughputMsgsPerS = 19_999.7,
        },
        FindMax = new FindMax
        {
            Slo = new Slo { Percentile = "p99", ThresholdUs = 50_000 },
            Steps =
            [
                new FindMaxStep { Rate = 20_000, DeliveredRate = 20_000, P50Us = 200, P99Us = 900, P999Us = 2_000, Passed = true },
                new FindMaxStep { Rate = maxRate, DeliveredRate = maxRate, P50Us = 400, P99Us = 30_000, P999Us = 45_000, Passed = true, TargetCores = 2, TargetCpuUsPerMessage = 50 },
                new FindMaxStep { Rate = maxRate * 1.5, DeliveredRate = maxRate * 1.1, P50Us = 9_000, P99Us = 400_000, P999Us = 900_000, Passed = false },
            ],
            MaxSustainableRate = maxRate,
            StopReason = "p99 400000 us over the 50000 us limit",
            GeneratorBound = false,
        },
        // 2 cores at 40,000 msg/s: 50 µs per message, 20,000 msg/s per core.
        Target = new TargetUsage { Process = "perf relay", CoresUsed = 2, CpuUsPerMessage = 50, IdleConnections = 10_000, MemoryPerConnectionBytes = 20_000 },
        Generator = new GeneratorUsage { CoresUsed = 1.5, CpuUsPerMessage = 37.5 },
    };

    /// <summary>The same result as an older file wrote it: a relay section instead of target and generator.</summary>
    public static PerfResult Legacy() => Load() with
    {
        Target = null,
        Generator = null,
        Relay = new RelayUsage { MemoryPerConnectionBytes = 20_000, CoresUsed = 2 },
    };

    /// <summary>
    /// A 30-minute soak of the relay: one series entry a minute (memory growing 0.1 MB a minute
    /// from 300 MB, p99 rising 10 µs a minute from 900 µs), its slopes, a passed verdict, churn, slow
    /// consumers and vanishing clients, and a handshake flood beside it with its baseline.
    /// </summary>
    public static PerfResult Soak()
    {
        var series = new SeriesEntry[30];
        for (var i = 0; i < series.Length; i++)
        {
            series[i] = new SeriesEntry
            {
                Index = i, StartS = i * 60, Seconds = 60, Sent = 300_000, Delivered = 300_000, Rejected = 0, Lost = 0,
                Count = 300_000, P50Us = 200, P99Us = 900 + (10 * i), P999Us = 2_000, MaxUs = 9_000,
                RssBytes = 300_000_000 + (100_000L * i), GcHeapBytes = 40_000_000, Handles = 10_250, Gen2Collections = i % 3 == 0 ? 1 : 0, GcPauseMs = 2.5, MailboxDepth = 12,
            };
        }

        var counts = new HandshakeFloodCounts { Attempted = 300_000, Refused = 299_000, Answered = 900, Unanswered = 100, Failed = 0, Skipped = 0 };
        return Load() with
        {
            FindMax = null,
            Scenario = Load().Scenario with { Connections = 100, Rate = 5_000, DurationS = 1800 },
            Series = series,
            SeriesSlopes = new SeriesSlopes { FromS = 300, Points = 26, RssBytes = 6_000_000, RssPercent = 2, GcHeapBytes = 0, GcHeapPercent = 0, Handles = 0, Gen2Collections = 0, GcPauseMs = 0, P99Us = 600, Delivered = 0, Lost = 0 },
            Soak = new SoakVerdict { Passed = true, Failures = [], MaxRssPercentPerHour = 5, MaxP99Ratio = 1.5, RssPercentPerHour = 2, WindowS = 300, FirstP99Us = 920, LastP99Us = 1_170, Lost = 0 },
            Behaviours = new ClientBehaviourRun
            {
                Churn = new ChurnRun
                {
                    PercentPerMinute = 10, AwayS = 0,
                    Load = new ChurnCounts { Clients = 100, Reconnected = 300, Failed = 0 },
                    Idle = new ChurnCounts { Clients = 10_000, Reconnected = 30_000, Failed = 0 },
                },
                SlowConsumers = new SlowConsumerRun
                {
                    Percent = 5, BytesPerS = 4096, HeldByRelayAtEnd = 50_000,
                    Slow = new RecipientClassRun { Connections = 5, Sent = 450_000, Delivered = 200_000, Rejected = 200_000, Undelivered = 50_000, EndToEndUs = Latency(90_000_000, 300_000_000, 310_000_000) },
                    Others = new RecipientClassRun { Connections = 95, Sent = 8_550_000, Delivered = 8_550_000, Rejected = 0, Undelivered = 0, EndToEndUs = Latency(200, 900, 2_000) },
                },
                Vanishing = new VanishingRun { PercentPerMinute = 1, Vanished = 3_000, Reclaimed = 2_500, Returned = 2_500, Unreclaimed = 500, MinReclaimS = 300.2, MaxReclaimS = 301.5 },
            },
            // The same run without the flood went first (--handshake-flood-baseline): all delivered, p99 900 µs.
            HandshakeFlood = new HandshakeFloodRun { RatePerSecond = 5_000, Kinds = "both", Source = "127.0.0.254", Seconds = 60, Garbage = counts, Abandoned = counts }
                .WithBaseline(Load().Metrics with { Sent = 9_000_000, Delivered = 9_000_000, Lost = 0, EndToEndUs = Latency(200, 900, 2_000) }, Load().Metrics with { Sent = 9_000_000, Delivered = 8_955_000, Lost = 45_000, EndToEndUs = Latency(250, 1_350, 3_000) }),
        };
    }
}
