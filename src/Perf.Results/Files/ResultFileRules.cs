using Perf.Results.Model;

namespace Perf.Results.Files;

/// <summary>
/// The rules a <c>perf-result/1</c> document must keep beyond its JSON shape, one method per
/// section of the file: what is there, what was run, where, what was measured, and what the
/// processes used. The first broken rule is reported as a one-line bad-input message.
/// </summary>
internal static class ResultFileRules
{
    private static readonly string[] Tools = ["perf", "k6"];
    private static readonly string[] Arrivals = ["constant", "poisson"];
    private static readonly string[] Percentiles = ["p50", "p90", "p99", "p999", "p9999"];

    /// <summary>Checks every rule; <paramref name="source"/> names the document in the message.</summary>
    /// <exception cref="BadInputException">At the first rule the result breaks.</exception>
    public static void Check(PerfResult result, string source)
    {
        var rules = new Rules(source);
        Header(result, rules);
        Scenario(result.Scenario, rules);
        Environment(result, rules);
        Metrics(result.Metrics, rules);
        FindMax(result.FindMax, rules);
        Usage(result, rules);
        Shards(result, rules);
        Series(result, rules);
    }

    private static void Header(PerfResult r, Rules rules)
    {
        rules.Require(r.Schema == PerfResult.SchemaId, $"schema is '{Shown(r.Schema)}', expected '{PerfResult.SchemaId}'");
        rules.Require(r.Kind == PerfResult.LoadKind, $"kind is '{Shown(r.Kind)}', expected '{PerfResult.LoadKind}'");
        rules.Require(Tools.Contains(r.Tool), $"tool is '{Shown(r.Tool)}', expected perf or k6");
    }

    private static void Scenario(Scenario s, Rules rules)
    {
        rules.Require(Arrivals.Contains(s.Arrival), $"scenario.arrival is '{Shown(s.Arrival)}', expected constant or poisson");
        rules.Require(s.Connections > 0, "scenario.connections must be positive");
        rules.Require(s.Rate > 0, "scenario.rate must be positive");
        rules.Require(s.Size >= 0, "scenario.size must not be negative");
        rules.Require(s.DurationS > 0, "scenario.duration_s must be positive");
        rules.Require(s.WarmupS >= 0, "scenario.warmup_s must not be negative");
        if (s.Network is { } network)
        {
            rules.Require(network.Profile.Length > 0 && network.Seed >= 0, "scenario.network must record its profile and a non-negative seed");
            rules.Require(Link(network.Up) && Link(network.Down), "scenario.network.up and .down must have non-negative times, a loss from 0 to below 1 and a positive bandwidth when one is given");
        }
    }

    private static bool Link(LinkConditions link) =>
        link.LatencyUs >= 0 && link.JitterUs >= 0 && link.RetransmitUs >= 0 && link.Loss is >= 0 and < 1 && link.BandwidthBitsPerS is null or > 0;

    // A merged file keeps each shard's machine in shards[]; its own environment holds what they share.
    private static void Environment(PerfResult r, Rules rules)
    {
        rules.Require(r.Environment.Cores is null or > 0, "environment.cores must be positive");
        if (r.Tool == "perf" && r.Shards is null)
        {
            rules.Require(RecordsMachine(r.Environment), "environment must record cpu_model, cores, os, dotnet_version, gc_server and gc_concurrent (tool perf)");
        }
    }

    private static bool RecordsMachine(EnvironmentInfo e) =>
        e.CpuModel is not null && e.Cores is not null && e.Os is not null && e.DotnetVersion is not null && e.GcServer is not null && e.GcConcurrent is not null;

    private static void Metrics(LoadMetrics m, Rules rules)
    {
        rules.Require(m.Sent >= 0 && m.Accepted >= 0 && m.Delivered >= 0 && m.Rejected >= 0 && m.Lost >= 0 && m.Unsent is null or >= 0 && m.Errors is null or >= 0 && (m.ErrorsByReason is null || !m.ErrorsByReason.Values.Any(count => count < 0)), "metrics counters must not be negative");
        rules.Require(m.ThroughputMsgsPerS >= 0, "metrics.throughput_msgs_per_s must not be negative");
        foreach (var (name, metric) in m.Latencies())
        {
            rules.Require(metric.Count >= 0 && metric.Mean >= 0 && metric.P50 >= 0 && metric.Max >= 0, $"metrics.{name} values must not be negative");
            if (metric.Histogram is { } histogram)
            {
                Histogram(name, histogram, metric.Count, rules);
            }
        }
    }

    // [value, count] pairs, values ascending, counts adding up to the metric's count.
    private static void Histogram(string name, IReadOnlyList<long[]> histogram, long count, Rules rules)
    {
        long previous = -1;
        long total = 0;
        foreach (var bucket in histogram)
        {
            rules.Require(bucket.Length == 2 && bucket[0] > previous && bucket[1] > 0, $"metrics.{name}.histogram must hold [value, count] pairs with values ascending and counts positive");
            previous = bucket[0];
            total += bucket[1];
        }

        rules.Require(total == count, $"metrics.{name}.histogram holds {total} values, metrics.{name}.count says {count}");
    }

    private static void FindMax(FindMax? findMax, Rules rules)
    {
        if (findMax is null)
        {
            return;
        }

        rules.Require(Percentiles.Contains(findMax.Slo.Percentile), $"find_max.slo.percentile is '{Shown(findMax.Slo.Percentile)}'");
        rules.Require(findMax.Slo.ThresholdUs > 0, "find_max.slo.threshold_us must be positive");
        rules.Require(findMax.MaxSustainableRate >= 0, "find_max.max_sustainable_rate must not be negative");
    }

    // What the target (or, in older files, the relay), its store and the generator used.
    private static void Usage(PerfResult r, Rules rules)
    {
        if (r.Relay is { } relay)
        {
            rules.Require(relay.MemoryPerConnectionBytes >= 0, "relay.memory_per_connection_bytes must not be negative");
            rules.Require(relay.CoresUsed > 0, "relay.cores_used must be positive");
        }

        if (r.Target is { } target)
        {
            rules.Require(target.Process.Length > 0, "target.process must name the process");
            rules.Require(target.CoresUsed >= 0 && target.CpuUsPerMessage is null or >= 0, "target.cores_used and target.cpu_us_per_message must not be negative");
            rules.Require(target.IdleConnections is null or >= 0 && target.MemoryPerConnectionBytes is null or >= 0, "target.idle_connections and target.memory_per_connection_bytes must not be negative");
            rules.Require(target.ReconnectStorm is null or { Clients: >= 0, InFlight: > 0, Seconds: >= 0, HandshakesPerS: >= 0, Failed: >= 0 }, "target.reconnect_storm values must not be negative");
        }

        if (r.Store is { } store)
        {
            rules.Require(store.Process.Length > 0, "store.process must name the process");
            rules.Require(store.CoresUsed >= 0 && store.CpuUsPerMessage is null or >= 0, "store.cores_used and store.cpu_us_per_message must not be negative");
        }

        if (r.Generator is { } generator)
        {
            rules.Require(generator.CoresUsed >= 0 && generator.CpuUsPerMessage is null or >= 0, "generator.cores_used and generator.cpu_us_per_message must not be negative");
        }

        PlanningFigures(r.Target, "target", rules);
        PlanningFigures(r.Store, "store", rules);
        PlanningFigures(r.Cluster?.Nats, "cluster.nats", rules);
    }

    // What perf capacity plans from beside CPU per message: kernel and resident memory, a keep-alive's CPU, held messages.
    private static void PlanningFigures(TargetUsage? usage, string section, Rules rules)
    {
        if (usage is null)
        {
            return;
        }

        rules.Require(usage.KernelMemoryPerConnectionBytes is null or >= 0 && usage.ResidentBytes is null or >= 0 && usage.CpuUsPerKeepAlive is null or >= 0,
            $"{section}.kernel_memory_per_connection_bytes, resident_bytes and cpu_us_per_keep_alive must not be negative");
        rules.Require(usage.HeldMessages is null or { Messages: >= 0, MemoryPerMessageBytes: >= 0, DiskPerMessageBytes: null or >= 0 }, $"{section}.held_messages values must not be negative");
    }

    private static void Shards(PerfResult r, Rules rules)
    {
        if (r.Shard is { } shard)
        {
            rules.Require(shard.Count >= 1 && shard.Index >= 0 && shard.Index < shard.Count, $"shard.index must be 0 to shard.count - 1; got {shard.Index} of {shard.Count}");
            rules.Require(shard.TotalConnections is null || shard.TotalConnections >= r.Scenario.Connections, "shard.total_connections must be at least scenario.connections (the shard's slice)");
            rules.Require(shard.TotalRate is null || shard.TotalRate >= r.Scenario.Rate * (1 - 1e-9), "shard.total_rate must be at least scenario.rate (the shard's slice)");
        }

        if (r.Shards is { } shards)
        {
            rules.Require(shards.Count > 0 && r.Shard is null, "shards must list the merged shards, and a merged file is not itself a shard");
            foreach (var merged in shards)
            {
                rules.Require(r.Tool != "perf" || RecordsMachine(merged.Environment), $"shards[{merged.Index}].environment must record cpu_model, cores, os, dotnet_version, gc_server and gc_concurrent (tool perf)");
            }
        }
    }

    // The per-minute series, its slopes and the soak verdict: counts and latencies not negative,
    // every entry a positive length, a slope of at least two points, and a verdict that says why it failed.
    private static void Series(PerfResult r, Rules rules)
    {
        if (r.Series is { } series)
        {
            foreach (var e in series)
            {
                rules.Require(e.Index >= 0 && e.StartS >= 0 && e.Seconds > 0, $"series[{e.Index}] must start at or after 0 and last a positive time");
                rules.Require(e.Sent >= 0 && e.Delivered >= 0 && e.Rejected >= 0 && e.Lost >= 0 && e.Count >= 0, $"series[{e.Index}] counters must not be negative");
                rules.Require(e.P50Us >= 0 && e.P99Us >= 0 && e.P999Us >= 0 && e.MaxUs >= 0, $"series[{e.Index}] latencies must not be negative");
                rules.Require(e.RssBytes is null or >= 0 && e.GcHeapBytes is null or >= 0 && e.Handles is null or >= 0 && e.Gen2Collections is null or >= 0 && e.GcPauseMs is null or >= 0 && e.MailboxDepth is null or >= 0, $"series[{e.Index}] process figures must not be negative");
            }
        }

        rules.Require(r.SeriesSlopes is null or { Points: >= 2, FromS: >= 0 }, "series_slopes must fit at least two points from a time at or after 0");
        if (r.Soak is { } soak)
        {
            rules.Require(soak.Passed == (soak.Failures.Count == 0), "soak.passed must be true exactly when soak.failures is empty");
            rules.Require(soak.WindowS > 0 && soak.MaxP99Ratio >= 1 && soak.MaxRssPercentPerHour >= 0 && soak.Lost >= 0 && soak.FirstP99Us >= 0 && soak.LastP99Us >= 0, "soak bounds, window and readings must be in range");
        }

        if (r.HandshakeFlood is { } flood)
        {
            rules.Require(flood.RatePerSecond > 0 && flood.Seconds >= 0, "handshake_flood.rate_per_second must be positive");
            rules.Require(flood is { Cores: null or >= 0, AchievedPerSecond: null or >= 0 }, "handshake_flood.cores and achieved_per_second must not be negative");
            foreach (var (kind, c) in new[] { ("garbage", flood.Garbage), ("abandoned", flood.Abandoned) })
            {
                rules.Require(c.Attempted >= 0 && c.Refused >= 0 && c.Answered >= 0 && c.Unanswered >= 0 && c.Failed >= 0 && c.Skipped >= 0, $"handshake_flood.{kind} counts must not be negative");
            }

            rules.Require((flood.Baseline is null) == (flood.Flooded is null), "handshake_flood.baseline and handshake_flood.flooded come together");
            rules.Require(flood.Pairs is null || (flood.Baseline is not null && flood.Pairs.Count > 0 && flood.Pairs[^1].Baseline == flood.Baseline && flood.Pairs[^1].Flooded == flood.Flooded),
                "handshake_flood.pairs needs baseline and flooded, which are its last pair");
            RequireClients("baseline", flood.Baseline);
            RequireClients("flooded", flood.Flooded);
            for (var i = 0; i < (flood.Pairs?.Count ?? 0); i++)
            {
                RequireClients($"pairs[{i}].baseline", flood.Pairs![i].Baseline);
                RequireClients($"pairs[{i}].flooded", flood.Pairs[i].Flooded);
            }

            void RequireClients(string part, FloodClients? clients) =>
                rules.Require(clients is null || (clients is { Sent: >= 0, Lost: >= 0, DeliveredPercent: >= 0 and <= 100, P99Us: null or >= 0, GeneratorLagP99Us: null or >= 0, GeneratorCores: null or >= 0, TargetCores: null or >= 0 } && clients.Delivered >= 0 && clients.Delivered <= clients.Sent),
                    $"handshake_flood.{part} counts must not be negative, delivered at most sent, delivered_percent 0-100");
        }
    }

    // A value quoted back in a one-line message: its control characters escaped (a "\n" in
    // the file's string is a real line break once parsed).
    private static string Shown(string? value)
    {
        if (value is null || !value.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            return value ?? string.Empty;
        }

        var shown = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c < ' ')
            {
                shown.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }

    private readonly struct Rules(string source)
    {
        public void Require(bool ok, string what)
        {
            if (!ok) throw new BadInputException($"{source}: not a valid perf-result/1 file: {what}");
        }
    }
}
