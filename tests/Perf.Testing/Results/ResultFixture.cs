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
            StopReason = "p99 400000 µs over the 50000 µs limit",
            GeneratorBound = false,
        },
        // 2 cores at 40,000 msg/s: 50 µs per message, 20,000 msg/s per core.
        Target = new TargetUsage { Process = "perf relay", CoresUsed = 2, CpuUsPerMessage = 50, IdleConnections = 10_000, MemoryPerConnectionBytes = 20_000 },
        Generator = new GeneratorUsage { CoresUsed = 1.5, CpuUsPerMessage = 37.5 },
    };

    /// <summary>
    /// A pinned relay-tcp find-max as capacity planning wants one (target on CPU 1, generator on
    /// CPU 0, 19,000 idle connections, a reconnect storm), measured on a 2-core machine with 24 GiB.
    /// The target section is the fastest passing step's (0.98 of its core, 17 µs per message); the
    /// 16,875 msgs/s step ran it 64 % full at 38 µs per message.
    /// </summary>
    public static PerfResult Pinned() => Load() with
    {
        Command = "perf load --target relay-tcp --target-process --target-cpus 1 --generator-cpus 0 --connections 20 --rate 5000 --size 256 --find-max --slo p99=50ms --idle-connections 19000 --reconnect-storm 19000",
        Environment = Load().Environment with { MemoryBytes = 24L << 30, MaxOpenFiles = 20_000 },
        FindMax = new FindMax
        {
            Slo = new Slo { Percentile = "p99", ThresholdUs = 50_000 },
            Steps =
            [
                new FindMaxStep { Rate = 5_000, DeliveredRate = 5_000, P50Us = 100, P99Us = 900, P999Us = 2_000, Passed = true, TargetCores = 0.2, TargetCpuUsPerMessage = 40 },
                new FindMaxStep { Rate = 16_875, DeliveredRate = 16_875, P50Us = 150, P99Us = 1_500, P999Us = 3_000, Passed = true, TargetCores = 0.64, TargetCpuUsPerMessage = 38 },
                new FindMaxStep { Rate = 56_953, DeliveredRate = 56_953, P50Us = 400, P99Us = 4_000, P999Us = 20_000, Passed = true, TargetCores = 0.98, TargetCpuUsPerMessage = 17 },
                new FindMaxStep { Rate = 85_430, DeliveredRate = 61_000, P50Us = 30_000, P99Us = 90_000, P999Us = 99_000, Passed = false, TargetCores = 1, TargetCpuUsPerMessage = 16.4, Reason = "delivered 61000 msgs/s of 85430 offered" },
            ],
            MaxSustainableRate = 56_953,
            StopReason = "delivered 61000 msgs/s of 85430 offered",
            GeneratorBound = false,
        },
        Target = new TargetUsage
        {
            Process = "perf relay", Cpus = "1", CoresUsed = 0.98, CpuUsPerMessage = 17, IdleConnections = 19_000,
            MemoryPerConnectionBytes = 8_000, KernelMemoryPerConnectionBytes = 3_000, KernelMemorySource = "sockstat+slabinfo",
            ResidentBytes = 300_000_000, CpuUsPerKeepAlive = 20,
            ReconnectStorm = new ReconnectStorm { Clients = 19_000, InFlight = 256, Seconds = 9.5, HandshakesPerS = 2_000, Failed = 0, CpuUsPerHandshake = 450 },
        },
        Generator = new GeneratorUsage { Cpus = "0", CoresUsed = 0.9, CpuUsPerMessage = 15.8 },
    };

    /// <summary>
    /// A relay-cluster run (3 relays, 3 NATS nodes, 3 replicas) at 2,000 msgs/s with 5,000 idle
    /// connections and 10,000 held messages: relays 250 µs and NATS 200 µs of CPU per message.
    /// </summary>
    public static PerfResult Cluster() => Load(p99: 9_700) with
    {
        Command = "perf load --target relay-cluster --relay-nodes 3 --nats-nodes 3 --rate 2000 --idle-connections 5000 --held-messages 10000",
        Scenario = Load().Scenario with { Target = "relay-cluster", Rate = 2_000, Connections = 20 },
        FindMax = null,
        Target = new TargetUsage
        {
            Process = "perf relay x3", CoresUsed = 0.5, CpuUsPerMessage = 250, IdleConnections = 5_000,
            MemoryPerConnectionBytes = 10_000, KernelMemoryPerConnectionBytes = 3_000, KernelMemorySource = "sockstat", ResidentBytes = 400_000_000, CpuUsPerKeepAlive = 30,
        },
        Generator = new GeneratorUsage { CoresUsed = 0.3, CpuUsPerMessage = 150 },
        Cluster = new ClusterRun
        {
            RelayNodes = 3, NatsNodes = 3, StoreReplicas = 3, Faults = [],
            Nats = new TargetUsage
            {
                Process = "nats-server x3", CoresUsed = 0.4, CpuUsPerMessage = 200, IdleConnections = 5_000, MemoryPerConnectionBytes = 600, ResidentBytes = 300_000_000,
                HeldMessages = new HeldMessages { Messages = 10_000, MemoryPerMessageBytes = 150, DiskPerMessageBytes = 420 },
            },
            Reconnects = 0, Resent = 0, RetriedRejections = 0, RelayIdDuplicates = 0, ReplayDuplicates = 0, Unanswered = 0,
        },
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
            Metrics = Load().Metrics with { Errors = 3, ErrorsByReason = new Dictionary<string, long> { ["authentication_failed"] = 1, ["too_far_ahead"] = 2 } },
            Series = series,
            SeriesSlopes = new SeriesSlopes { FromS = 300, WarmupS = 300, BuffersFullS = 60, RssBasis = "full_collections", RssPoints = 9, Points = 26, RssBytes = 6_000_000, RssPercent = 2, GcHeapBytes = 0, GcHeapPercent = 0, Handles = 0, Gen2Collections = 0, GcPauseMs = 0, P99Us = 600, Delivered = 0, Lost = 0 },
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
                    Percent = 5, BytesPerS = 4096, HeldByRelayAtEnd = 50_000, CatchUpS = 120, CaughtUp = false, DeliveredInCatchUp = 150_000,
                    Slow = new RecipientClassRun { Connections = 5, Sent = 450_000, Delivered = 200_000, Rejected = 200_000, Undelivered = 50_000, EndToEndUs = Latency(90_000_000, 300_000_000, 310_000_000) },
                    Others = new RecipientClassRun { Connections = 95, Sent = 8_550_000, Delivered = 8_550_000, Rejected = 0, Undelivered = 0, EndToEndUs = Latency(200, 900, 2_000) },
                },
                Vanishing = new VanishingRun { PercentPerMinute = 1, Vanished = 3_000, Reclaimed = 2_500, Returned = 2_500, Unreclaimed = 500, MinReclaimS = 300.2, MaxReclaimS = 301.5 },
            },
            // The same run without the flood went first (--handshake-flood-baseline): all delivered, p99 900 µs;
            // an earlier pair (--handshake-flood-pairs 2) doubled its p99, so the ratio is the median of 1.5 and 2.
            // The flood ran in its own process beside the generator and reached its rate.
            HandshakeFlood = new HandshakeFloodRun
            {
                RatePerSecond = 5_000, Kinds = "both", Source = "127.0.0.254", Seconds = 60, Garbage = counts, Abandoned = counts,
                RanIn = "perf flood (pid 4242), CPUs 0, SCHED_IDLE", Cores = 0.15, AchievedPerSecond = 4_990, ReachedRate = true,
            }.WithBaseline(
                FloodClients.Of(Load().Metrics with { Sent = 9_000_000, Delivered = 9_000_000, Lost = 0, EndToEndUs = Latency(200, 900, 2_000) }, targetCores: 0.5, generatorCores: 0.8),
                FloodClients.Of(Load().Metrics with { Sent = 9_000_000, Delivered = 8_955_000, Lost = 45_000, EndToEndUs = Latency(250, 1_350, 3_000) }, targetCores: 0.9, generatorCores: 0.8))
            .WithEarlierPairs(
            [
                // --handshake-flood-pairs 2: one pair before, the flood first; its p99 went 1,000 -> 2,000 µs.
                new FloodPair
                {
                    FloodFirst = true,
                    Baseline = FloodClients.Of(Load().Metrics with { Sent = 9_000_000, Delivered = 9_000_000, Lost = 0, EndToEndUs = Latency(200, 1_000, 2_000) }),
                    Flooded = FloodClients.Of(Load().Metrics with { Sent = 9_000_000, Delivered = 9_000_000, Lost = 0, EndToEndUs = Latency(250, 2_000, 3_000) }),
                },
            ]),
        };
    }
}
