using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>A k6 runner's result as the script writes it: tool k6, one shard of a run, its end-to-end histogram inside as [value µs, count] pairs.</summary>
internal static class K6ShardFixture
{
    public static PerfResult Result(int index, int count, params long[][] histogram)
    {
        var delivered = histogram.Sum(p => p[1]);
        var fixture = ResultFixture.Load();
        return fixture with
        {
            Tool = "k6",
            FindMax = null,
            Target = null,
            Generator = null,
            Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" },
            Scenario = fixture.Scenario with { Target = "relay-ws", Connections = 2, Rate = 100 },
            Shard = new ShardInfo { Index = index, Count = count, StartTime = fixture.StartedAt },
            Metrics = new LoadMetrics
            {
                EndToEndUs = new LatencyMetric { Count = delivered, Mean = 1, P50 = 1, P90 = 1, P99 = 1, P999 = 1, P9999 = 1, Max = 1, Histogram = histogram },
                Sent = delivered, Accepted = delivered, Delivered = delivered, Rejected = 0, Lost = 0, ThroughputMsgsPerS = delivered / 30.0,
            },
        };
    }
}
