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
                rows.Add([ReportPlots.RunLabel(load.Result), name, N(m.Count), F(m.P50, "F0"), F(m.P90, "F0"), F(m.P99, "F0"), F(m.P999, "F0"), F(m.P9999, "F0"), F(m.Max, "F0")]);
            }
        }

        return new Table(["run", "metric (µs)", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max"], rows);
    }

    /// <summary>
    /// Every run beside the floor: end-to-end latency, the p99 as a multiple of the echo floor's
    /// (the echo run of the same rate, size and connections, else the folder's first echo run),
    /// and the CPU per message of the target and of the generator, so no relay figure is read
    /// without the harness's own under it. <c>null</c> without load results.
    /// </summary>
    public static Table? Floor(RunReportData data)
    {
        if (data.Loads.Count == 0)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            var r = load.Result;
            var e = r.Metrics.EndToEndUs;
            var floor = FloorOf(data, r);
            var target = r.TargetOrRelay();
            rows.Add([
                ReportPlots.RunLabel(r),
                target is null ? "embedded" : target.Process + (target.Cpus is { } cpus ? $" (CPUs {cpus})" : ""),
                e is null ? "-" : F(e.P50, "F0"), e is null ? "-" : F(e.P99, "F0"), e is null ? "-" : F(e.P999, "F0"),
                ReferenceEquals(floor, r) ? "floor" : floor?.Metrics.EndToEndUs is { P99: > 0 } f && e is not null ? F(e.P99 / f.P99, "F1") + "×" : "-",
                target?.CpuUsPerMessage is { } cpu ? F(cpu, "F1") : "-",
                r.Generator?.CpuUsPerMessage is { } generator ? F(generator, "F1") : "-",
                target is null ? "-" : F(target.CoresUsed, "F2"),
                target?.ContextSwitchesPerMessage is { } switches ? F(switches, "F2") : "-",
            ]);
        }

        return new Table(["run", "target runs as", "p50 µs", "p99 µs", "p99.9 µs", "p99 over the echo floor", "target CPU µs/msg", "generator CPU µs/msg", "target cores", "target context switches/msg"], rows);
    }

    private static PerfResult? FloorOf(RunReportData data, PerfResult run)
    {
        PerfResult? any = null;
        foreach (var load in data.Loads)
        {
            var r = load.Result;
            if (r.Scenario.Target != "echo")
            {
                continue;
            }

            any ??= r;
            if (r.Scenario.Rate == run.Scenario.Rate && r.Scenario.Size == run.Scenario.Size && r.Scenario.Connections == run.Scenario.Connections)
            {
                return r;
            }
        }

        return any;
    }

    /// <summary>The steps of every saturation search.</summary>
    public static Table? FindMax(RunReportData data)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            if (load.Result.FindMax is not { } search)
            {
                continue;
            }

            foreach (var s in search.Steps)
            {
                rows.Add([ReportPlots.RunLabel(load.Result), F(s.Rate, "F0"), F(s.DeliveredRate, "F0"), F(s.P50Us, "F0"), F(s.P99Us, "F0"), F(s.P999Us, "F0"),
                    s.Cores is { } cores ? F(cores, "F2") : "-", s.TargetCpuUsPerMessage is { } cpu ? F(cpu, "F1") : "-", s.Passed ? "yes" : "no"]);
            }

            var bound = search.GeneratorBound == true ? " (generator-bound: a lower bound)" : "";
            rows.Add([ReportPlots.RunLabel(load.Result), "max sustainable", F(search.MaxSustainableRate, "F0") + bound, "", "", "", "", "", search.Slo.ToString()]);
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
            rows.Add([ReportPlots.RunLabel(load.Result), N(m.Sent), N(m.Accepted), N(m.Delivered), N(m.Rejected), N(m.Lost), F(m.ThroughputMsgsPerS, "F0"),
                target is null ? "-" : F(target.CoresUsed, "F2"),
                target?.IdleConnections is { } held ? N(held) : "-",
                target?.MemoryPerConnectionBytes is { } memory ? F(memory / 1024, "F1") : "-",
                storm is null ? "-" : $"{N(storm.Clients - storm.Failed)}/{N(storm.Clients)} in {F(storm.Seconds, "F2")} s ({F(storm.HandshakesPerS, "F0")}/s)"]);
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
