using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>The report's tables as rows of cells, shared by the HTML and Markdown writers.</summary>
public static class RunReportTables
{
    /// <summary>A table: a caption-less header and rows.</summary>
    /// <param name="Header">Column names.</param>
    /// <param name="Rows">Cells per row.</param>
    public sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

    /// <summary>The environment of the first load result.</summary>
    public static Table? Environment(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var e = data.Loads[0].Result.Environment;
        return new Table(["property", "value"],
        [
            ["tool", data.Loads[0].Result.Tool],
            ["CPU", e.CpuModel ?? "-"], ["cores", e.Cores is { } cores ? N(cores) : "-"], ["OS", e.Os ?? "-"], [".NET", e.DotnetVersion ?? "-"],
            ["GC", e.GcServer is { } server && e.GcConcurrent is { } concurrent ? $"{(server ? "server" : "workstation")}, {(concurrent ? "concurrent" : "non-concurrent")}" : "-"],
            ["backend", e.Backend], ["cipher", e.Cipher], ["git commit", e.GitCommit ?? "-"],
        ]);
    }

    /// <summary>What every load run was: its target and where it ran, connections, message size, the load offered and for how long.</summary>
    public static Table? Scenario(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            var r = load.Result;
            var idle = r.TargetOrRelay()?.IdleConnections is { } held ? N(held) : "-";
            rows.Add([RunDescription.Label(load), N(r.Scenario.Connections), $"{r.Scenario.Size} B", RunDescription.Load(r), RunDescription.Placement(r), idle, r.Scenario.Network?.Name ?? r.Scenario.Network?.Profile ?? "-"]);
        }

        return new Table(["run", "connections", "size", "load", "target runs as", "idle connections", "network"], rows);
    }

    /// <summary>AEAD seal per algorithm/backend and size, with the ratio to openssl's figure at 16 KiB where recorded.</summary>
    public static Table? Aead(RunReportData data)
    {
        var series = ReportPlots.AeadSeries(data.Benchmarks);
        if (series.Count == 0)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var (cipher, points) in series)
        {
            foreach (var p in points)
            {
                rows.Add([cipher, Size(p.Size), F(p.NanosecondsPerOperation, "F1"), F(p.GigabytesPerSecond, "F3"), VersusOpenSsl(data, cipher, p)]);
            }
        }

        return new Table(["algorithm/backend", "size", "ns/op", "GB/s", "of openssl speed"], rows);
    }

    /// <summary>Every recorded latency histogram of every load run.</summary>
    public static Table? Latency(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            foreach (var (name, m) in load.Result.Metrics.Latencies())
            {
                rows.Add([RunDescription.Label(load), name, N(m.Count), F(m.P50, "F0"), F(m.P90, "F0"), F(m.P99, "F0"), F(m.P999, "F0"), F(m.P9999, "F0"), F(m.Max, "F0")]);
            }
        }

        return new Table(["run", "metric (µs)", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max"], rows);
    }

    /// <summary>
    /// Every run beside the floor: end-to-end latency, the p99 as a multiple of its echo floor's
    /// (<see cref="FloorComparison.FloorOf"/>), and the CPU per message of the target and of the
    /// generator, so no relay figure is read without the harness's own under it. <c>null</c>
    /// without load results.
    /// </summary>
    public static Table? Floor(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var results = Results(data);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            var r = load.Result;
            var e = r.Metrics.EndToEndUs;
            var target = r.TargetOrRelay();
            rows.Add([
                RunDescription.Label(load),
                RunDescription.Placement(r),
                e is null ? "-" : F(e.P50, "F0"), e is null ? "-" : F(e.P99, "F0"), e is null ? "-" : F(e.P999, "F0"),
                r.Scenario.Target == "echo" ? "floor" : FloorComparison.Ratio(results, r) is { } ratio ? F(ratio, "F1") + "×" : "-",
                RunDescription.Cpu(target?.CpuUsPerMessage),
                RunDescription.Cpu(r.Generator?.CpuUsPerMessage),
                target is null ? "-" : F(target.CoresUsed, "F2"),
                RunDescription.ContextSwitches(target?.ContextSwitchesPerMessage),
            ]);
        }

        return new Table(["run", "target runs as", "p50 µs", "p99 µs", "p99.9 µs", "p99 over the echo floor", "target CPU µs/msg", "generator CPU µs/msg", "target cores", "target context switches/msg"], rows);
    }

    /// <summary>
    /// Each target's p99 over the floor across its runs (the rounds of <c>perf load --repeat</c>):
    /// the median ratio with its range, the floors it was measured against, and why a ratio below 1
    /// came out. <c>null</c> without an echo run beside another.
    /// </summary>
    public static Table? FloorSpread(RunReportData data)
    {
        var rows = FloorComparison.Summarize(Results(data));
        if (!rows.Any(row => row.IsFloor) || rows.Count < 2)
        {
            return null;
        }

        var table = new List<IReadOnlyList<string>>();
        foreach (var row in rows)
        {
            table.Add([row.Label, N(row.Runs), row.P99MedianUs is { } p99 ? F(p99, "F0") : "-", row.RatioText,
                row.FloorP99MinUs is { } low ? (row.FloorP99MaxUs > low ? $"{F(low, "F0")}–{F(row.FloorP99MaxUs!.Value, "F0")}" : F(low, "F0")) : "-",
                RunDescription.Cpu(row.CpuUsPerMessageMedian), RunDescription.Cpu(row.GeneratorCpuUsPerMessageMedian), row.Note ?? ""]);
        }

        return new Table(["target", "runs", "p99 µs (median)", "p99 over the floor: median (range)", "floor p99 µs", "target CPU µs/msg (median)", "generator CPU µs/msg (median)", "note"], table);
    }

    private static List<PerfResult> Results(RunReportData data) => data.Loads.Select(l => l.Result).ToList();

    /// <summary>The steps of every saturation search, a failed step as failed (with why) and its latencies as <c>-</c> when it delivered nothing.</summary>
    public static Table? FindMax(RunReportData data)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            if (load.Result.FindMax is not { } search)
            {
                continue;
            }

            var label = RunDescription.Label(load);
            foreach (var s in search.Steps)
            {
                var measured = ReportPlots.HasLatency(s);
                rows.Add([label, F(s.Rate, "F0"), F(s.DeliveredRate, "F0"), measured ? F(s.P50Us, "F0") : "-", measured ? F(s.P99Us, "F0") : "-", measured ? F(s.P999Us, "F0") : "-",
                    s.Cores is { } cores ? F(cores, "F2") : "-", RunDescription.Cpu(s.TargetCpuUsPerMessage), s.Passed ? "yes" : "failed" + (s.Reason is { } why ? $": {why}" : "")]);
            }

            var bound = search.GeneratorBound == true ? " (generator-bound: a lower bound)" : "";
            rows.Add([label, "max sustainable", F(search.MaxSustainableRate, "F0") + bound, "", "", "", "", "", $"{search.Slo.Percentile} ≤ {Units.Micros(search.Slo.ThresholdUs)}"]);
        }

        return rows.Count == 0 ? null : new Table(["run", "offered msgs/s", "delivered msgs/s", "p50 µs", "p99 µs", "p99.9 µs", "target cores", "target CPU µs/msg", "met SLO"], rows);
    }

    /// <summary>Counts and errors of every load run.</summary>
    public static Table? Counts(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            var m = load.Result.Metrics;
            var target = load.Result.TargetOrRelay();
            var storm = target?.ReconnectStorm;
            rows.Add([RunDescription.Label(load), N(m.Sent), RunDescription.CountsAccepted(load.Result.Scenario.Target) ? N(m.Accepted) : "-", N(m.Delivered), N(m.Rejected), N(m.Lost), F(m.ThroughputMsgsPerS, "F0"),
                target is null ? "-" : F(target.CoresUsed, "F2"),
                target?.IdleConnections is { } held ? N(held) : "-",
                target?.MemoryPerConnectionBytes is { } memory ? F(memory / 1024, "F1") : "-",
                storm is null ? "-" : $"{N(storm.Clients - storm.Failed)}/{N(storm.Clients)} in {F(storm.Seconds, "F2")} s ({F(storm.HandshakesPerS, "F0")} handshakes/s)"]);
        }

        return new Table(["run", "sent", "accepted", "delivered", "rejected", "lost", "delivered msgs/s", "target cores", "idle connections held", "target KiB per idle connection", "reconnect storm"], rows);
    }

    private static string VersusOpenSsl(RunReportData data, string cipher, ThroughputPoint point)
    {
        if (point.Size != 16384)
        {
            return "";
        }

        var algorithm = cipher.Split('/')[0];
        foreach (var (name, bytesPerSecond) in data.OpenSslBytesPerSecond)
        {
            if (string.Equals(name.Replace("-", "", StringComparison.Ordinal), algorithm.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            {
                return F(100 * point.GigabytesPerSecond * 1e9 / bytesPerSecond, "F0") + "%";
            }
        }

        return "";
    }

    private static string Size(int size) => size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
