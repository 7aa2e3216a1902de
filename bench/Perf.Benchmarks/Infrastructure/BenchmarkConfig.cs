using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Perf.Benchmarks.Infrastructure;

/// <summary>
/// The suite's configuration: allocations measured (MemoryDiagnoser), throughput in bytes/s
/// for benchmarks with a <c>Size</c> parameter, and the full JSON exporter (which keeps every
/// iteration's measurement, what <c>perf gate</c>'s statistical test reads). <c>--quick</c>
/// uses a short job that still measures 10 iterations, enough for a Mann–Whitney test.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>The configuration for a normal or a quick run.</summary>
    public static IConfig Create(bool quick)
    {
        var job = quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Quick")
            : Job.Default.WithId("Default");
        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new ThroughputColumn())
            .AddExporter(JsonExporter.Full)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
    }
}
