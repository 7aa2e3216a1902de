using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perf.Benchmarks.Infrastructure;
using Xunit.Abstractions;

namespace Perf.Benchmarks.Tests;

/// <summary>
/// Runs every benchmark of the suite once in BenchmarkDotNet's dry mode (in process, one
/// invocation each), so CI proves each case sets up, runs and cleans up without error.
/// Timings here mean nothing and are not looked at.
/// </summary>
public sealed class DryRunTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_benchmark_case_runs()
    {
        var types = BenchmarkTypes();
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "perf-bench-dry-" + Guid.NewGuid().ToString("N")));

        var summaries = BenchmarkRunner.Run(types, config);

        var expected = 0;
        foreach (var type in types)
        {
            expected += BenchmarkConverter.TypeToBenchmarks(type, config).BenchmarksCases.Length;
        }

        var ran = 0;
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports)
            {
                Assert.True(report.Success, $"{report.BenchmarkCase.DisplayInfo} failed");
                ran++;
            }

            foreach (var validation in summary.ValidationErrors)
            {
                Assert.False(validation.IsCritical, validation.Message);
            }
        }

        output.WriteLine($"{ran} benchmark cases ran in dry mode across {types.Length} classes");
        Assert.Equal(expected, ran);
        Assert.True(ran > 0);
    }

    [Fact]
    public void The_aead_suite_covers_every_supported_pair_at_every_size()
    {
        var cases = BenchmarkConverter.TypeToBenchmarks(typeof(Perf.Benchmarks.Aead.AeadBenchmarks)).BenchmarksCases.Length;
        var pairs = 0;
        foreach (var _ in Perf.Benchmarks.Aead.AeadBenchmarks.Ciphers())
        {
            pairs++;
        }

        // Seal and open, five sizes.
        Assert.Equal(pairs * 5 * 2, cases);
    }

    private static Type[] BenchmarkTypes()
    {
        var types = new List<Type>();
        foreach (var type in typeof(BenchmarkConfig).Assembly.GetTypes())
        {
            if (!type.IsAbstract && Array.Exists(type.GetMethods(), m => m.GetCustomAttributes(typeof(BenchmarkAttribute), false).Length > 0))
            {
                types.Add(type);
            }
        }

        return [.. types];
    }
}
