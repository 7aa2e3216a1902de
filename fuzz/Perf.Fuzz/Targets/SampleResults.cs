using Perf.Results.Model;

namespace Perf.Fuzz.Targets;

/// <summary>Results for the seed corpus: one with every section, one as small as a k6 run writes.</summary>
internal static class SampleResults
{
    /// <summary>A perf result with every optional section present.</summary>
    public static PerfResult Full()
    {
        var latency = new LatencyMetric { Count = 1000, Mean = 110, P50 = 100, P90 = 150, P99 = 400, P999 = 900, P9999 = 1800, Max = 4000 };
        return K6Minimal() with
        {
            Tool = "perf",
            Command = "perf load --target relay-tcp --rate 1000 --find-max --slo p99=5ms",
            Environment = new EnvironmentInfo
            {
                CpuModel = "cpu", Cores = 2, Os = "Linux", DotnetVersion = ".NET 10", GcServer = false, GcConcurrent = true,
                Backend = "libsodium", Cipher = "aes-256-gcm", GitCommit = new string('a', 40), MemoryBytes = 1 << 30,
            },
            Metrics = new LoadMetrics
            {
                SealUs = latency, ForwardUs = latency, OpenUs = latency, EndToEndUs = latency, GeneratorLagUs = latency,
                Sent = 10, Accepted = 10, Delivered = 9, Rejected = 0, Lost = 1, ThroughputMsgsPerS = 999.5,
            },
            FindMax = new FindMax
            {
                Slo = new Slo { Percentile = "p99", ThresholdUs = 5000 },
                Steps = [new FindMaxStep { Rate = 1000, DeliveredRate = 1000, P50Us = 100, P99Us = 400, P999Us = 900, Passed = true, TargetCores = 0.5, TargetCpuUsPerMessage = 500 }],
                MaxSustainableRate = 1000,
                StopReason = "limit",
                GeneratorBound = false,
            },
            Target = new TargetUsage
            {
                Process = "perf relay", Cpus = "1", CoresUsed = 0.5, CpuUsPerMessage = 500, ContextSwitchesPerMessage = 2.5, IdleConnections = 100, MemoryPerConnectionBytes = 9000,
                RuntimeSettings = ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"],
                ReconnectStorm = new ReconnectStorm { Clients = 100, InFlight = 64, Seconds = 0.5, HandshakesPerS = 200, Failed = 0, CpuUsPerHandshake = 900 },
            },
            Generator = new GeneratorUsage { Cpus = "0", CoresUsed = 0.3, CpuUsPerMessage = 300, ContextSwitchesPerMessage = 1, MemoryPerIdleConnectionBytes = 4000 },
        };
    }

    /// <summary>A k6 result: only the required fields.</summary>
    public static PerfResult K6Minimal() => new()
    {
        Tool = "k6",
        Command = "k6 run relay.js",
        Scenario = new Scenario { Target = "relay-ws", Connections = 2, Rate = 100, Size = 64, DurationS = 1, WarmupS = 0, Arrival = "constant", Cipher = "aes-256-gcm", Backend = "webcrypto" },
        Environment = new EnvironmentInfo { Backend = "webcrypto", Cipher = "aes-256-gcm" },
        StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Metrics = new LoadMetrics { Sent = 1, Accepted = 1, Delivered = 1, Rejected = 0, Lost = 0, ThroughputMsgsPerS = 1 },
    };
}
