using Perf.Load.K6;
using Perf.Results;

namespace Perf.Load.Tests.K6;

/// <summary>Results a k6 runner printed between markers come back out of its log exactly, or the log is refused by line.</summary>
public sealed class K6ResultExtractorTests
{
    private const string Result = """
        {
         "schema": "perf-result/1", "kind": "load", "tool": "k6", "command": "k6 run relay-ws.js",
         "scenario": { "target": "relay-ws", "connections": 2, "rate": 100, "size": 256, "duration_s": 3, "warmup_s": 1, "arrival": "constant", "cipher": "aes-256-gcm", "backend": "k6-webcrypto" },
         "environment": { "backend": "k6-webcrypto", "cipher": "aes-256-gcm" },
         "started_at": "2026-12-01T10:00:00.000Z",
         "shard": { "index": SHARD, "count": 2, "start_time": "2026-12-01T09:59:59.000Z" },
         "metrics": {
          "end_to_end_us": { "count": 3, "mean": 1000, "p50": 1000, "p90": 1000, "p99": 1000, "p999": 1000, "p9999": 1000, "max": 1000,
           "histogram": [
            [1007, 3]
           ] },
          "sent": 3, "accepted": 3, "delivered": 3, "rejected": 0, "lost": 0, "unsent": 0, "throughput_msgs_per_s": 1
         }
        }
        """;

    private static string Log(params int[] shards) =>
        "time=\"...\" level=info msg=\"starting\"\n" + string.Concat(shards.Select(s => $"  summary line\n{K6ResultExtractor.Begin}\n{Result.Replace("SHARD", s.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}\n{K6ResultExtractor.End}\n"));

    [Fact]
    public void Reads_every_result_between_the_markers()
    {
        var results = K6ResultExtractor.Extract(Log(0, 1), "runner.log");

        Assert.Equal([0, 1], results.Select(r => r.Shard!.Index));
        Assert.Equal([1007L, 3L], results[0].Metrics.EndToEndUs!.Histogram![0]);
        Assert.Equal("k6-result-shard-1-of-2.json", K6ResultExtractor.FileName(results[1], 2));
        Assert.Empty(K6ResultExtractor.Extract("no results here\n", "other.log"));
    }

    [Fact]
    public void Refuses_a_cut_log_or_a_broken_result_naming_where()
    {
        var cut = Log(0)[..^(K6ResultExtractor.End.Length + 2)];
        Assert.Contains("runner.log: line 3: a result begins and never ends", Assert.Throws<BadInputException>(() => K6ResultExtractor.Extract(cut, "runner.log")).Message, StringComparison.Ordinal);

        var broken = Log(0).Replace("\"sent\": 3", "\"sent\": -3", StringComparison.Ordinal);
        Assert.Contains("runner.log: line 4: not a valid perf-result/1 file: metrics counters must not be negative", Assert.Throws<BadInputException>(() => K6ResultExtractor.Extract(broken, "runner.log")).Message, StringComparison.Ordinal);
    }
}
