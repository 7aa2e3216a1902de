using System.Text.Json;
using Perf.Results.Model;

namespace Perf.Results.Files;

/// <summary>Reads and writes <c>perf-result/1</c> JSON files.</summary>
public static class ResultFile
{
    private static readonly string[] Tools = ["perf", "k6"];
    private static readonly string[] Arrivals = ["constant", "poisson"];
    private static readonly string[] Percentiles = ["p50", "p90", "p99", "p999", "p9999"];

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> (indented UTF-8 JSON), after checking it is valid.</summary>
    /// <exception cref="BadInputException">When the result breaks the schema's rules.</exception>
    public static void Write(string path, PerfResult result)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(result);
        Validate(result, path);
        File.WriteAllText(path, ToJson(result) + "\n");
    }

    /// <summary>Serialises a result to indented JSON.</summary>
    public static string ToJson(PerfResult result) => JsonSerializer.Serialize(result, ResultJsonContext.Default.PerfResult);

    /// <summary>Reads and validates a result file.</summary>
    /// <exception cref="BadInputException">When the file is missing, not JSON, or not a valid <c>perf-result/1</c> file.</exception>
    public static PerfResult Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates result JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="BadInputException">When the text is not a valid <c>perf-result/1</c> document.</exception>
    public static PerfResult Parse(string json, string source)
    {
        PerfResult? result;
        try
        {
            result = JsonSerializer.Deserialize(json, ResultJsonContext.Default.PerfResult);
        }
        catch (JsonException e)
        {
            // The reader's own messages name the path; a converter's message does not.
            var where = e.Path is { } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : string.Empty;
            throw new BadInputException($"{source}: not a perf-result/1 file: {OneLine(e.Message)}{where}", e);
        }

        if (result is null) throw new BadInputException($"{source}: not a perf-result/1 file: the document is null");
        Validate(result, source);
        return result;
    }

    /// <summary>True when the JSON text declares <c>"schema": "perf-result/1"</c> at its top level (cheap sniffing for folders).</summary>
    public static bool LooksLikeResult(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("schema", out var schema)
                && schema.ValueKind == JsonValueKind.String
                && schema.GetString() == PerfResult.SchemaId;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Validate(PerfResult r, string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new BadInputException($"{source}: not a valid perf-result/1 file: {what}");
        }

        // A value quoted back in a one-line message: its control characters escaped (a "\n" in
        // the file's string is a real line break once parsed).
        static string Shown(string? value)
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

        Require(r.Schema == PerfResult.SchemaId, $"schema is '{Shown(r.Schema)}', expected '{PerfResult.SchemaId}'");
        Require(r.Kind == PerfResult.LoadKind, $"kind is '{Shown(r.Kind)}', expected '{PerfResult.LoadKind}'");
        Require(Tools.Contains(r.Tool), $"tool is '{Shown(r.Tool)}', expected perf or k6");
        Require(Arrivals.Contains(r.Scenario.Arrival), $"scenario.arrival is '{Shown(r.Scenario.Arrival)}', expected constant or poisson");
        Require(r.Scenario.Connections > 0, "scenario.connections must be positive");
        Require(r.Scenario.Rate > 0, "scenario.rate must be positive");
        Require(r.Scenario.Size >= 0, "scenario.size must not be negative");
        Require(r.Scenario.DurationS > 0, "scenario.duration_s must be positive");
        Require(r.Scenario.WarmupS >= 0, "scenario.warmup_s must not be negative");
        Require(r.Environment.Cores is null or > 0, "environment.cores must be positive");
        if (r.Tool == "perf")
        {
            var e = r.Environment;
            Require(e.CpuModel is not null && e.Cores is not null && e.Os is not null && e.DotnetVersion is not null && e.GcServer is not null && e.GcConcurrent is not null,
                "environment must record cpu_model, cores, os, dotnet_version, gc_server and gc_concurrent (tool perf)");
        }
        var m = r.Metrics;
        Require(m.Sent >= 0 && m.Accepted >= 0 && m.Delivered >= 0 && m.Rejected >= 0 && m.Lost >= 0, "metrics counters must not be negative");
        Require(m.ThroughputMsgsPerS >= 0, "metrics.throughput_msgs_per_s must not be negative");
        foreach (var (name, metric) in m.Latencies())
        {
            Require(metric.Count >= 0 && metric.Mean >= 0 && metric.P50 >= 0 && metric.Max >= 0, $"metrics.{name} values must not be negative");
        }

        if (r.FindMax is { } findMax)
        {
            Require(Percentiles.Contains(findMax.Slo.Percentile), $"find_max.slo.percentile is '{Shown(findMax.Slo.Percentile)}'");
            Require(findMax.Slo.ThresholdUs > 0, "find_max.slo.threshold_us must be positive");
            Require(findMax.MaxSustainableRate >= 0, "find_max.max_sustainable_rate must not be negative");
        }

        if (r.Relay is { } relay)
        {
            Require(relay.MemoryPerConnectionBytes >= 0, "relay.memory_per_connection_bytes must not be negative");
            Require(relay.CoresUsed > 0, "relay.cores_used must be positive");
        }

        if (r.Target is { } target)
        {
            Require(target.Process.Length > 0, "target.process must name the process");
            Require(target.CoresUsed >= 0 && target.CpuUsPerMessage is null or >= 0, "target.cores_used and target.cpu_us_per_message must not be negative");
            Require(target.IdleConnections is null or >= 0 && target.MemoryPerConnectionBytes is null or >= 0, "target.idle_connections and target.memory_per_connection_bytes must not be negative");
            Require(target.ReconnectStorm is null or { Clients: >= 0, InFlight: > 0, Seconds: >= 0, HandshakesPerS: >= 0, Failed: >= 0 }, "target.reconnect_storm values must not be negative");
        }

        if (r.Store is { } store)
        {
            Require(store.Process.Length > 0, "store.process must name the process");
            Require(store.CoresUsed >= 0 && store.CpuUsPerMessage is null or >= 0, "store.cores_used and store.cpu_us_per_message must not be negative");
        }

        if (r.Generator is { } generator)
        {
            Require(generator.CoresUsed >= 0 && generator.CpuUsPerMessage is null or >= 0, "generator.cores_used and generator.cpu_us_per_message must not be negative");
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
